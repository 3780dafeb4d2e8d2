"""Consistency checks of the store: the database's own, blobs against their hashes, IMAP
counters against the entries and tombstones they number, the search index against messages."""

from __future__ import annotations

import asyncio

from sqlalchemy import and_, func, select, table
from sqlalchemy.orm import Session

from govmail.store.blobs import BlobStore
from govmail.store.db import Database
from govmail.store.models import Mailbox, MailboxEntry, Message, MessageText, Tombstone


async def problems(db: Database, blobs: BlobStore) -> list[str]:
    """Every inconsistency found; an empty list means the store is sound."""
    found = await db.integrity_problems()
    hashes, counter_problems = await db.read(_counters)
    found += counter_problems
    found += await db.read(_tombstones)
    found += await db.read(_search_index)
    intact = await asyncio.to_thread(lambda: [blobs.is_intact(digest) for digest in hashes])
    found += [
        f"blob {d} missing or damaged" for d, ok in zip(hashes, intact, strict=True) if not ok
    ]
    return found


def _counters(session: Session) -> tuple[list[str], list[str]]:
    """The distinct blob hashes, and the mailboxes whose counters lag behind their entries."""
    hashes = list(session.scalars(select(Message.blob_hash).distinct()).all())
    found = _above_counters(session, MailboxEntry, "")
    duplicates = session.execute(
        select(MailboxEntry.mailbox_id, MailboxEntry.modseq)
        .group_by(MailboxEntry.mailbox_id, MailboxEntry.modseq)
        .having(func.count() > 1)
        .limit(10)
    )
    found += [f"mailbox {box}: MODSEQ {seq} on several entries" for box, seq in duplicates]
    return hashes, found


def _above_counters(session: Session, rows: type[MailboxEntry | Tombstone], what: str) -> list[str]:
    """Mailboxes whose *rows* (entries or tombstones) reach past UIDNEXT or HIGHESTMODSEQ."""
    highest = session.execute(
        select(
            Mailbox.id,
            Mailbox.name,
            Mailbox.uidnext,
            Mailbox.highestmodseq,
            func.max(rows.uid),
            func.max(rows.modseq),
        )
        .join(rows, rows.mailbox_id == Mailbox.id)
        .group_by(Mailbox.id)
    )
    found = []
    for mailbox_id, name, uidnext, highestmodseq, max_uid, max_modseq in highest:
        if max_uid >= uidnext:
            found.append(f"mailbox {mailbox_id} ({name}): {what}UID {max_uid} >= UIDNEXT {uidnext}")
        if max_modseq > highestmodseq:
            found.append(f"mailbox {mailbox_id} ({name}): {what}MODSEQ above HIGHESTMODSEQ")
    return found


def _tombstones(session: Session) -> list[str]:
    """Expunged UIDs must lie below UIDNEXT and HIGHESTMODSEQ, and be gone from the mailbox."""
    found = _above_counters(session, Tombstone, "expunged ")
    revived = session.execute(
        select(Tombstone.mailbox_id, Tombstone.uid)
        .join(
            MailboxEntry,
            and_(
                MailboxEntry.mailbox_id == Tombstone.mailbox_id, MailboxEntry.uid == Tombstone.uid
            ),
        )
        .limit(10)
    )
    found += [f"mailbox {box}: UID {uid} both expunged and present" for box, uid in revived]
    return found


def _search_index(session: Session) -> list[str]:
    """Every message has its search text, and on SQLite the FTS5 index holds every row."""
    unindexed = session.scalar(
        select(func.count())
        .select_from(Message)
        .outerjoin(MessageText, MessageText.message_id == Message.id)
        .where(MessageText.message_id.is_(None))
    )
    found = [f"{unindexed} message(s) without search text"] if unindexed else []
    if session.connection().dialect.name == "sqlite":
        rows = session.scalar(select(func.count()).select_from(MessageText))
        # External-content FTS5 keeps one docsize row per indexed row.
        docsize = table("message_text_fts_docsize")
        indexed = session.scalar(select(func.count()).select_from(docsize))
        if rows != indexed:
            found.append(f"search index holds {indexed} rows for {rows} messages")
    return found
