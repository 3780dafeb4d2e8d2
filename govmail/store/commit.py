"""The commit stage's storage side: blob first, then one transaction; concurrent deliveries may
share a transaction (group commit)."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from govmail.accounts.names import split_address
from govmail.store.blobs import BlobStore
from govmail.store.db import Database
from govmail.store.mailboxes import allocate_uids
from govmail.store.models import MailboxEntry, Message, QueueEntry, utcnow

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


class Committer:
    """Makes messages durable. With group commit, messages that arrive while a transaction is
    being written wait for the next one and share it, and its fsync."""

    def __init__(self, db: Database, blobs: BlobStore, group: bool, max_batch: int) -> None:
        self.db = db
        self.blobs = blobs
        self.group = group
        self.max_batch = max_batch
        self._pending: list[tuple[NewMessage, str, asyncio.Future[int]]] = []
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
        digest = await asyncio.to_thread(self.blobs.put, message.raw)
        if not self.group:
            return (
                await self.db.write(lambda session: insert_messages(session, [(message, digest)]))
            )[0]
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._pending.append((message, digest, future))
        self._wakeup.set()
        return await future

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

    async def _write_batch(self, batch: list[tuple[NewMessage, str, asyncio.Future[int]]]) -> None:
        try:
            items = [(message, digest) for message, digest, _ in batch]
            ids = await self.db.write(lambda session: insert_messages(session, items))
        except Exception:
            if len(batch) == 1:
                log.exception("commit failed")
                _settle(batch[0][2], exc=RuntimeError("commit failed"))
                return
            # One bad message must not fail the others: commit each on its own.
            log.warning("group commit of %d failed; committing one by one", len(batch))
            for item in batch:
                await self._write_batch([item])
            return
        for (_, _, future), message_id in zip(batch, ids, strict=True):
            _settle(future, result=message_id)


def _settle(
    future: asyncio.Future[int], result: int | None = None, exc: Exception | None = None
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
_INSERT_ENTRIES = insert(MailboxEntry.__table__)
_INSERT_QUEUE = insert(QueueEntry.__table__)


def insert_messages(session: Session, items: list[tuple[NewMessage, str]]) -> list[int]:
    """Insert messages with their mailbox entries and queue rows in set-based statements:
    one INSERT for the messages, one UID reservation per receiving user, one INSERT each for
    the entries and the queue."""
    # Core statements on the session's connection: the ORM's bulk bookkeeping costs more here
    # than the SQL itself.
    conn = session.connection()
    message_rows = [_message_row(message, digest) for message, digest in items]
    ids = list(conn.scalars(_INSERT_MESSAGES, message_rows).all())
    receivers: dict[int, list[int]] = {}
    for (message, _), message_id in zip(items, ids, strict=True):
        for user_id in message.local_user_ids:
            receivers.setdefault(user_id, []).append(message_id)
    entries = []
    for user_id, message_ids in receivers.items():
        mailbox_id, uid, modseq = allocate_uids(session, user_id, len(message_ids))
        entries += [
            {"mailbox_id": mailbox_id, "message_id": m, "uid": uid + i, "modseq": modseq + i}
            for i, m in enumerate(message_ids)
        ]
    if entries:
        conn.execute(_INSERT_ENTRIES, entries)
    queued = [
        {
            "message_id": message_id,
            "mail_from": message.mail_from,
            "recipient": recipient,
            "domain": split_address(recipient)[1],
        }
        for (message, _), message_id in zip(items, ids, strict=True)
        for recipient in message.remote_recipients
    ]
    if queued:
        conn.execute(_INSERT_QUEUE, queued)
    return ids


def _message_row(message: NewMessage, digest: str) -> dict[str, Any]:
    return {
        "blob_hash": digest,
        "size": len(message.raw),
        "internal_date": message.internal_date,
        "mail_from": message.mail_from,
        "recipients": message.recipients,
        "client": message.client,
        "message_id": message.message_id,
        "subject": message.subject,
        "from_header": message.from_header,
        "date_header": message.date_header,
        "imap_envelope": message.imap_envelope,
        "body_structure": message.body_structure,
        "defects": message.defects,
    }
