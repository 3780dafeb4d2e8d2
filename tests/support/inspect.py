"""Read what a test server stored, through govmail's own store API."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from govmail.config import database_url, load
from govmail.store.blobs import BlobStore
from govmail.store.check import problems
from govmail.store.db import Database
from govmail.store.mailboxes import MessageSummary, folders, messages
from govmail.store.models import Mailbox, MailboxEntry, Message, QueueEntry, User
from tests.support.server import GovmailServer

T = TypeVar("T")


def read(server: GovmailServer, work: Callable[[Session], T]) -> T:
    async def go() -> T:
        db = Database(database_url(load(server.config)))
        try:
            return await db.read(work)
        finally:
            await db.close()

    return asyncio.run(go())


def entries(server: GovmailServer, address: str, folder: str = "INBOX") -> list[MessageSummary]:
    return read(server, lambda session: messages(session, address, folder))


def raw_messages(server: GovmailServer, address: str, folder: str = "INBOX") -> list[bytes]:
    blobs = BlobStore(load(server.config).blob_dir)
    return [blobs.get(entry.blob_hash) for entry in entries(server, address, folder)]


def folder_names(server: GovmailServer, address: str) -> dict[str, str | None]:
    return {f.name: f.special_use for f in read(server, lambda s: folders(s, address))}


def message_count(server: GovmailServer) -> int:
    return read(server, lambda s: s.scalar(select(func.count()).select_from(Message))) or 0


def queue(server: GovmailServer) -> list[tuple[str, str]]:
    def work(session: Session) -> list[tuple[str, str]]:
        rows = session.execute(
            select(QueueEntry.mail_from, QueueEntry.recipient).order_by(QueueEntry.id)
        )
        return [(sender, recipient) for sender, recipient in rows]

    return read(server, work)


def message_ids(server: GovmailServer, address: str) -> list[str]:
    """The Message-ID header of every entry in *address*'s INBOX (one per entry)."""

    def work(session: Session) -> list[str]:
        return list(
            session.scalars(
                select(Message.message_id)
                .join(MailboxEntry, MailboxEntry.message_id == Message.id)
                .join(Mailbox, Mailbox.id == MailboxEntry.mailbox_id)
                .join(User, User.id == Mailbox.user_id)
                .where(User.address == address, Mailbox.name == "INBOX")
            ).all()
        )

    return read(server, work)


def store_problems(server: GovmailServer) -> list[str]:
    settings = load(server.config)

    async def go() -> list[str]:
        db = Database(database_url(settings))
        try:
            return await problems(db, BlobStore(settings.blob_dir))
        finally:
            await db.close()

    return asyncio.run(go())
