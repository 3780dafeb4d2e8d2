"""Mailbox operations: default folders for a new user, UID and MODSEQ allocation, listings."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from govmail.store.models import DEFAULT_MAILBOXES, Mailbox, MailboxEntry, Message, User


def new_uidvalidity(session: Session, user_id: int) -> int:
    """A UIDVALIDITY never used before by this user's folders (RFC 3501 2.3.1.1)."""
    highest = session.scalar(
        select(func.max(Mailbox.uidvalidity)).where(Mailbox.user_id == user_id)
    )
    return max(int(time.time()), (highest or 0) + 1)


def create_mailbox(
    session: Session, user: User, name: str, special_use: str | None = None
) -> Mailbox:
    mailbox = Mailbox(
        user_id=user.id,
        name=name,
        special_use=special_use,
        uidvalidity=new_uidvalidity(session, user.id),
        uidnext=1,
        highestmodseq=1,
    )
    session.add(mailbox)
    session.flush()
    return mailbox


def create_default_mailboxes(session: Session, user: User) -> None:
    for name, special_use in DEFAULT_MAILBOXES:
        create_mailbox(session, user, name, special_use)


# Built once: constructing a statement costs more than running it on SQLite.
_MAILBOXES = Mailbox.__table__.c
_RESERVE_UIDS = (
    update(Mailbox.__table__)
    .where(_MAILBOXES.user_id == bindparam("owner"), _MAILBOXES.name == "INBOX")
    .values(
        uidnext=_MAILBOXES.uidnext + bindparam("n"),
        highestmodseq=_MAILBOXES.highestmodseq + bindparam("n"),
    )
    .returning(_MAILBOXES.id, _MAILBOXES.uidnext, _MAILBOXES.highestmodseq)
)


def allocate_uids(session: Session, user_id: int, count: int) -> tuple[int, int, int]:
    """Reserve *count* consecutive UIDs and MODSEQs in a user's INBOX.

    Returns (mailbox id, first UID, first MODSEQ). One UPDATE … RETURNING takes the row lock
    (PostgreSQL) or the write lock (SQLite) first, so two deliveries never read the same UIDNEXT.
    """
    allocated = (
        session.connection().execute(_RESERVE_UIDS, {"owner": user_id, "n": count}).one_or_none()
    )
    if allocated is None:
        # INBOX cannot be deleted over IMAP; an administrator's repair may still have lost it.
        user = session.get_one(User, user_id)
        create_mailbox(session, user, "INBOX")
        return allocate_uids(session, user_id, count)
    mailbox_id, uidnext, highestmodseq = allocated
    return mailbox_id, uidnext - count, highestmodseq - count + 1


@dataclass(frozen=True)
class FolderSummary:
    name: str
    special_use: str | None
    messages: int
    uidvalidity: int
    uidnext: int


@dataclass(frozen=True)
class MessageSummary:
    uid: int
    internal_date: datetime
    from_header: str
    subject: str
    size: int
    blob_hash: str


def folders(session: Session, address: str) -> list[FolderSummary]:
    rows = session.execute(
        select(
            Mailbox.name,
            Mailbox.special_use,
            func.count(MailboxEntry.id),
            Mailbox.uidvalidity,
            Mailbox.uidnext,
        )
        .join(User)
        .outerjoin(MailboxEntry, MailboxEntry.mailbox_id == Mailbox.id)
        .where(User.address == address)
        .group_by(Mailbox.id)
        .order_by(Mailbox.name)
    )
    return [FolderSummary(*row) for row in rows]


def messages(session: Session, address: str, folder: str) -> list[MessageSummary]:
    rows = session.execute(
        select(
            MailboxEntry.uid,
            Message.internal_date,
            Message.from_header,
            Message.subject,
            Message.size,
            Message.blob_hash,
        )
        .join(Message, Message.id == MailboxEntry.message_id)
        .join(Mailbox, Mailbox.id == MailboxEntry.mailbox_id)
        .join(User, User.id == Mailbox.user_id)
        .where(User.address == address, Mailbox.name == folder)
        .order_by(MailboxEntry.uid)
    )
    return [MessageSummary(*row) for row in rows]
