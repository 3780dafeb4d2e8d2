"""accept() and append(): the stages a message passes through, from a door's envelope (or an
IMAP APPEND) to a durable commit."""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from govmail.accounts.directory import Directory, Kind, Lookup
from govmail.accounts.names import InvalidName, split_address
from govmail.mime import ParsedMessage, parse_message
from govmail.pipeline.envelope import (
    BAD_RECIPIENT,
    BAD_SENDER,
    DISABLED_USER,
    NOT_YOUR_ADDRESS,
    OK_RECIPIENT,
    OK_SENDER,
    RELAY_DENIED,
    TRY_AGAIN,
    UNKNOWN_USER,
    Client,
    Envelope,
    Verdict,
)
from govmail.pipeline.searchtext import search_text
from govmail.pipeline.trace import received_header
from govmail.register.filing import Filing, agency_of, attachments, routes
from govmail.store import flags as stored_flags
from govmail.store.commit import Committer, NewMessage, parsed_fields
from govmail.store.models import utcnow
from govmail.store.views import MailboxError

log = logging.getLogger(__name__)

TRACED_DOORS = frozenset({"mx", "submission", "submissions"})
# Doors whose mail crosses the server, so its attachments are filed; an APPEND only keeps a
# user's own copy.
FILED_DOORS = TRACED_DOORS
# Parsing a large message takes long enough to stall other sessions: do it off the event loop.
PARSE_IN_THREAD_ABOVE = 256 * 1024


@dataclass
class Delivery:
    """One message on its way through the stages."""

    envelope: Envelope
    raw: bytes
    queue_id: str = field(default_factory=lambda: secrets.token_hex(8).upper())
    parsed: ParsedMessage | None = None
    search_text: dict[str, str] = field(default_factory=dict)
    user_ids: set[int] = field(default_factory=set)
    remote: list[str] = field(default_factory=list)
    local_recipients: list[str] = field(default_factory=list)
    filing: Filing | None = None
    # APPEND: the mailbox, flags and internal date the client chose.
    target_mailbox_id: int | None = None
    flags: str = ""
    internal_date: datetime | None = None
    message_id: int | None = None
    placed: dict[int, tuple[int, int]] = field(default_factory=dict)  # mailbox → (UIDVALIDITY, UID)


Stage = Callable[[Delivery], Awaitable[Verdict | None]]


