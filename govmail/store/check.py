"""Consistency checks of the store: the database's own, blobs against their hashes, IMAP
counters against the entries they number."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from govmail.store.blobs import BlobStore
from govmail.store.db import Database
from govmail.store.models import Mailbox, MailboxEntry, Message


async def problems(db: Database, blobs: BlobStore) -> list[str]:
    """Every inconsistency found; an empty list means the store is sound."""
    found = await db.integrity_problems()
    hashes, counter_problems = await db.read(_counters)
    found += counter_problems
    intact = await asyncio.to_thread(lambda: [blobs.is_intact(digest) for digest in hashes])
    found += [
        f"blob {d} missing or damaged" for d, ok in zip(hashes, intact, strict=True) if not ok
    ]
    return found


def _counters(session: Session) -> tuple[list[str], list[str]]:
    """The distinct blob hashes, and the mailboxes whose counters lag behind their entries."""
    hashes = list(session.scalars(select(Message.blob_hash).distinct()).all())
    found = []
    counters = session.execute(
        select(
            Mailbox.id,
            Mailbox.name,
            Mailbox.uidnext,
            Mailbox.highestmodseq,
            func.max(MailboxEntry.uid),
            func.max(MailboxEntry.modseq),
        )
        .join(MailboxEntry, MailboxEntry.mailbox_id == Mailbox.id)
        .group_by(Mailbox.id)
    )
    for mailbox_id, name, uidnext, highestmodseq, max_uid, max_modseq in counters:
        if max_uid >= uidnext:
            found.append(f"mailbox {mailbox_id} ({name}): UID {max_uid} >= UIDNEXT {uidnext}")
        if max_modseq > highestmodseq:
            found.append(f"mailbox {mailbox_id} ({name}): MODSEQ above HIGHESTMODSEQ")
    return hashes, found
