"""accept(): the stages a message passes through, from a door's envelope to a durable commit."""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

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
    Envelope,
    Verdict,
)
from govmail.pipeline.trace import received_header
from govmail.store.commit import Committer, NewMessage
from govmail.store.models import utcnow

log = logging.getLogger(__name__)

TRACED_DOORS = frozenset({"mx", "submission", "submissions"})
# Parsing a large message takes long enough to stall other sessions: do it off the event loop.
PARSE_IN_THREAD_ABOVE = 256 * 1024


@dataclass
class Delivery:
    """One message on its way through the stages."""

    envelope: Envelope
    raw: bytes
    queue_id: str = field(default_factory=lambda: secrets.token_hex(8).upper())
    parsed: ParsedMessage | None = None
    user_ids: set[int] = field(default_factory=set)
    remote: list[str] = field(default_factory=list)
    message_id: int | None = None


Stage = Callable[[Delivery], Awaitable[Verdict | None]]


class Pipeline:
    """Decides on senders and recipients while a door talks, and accepts whole messages."""

    def __init__(self, directory: Directory, committer: Committer, hostname: str) -> None:
        self.directory = directory
        self.committer = committer
        self.hostname = hostname
        self.stages: Sequence[Stage] = (self.trace, self.parse, self.route, self.commit)

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
            for stage in self.stages:
                verdict = await stage(delivery)
                if verdict is not None:
                    return verdict
        except Exception:
            log.exception("accept failed for %s", delivery.queue_id)
            return TRY_AGAIN
        log.info(
            "accepted %s from=<%s> local=%d remote=%d size=%d",
            delivery.queue_id,
            envelope.mail_from,
            len(delivery.user_ids),
            len(delivery.remote),
            len(delivery.raw),
        )
        return Verdict(250, "2.0.0", f"OK: queued as {delivery.queue_id}")

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
            delivery.parsed = await asyncio.to_thread(parse_message, delivery.raw)
        else:
            delivery.parsed = parse_message(delivery.raw)

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
        return None

    async def commit(self, delivery: Delivery) -> None:
        parsed = delivery.parsed
        assert parsed is not None, "parse runs before commit"
        envelope = delivery.envelope
        client = envelope.client.as_dict() | {"queue_id": delivery.queue_id}
        delivery.message_id = await self.committer.commit(
            NewMessage(
                raw=delivery.raw,
                mail_from=envelope.mail_from,
                recipients=list(envelope.recipients),
                local_user_ids=sorted(delivery.user_ids),
                remote_recipients=delivery.remote,
                client=client,
                message_id=parsed.message_id,
                subject=parsed.subject or "",
                from_header=parsed.get("From") or "",
                date_header=parsed.date,
                imap_envelope=parsed.envelope(),
                body_structure=parsed.body.to_json(),
                defects=parsed.defects,
            )
        )


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