class Pipeline:
    """Decides on senders and recipients while a door talks, and accepts whole messages."""

    def __init__(self, directory: Directory, committer: Committer, hostname: str) -> None:
        self.directory = directory
        self.committer = committer
        self.hostname = hostname
        self.stages: Sequence[Stage] = (
            self.trace,
            self.parse,
            self.route,
            self.file,
            self.commit,
        )

    async def check_sender(self, auth_user: str | None, address: str) -> Verdict:
        """MAIL FROM: authenticated users may only use addresses they own."""
        if address:
            try:
                split_address(address)
            except InvalidName:
                return BAD_SENDER
        if auth_user is None:
            return OK_SENDER
        if not address or not await self.directory.may_send_as(auth_user, address):
            return NOT_YOUR_ADDRESS
        return OK_SENDER

    async def check_recipient(self, auth_user: str | None, address: str) -> tuple[Verdict, Lookup]:
        """RCPT TO: local addresses must exist; remote ones only for authenticated users.

        The door keeps the returned route in its envelope, so DATA does not look it up again.
        """
        lookup = await self.directory.resolve(address)
        return _recipient_verdict(lookup, auth_user), lookup

    async def accept(self, envelope: Envelope, raw: bytes) -> Verdict:
        delivery = Delivery(envelope=envelope, raw=raw)
        try:
            verdict = await self._run(delivery)
        except Exception:
            log.exception("accept failed for %s", delivery.queue_id)
            return TRY_AGAIN
        if verdict is not None:
            return verdict
        log.info(
            "accepted %s from=<%s> local=%d remote=%d size=%d",
            delivery.queue_id,
            envelope.mail_from,
            len(delivery.user_ids),
            len(delivery.remote),
            len(delivery.raw),
        )
        return Verdict(250, "2.0.0", f"OK: queued as {delivery.queue_id}")

    async def append(
        self,
        user_address: str,
        mailbox_id: int,
        flags: str,
        internal_date: datetime | None,
        raw: bytes,
        client: Client | None = None,
    ) -> tuple[int, int]:
        """IMAP APPEND: store *raw* in one of the user's mailboxes; returns (UIDVALIDITY, UID).

        Raises MailboxError (TRYCREATE when the mailbox is gone or not the user's); any other
        exception means the message was not stored and the client may try again."""
        user = await self.directory.user(user_address)
        if user is None:
            raise MailboxError("NONEXISTENT", f"No user {user_address}")
        envelope = Envelope(
            mail_from="",
            recipients=[],
            client=client or Client(ip="", door="imap", auth_user=user.address),
        )
        delivery = Delivery(
            envelope=envelope,
            raw=raw,
            user_ids={user.id},
            target_mailbox_id=mailbox_id,
            flags=stored_flags.render(stored_flags.canonical(flags.split())),
            internal_date=internal_date,
        )
        verdict = await self._run(delivery)
        if verdict is not None:  # a stage refused the message
            raise MailboxError("CANNOT", verdict.text)
        log.info(
            "appended %s user=%s mailbox=%d size=%d",
            delivery.queue_id,
            user.address,
            mailbox_id,
            len(raw),
        )
        return delivery.placed[mailbox_id]

    async def _run(self, delivery: Delivery) -> Verdict | None:
        """Pass *delivery* through the stages; the first verdict a stage gives ends it."""
        for stage in self.stages:
            verdict = await stage(delivery)
            if verdict is not None:
                return verdict
        return None

    async def trace(self, delivery: Delivery) -> None:
        envelope = delivery.envelope
        if envelope.client.door not in TRACED_DOORS:
            return
        header = received_header(
            envelope.client,
            envelope.recipients,
            self.hostname,
            delivery.queue_id,
            utcnow(),
            envelope.smtputf8,
        )
        delivery.raw = header + delivery.raw

    async def parse(self, delivery: Delivery) -> None:
        if len(delivery.raw) > PARSE_IN_THREAD_ABOVE:
            delivery.parsed, delivery.search_text = await asyncio.to_thread(_parse, delivery.raw)
        else:
            delivery.parsed, delivery.search_text = _parse(delivery.raw)

    async def route(self, delivery: Delivery) -> Verdict | None:
        """Expand every recipient: routes found at RCPT are kept, others (APPEND, imports) are
        looked up now."""
        envelope = delivery.envelope
        for recipient in envelope.recipients:
            lookup = envelope.routes.get(recipient) or await self.directory.resolve(recipient)
            verdict = _recipient_verdict(lookup, envelope.client.auth_user)
            if not verdict.ok:
                return verdict
            delivery.user_ids |= lookup.user_ids
            delivery.remote.extend(r for r in lookup.remote if r not in delivery.remote)
            if lookup.kind is Kind.LOCAL:
                delivery.local_recipients.append(recipient)
        return None

    async def file(self, delivery: Delivery) -> None:
        """Plan the register filings of the message's attachments (commit writes them)."""
        envelope = delivery.envelope
        parsed = delivery.parsed
        assert parsed is not None, "parse runs before filing"
        if envelope.client.door not in FILED_DOORS:
            return
        if len(delivery.raw) > PARSE_IN_THREAD_ABOVE:
            found = await asyncio.to_thread(attachments, parsed, delivery.raw)
        else:
            found = attachments(parsed, delivery.raw)
        auth_user = envelope.client.auth_user
        books = routes(
            agency_of(auth_user) if auth_user else None,
            [agency_of(address) for address in delivery.local_recipients],
            remote=bool(delivery.remote),
        )
        if found and books:
            delivery.filing = Filing(
                attachments=found,
                routes=books,
                mail_from=envelope.mail_from,
                recipients=tuple(envelope.recipients),
                subject=parsed.subject or "",
                message_id_header=parsed.message_id,
            )

    async def commit(self, delivery: Delivery) -> None:
        parsed = delivery.parsed
        assert parsed is not None, "parse runs before commit"
        envelope = delivery.envelope
        client = envelope.client.as_dict() | {"queue_id": delivery.queue_id}
        committed = await self.committer.commit_with_uids(
            NewMessage(
                raw=delivery.raw,
                mail_from=envelope.mail_from,
                recipients=list(envelope.recipients),
                local_user_ids=sorted(delivery.user_ids),
                remote_recipients=delivery.remote,
                client=client,
                internal_date=delivery.internal_date or utcnow(),
                search_text=delivery.search_text,
                target_mailbox_id=delivery.target_mailbox_id,
                flags=delivery.flags,
                filing=delivery.filing,
                **parsed_fields(parsed),
            )
        )
        delivery.message_id = committed.message_id
        delivery.placed = committed.placed


def _parse(raw: bytes) -> tuple[ParsedMessage, dict[str, str]]:
    parsed = parse_message(raw)
    return parsed, search_text(parsed, raw)


def _recipient_verdict(lookup: Lookup, auth_user: str | None) -> Verdict:
    match lookup.kind:
        case Kind.LOCAL:
            return OK_RECIPIENT
        case Kind.REMOTE:
            return OK_RECIPIENT if auth_user is not None else RELAY_DENIED
        case Kind.DISABLED:
            return DISABLED_USER
        case Kind.UNKNOWN:
            return UNKNOWN_USER
    return BAD_RECIPIENT
