"""The commit stage's storage side: blobs first, then one transaction that adds the message, its
search text, its entries, its queue rows and its register filings; concurrent deliveries may
share a transaction (group commit)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from govmail.accounts.names import split_address
from govmail.mime.message import ParsedMessage
from govmail.register.extract import sniff
from govmail.register.filing import Filing, StoredAttachment, ToFile, file_rows
from govmail.store.blobs import BlobStore
from govmail.store.db import Database
from govmail.store.mailboxes import Reservation, allocate_uids, reserve
from govmail.store.models import MailboxEntry, Message, MessageText, QueueEntry, as_utc, utcnow
from govmail.store.notify import Notifier
from govmail.store.textindex import index_row
from govmail.store.views import NO_SUCH_MAILBOX, MailboxError

log = logging.getLogger(__name__)


@dataclass
class NewMessage:
    """Everything the store needs to make one accepted message durable."""

    raw: bytes
    mail_from: str
    recipients: list[str]
    local_user_ids: list[int]
    remote_recipients: list[str]
    client: dict[str, Any] = field(default_factory=dict)
    message_id: str | None = None
    subject: str = ""
    from_header: str = ""
    date_header: datetime | None = None
    imap_envelope: list[Any] = field(default_factory=list)
    body_structure: dict[str, Any] = field(default_factory=dict)
    defects: list[str] = field(default_factory=list)
    internal_date: datetime = field(default_factory=utcnow)
    # Field (subject, from, to, cc, bcc, body, headers) → text as decoded, not yet folded.
    search_text: dict[str, str] = field(default_factory=dict)
    # APPEND: the message goes into this mailbox of local_user_ids[0] only, with these flags
    # (canonical, space-separated); deliveries go to every local user's INBOX, unflagged.
    target_mailbox_id: int | None = None
    flags: str = ""
    # The register filings of the message's attachments, if any.
    filing: Filing | None = None


def parsed_fields(parsed: ParsedMessage) -> dict[str, Any]:
    """The NewMessage fields that come from the parsed message: what IMAP shows without
    parsing it again."""
    return {
        "message_id": parsed.message_id,
        "subject": parsed.subject or "",
        "from_header": parsed.get("From") or "",
        "date_header": parsed.date,
        "imap_envelope": parsed.envelope(),
        "body_structure": parsed.body.to_json(),
        "defects": parsed.defects,
    }


@dataclass(frozen=True)
class Committed:
    """A durable message: its id, and (UIDVALIDITY, UID) in each mailbox it was put in."""

    message_id: int
    placed: dict[int, tuple[int, int]]
    filed: bool = False


@dataclass(frozen=True)
class Ready:
    """A message whose blob is on disk and whose search text is folded: one INSERT away."""

    message: NewMessage
    digest: str
    text: dict[str, str]
    attachments: list[StoredAttachment] = field(default_factory=list)


class Committer:
    """Makes messages durable. With group commit, messages that arrive while a transaction is
    being written wait for the next one and share it, and its fsync. After each commit the
    notifier, if any, learns which mailboxes got mail, and *on_filed* that the register has new
    entries for its workers."""

    def __init__(
        self,
        db: Database,
        blobs: BlobStore,
        group: bool,
        max_batch: int,
        notifier: Notifier | None = None,
        on_filed: Callable[[], None] | None = None,
    ) -> None:
        self.db = db
        self.blobs = blobs
        self.group = group
        self.max_batch = max_batch
        self.notifier = notifier
        self.on_filed = on_filed
        self._pending: list[tuple[Ready, asyncio.Future[Committed]]] = []
        self._wakeup = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self.group:
            self._task = asyncio.create_task(self._run(), name="group-commit")

    async def stop(self) -> None:
        """Finish what is pending, then stop."""
        if self._task is None:
            return
        self._stopping = True
        self._wakeup.set()
        await self._task
        self._task = None

    async def commit(self, message: NewMessage) -> int:
        """Return the new message's id once it is on disk and committed."""
        return (await self.commit_with_uids(message)).message_id

    async def commit_with_uids(self, message: NewMessage) -> Committed:
        """Like commit(), also telling where the message was put (APPEND answers APPENDUID)."""
        # Blob and folding in one worker-thread hop, outside the write transaction.
        ready = await asyncio.to_thread(prepare, self.blobs, message)
        if not self.group:
            committed = (await self.db.write(lambda session: insert_messages(session, [ready])))[0]
            self._publish([committed])
            return committed
        future: asyncio.Future[Committed] = asyncio.get_running_loop().create_future()
        self._pending.append((ready, future))
        self._wakeup.set()
        return await future

    def _publish(self, committed: list[Committed]) -> None:
        if self.notifier is not None:
            self.notifier.publish(mailbox for done in committed for mailbox in done.placed)
        if self.on_filed is not None and any(done.filed for done in committed):
            self.on_filed()

    async def _run(self) -> None:
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            while self._pending:
                batch = self._pending[: self.max_batch]
                del self._pending[: self.max_batch]
                await self._write_batch(batch)
            if self._stopping:
                return

    async def _write_batch(self, batch: list[tuple[Ready, asyncio.Future[Committed]]]) -> None:
        try:
            items = [ready for ready, _ in batch]
            results = await self.db.write(lambda session: insert_messages(session, items))
        except Exception as exc:
            if len(batch) == 1:
                log.exception("commit failed")
                # A mailbox gone since APPEND chose it is the client's to hear about.
                failure = exc if isinstance(exc, MailboxError) else RuntimeError("commit failed")
                _settle(batch[0][1], exc=failure)
                return
            # One bad message must not fail the others: commit each on its own.
            log.warning("group commit of %d failed; committing one by one", len(batch))
            for item in batch:
                await self._write_batch([item])
            return
        self._publish(results)
        for (_, future), committed in zip(batch, results, strict=True):
            _settle(future, result=committed)


def prepare(blobs: BlobStore, message: NewMessage) -> Ready:
    """Write the message's blob (and its filed attachments') and fold its search text: what
    must happen before the transaction that inserts it."""
    stored = []
    if message.filing is not None:
        for attachment in message.filing.attachments:
            digest = blobs.put(attachment.data)
            kind = sniff(attachment.data, attachment.declared, attachment.filename)
            stored.append(StoredAttachment(attachment, digest, kind))
    return Ready(message, blobs.put(message.raw), index_row(message.search_text), stored)


def _settle(
    future: asyncio.Future[Committed],
    result: Committed | None = None,
    exc: Exception | None = None,
) -> None:
    if future.done():  # the waiting client went away; the commit stands
        return
    if exc is not None:
        future.set_exception(exc)
    else:
        future.set_result(result)


# Built once: constructing a statement costs more than running it on SQLite.
_INSERT_MESSAGES = insert(Message.__table__).returning(
    Message.__table__.c.id, sort_by_parameter_order=True
)
_INSERT_TEXT = insert(MessageText.__table__)
_INSERT_ENTRIES = insert(MailboxEntry.__table__)
_INSERT_QUEUE = insert(QueueEntry.__table__)
# Where a message goes: (None, user id) for a delivery to that user's INBOX, (mailbox id,
# owner's user id) for APPEND.
Destination = tuple[int | None, int]


def insert_messages(session: Session, items: list[Ready]) -> list[Committed]:
    """Insert messages with their search text, mailbox entries and queue rows in set-based
    statements: one INSERT for the messages, one for their text, one UID reservation per
    receiving mailbox, one INSERT each for the entries and the queue."""
    # Core statements on the session's connection: the ORM's bulk bookkeeping costs more here
    # than the SQL itself.
    conn = session.connection()
    ids = list(conn.scalars(_INSERT_MESSAGES, [_message_row(item) for item in items]).all())
    conn.execute(
        _INSERT_TEXT,
        [item.text | {"message_id": id_} for item, id_ in zip(items, ids, strict=True)],
    )
    placed: list[dict[int, tuple[int, int]]] = [{} for _ in items]
    entries = []
    for destination, receivers in _destinations(items).items():
        taken = _reserve(session, destination, len(receivers))
        for i, index in enumerate(receivers):
            placed[index][taken.mailbox_id] = (taken.uidvalidity, taken.uid + i)
            entries.append(
                {
                    "mailbox_id": taken.mailbox_id,
                    "message_id": ids[index],
                    "uid": taken.uid + i,
                    "modseq": taken.modseq + i,
                    "flags": items[index].message.flags,
                }
            )
    if entries:
        conn.execute(_INSERT_ENTRIES, entries)
    queued = [
        {
            "message_id": message_id,
            "mail_from": item.message.mail_from,
            "recipient": recipient,
            "domain": split_address(recipient)[1],
        }
        for item, message_id in zip(items, ids, strict=True)
        for recipient in item.message.remote_recipients
    ]
    if queued:
        conn.execute(_INSERT_QUEUE, queued)
    filings = [
        ToFile(id_, item.message.filing, item.attachments, item.message.internal_date)
        for item, id_ in zip(items, ids, strict=True)
        if item.message.filing is not None and item.attachments
    ]
    file_rows(session, filings)
    filed = {each.message_id for each in filings}
    return [Committed(id_, where, id_ in filed) for id_, where in zip(ids, placed, strict=True)]


def _destinations(items: list[Ready]) -> dict[Destination, list[int]]:
    """The indexes of the messages each destination receives, in order."""
    receivers: dict[Destination, list[int]] = {}
    for index, item in enumerate(items):
        message = item.message
        if message.target_mailbox_id is not None:
            destination = (message.target_mailbox_id, message.local_user_ids[0])
            receivers.setdefault(destination, []).append(index)
            continue
        for user_id in message.local_user_ids:
            receivers.setdefault((None, user_id), []).append(index)
    return receivers


def _reserve(session: Session, destination: Destination, count: int) -> Reservation:
    mailbox_id, user_id = destination
    if mailbox_id is None:
        return allocate_uids(session, user_id, count)
    try:
        taken = reserve(session, mailbox_id, count, count)
    except MailboxError:
        taken = None
    # Deleted since the session chose it, or never this user's: RFC 3501 6.3.11 TRYCREATE.
    if taken is None or taken.owner != user_id:
        raise MailboxError("TRYCREATE", NO_SUCH_MAILBOX)
    return taken


def _message_row(item: Ready) -> dict[str, Any]:
    message = item.message
    return {
        "blob_hash": item.digest,
        "size": len(message.raw),
        "internal_date": as_utc(message.internal_date),
        "mail_from": message.mail_from,
        "recipients": message.recipients,
        "client": message.client,
        "message_id": message.message_id,
        "subject": message.subject,
        "from_header": message.from_header,
        "date_header": message.date_header and as_utc(message.date_header),
        "imap_envelope": message.imap_envelope,
        "body_structure": message.body_structure,
        "defects": message.defects,
    }
