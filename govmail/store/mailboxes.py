"""Mailbox operations: default folders for a new user, UIDVALIDITY, UID and MODSEQ allocation,
row locks, listings."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import BigInteger, Row, bindparam, case, func, select, update
from sqlalchemy.orm import Session

from govmail.store.models import DEFAULT_MAILBOXES, Mailbox, MailboxEntry, Message, User
from govmail.store.views import NO_SUCH_MAILBOX, MailboxError


def new_uidvalidity(session: Session, user_id: int) -> int:
    """A UIDVALIDITY greater than any this user's folders ever had (RFC 3501 2.3.1.1).

    The counter is raised in one UPDATE … RETURNING, so concurrent CREATEs never share one."""
    return (
        session.connection()
        .execute(_NEXT_UIDVALIDITY, {"user": user_id, "now": int(time.time())})
        .scalar_one()
    )


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


class Reservation(NamedTuple):
    """UIDs and MODSEQs taken from a mailbox's counters: the first of each."""

    mailbox_id: int
    owner: int
    uidvalidity: int
    uid: int
    modseq: int


# Built once: constructing a statement costs more than running it on SQLite.
_USERS = User.__table__.c
_NOW = bindparam("now", type_=BigInteger())
_NEXT_UIDVALIDITY = (
    update(User.__table__)
    .where(_USERS.id == bindparam("user"))
    .values(
        last_uidvalidity=case(
            (_USERS.last_uidvalidity + 1 > _NOW, _USERS.last_uidvalidity + 1), else_=_NOW
        )
    )
    .returning(_USERS.last_uidvalidity)
)
_MAILBOXES = Mailbox.__table__.c
_RESERVED = (
    _MAILBOXES.id,
    _MAILBOXES.user_id,
    _MAILBOXES.uidvalidity,
    _MAILBOXES.uidnext,
    _MAILBOXES.highestmodseq,
)
_TAKE = {
    "uidnext": _MAILBOXES.uidnext + bindparam("uids"),
    "highestmodseq": _MAILBOXES.highestmodseq + bindparam("modseqs"),
}
_RESERVE_IN_INBOX = (
    update(Mailbox.__table__)
    .where(_MAILBOXES.user_id == bindparam("owner"), _MAILBOXES.name == "INBOX")
    .values(_TAKE)
    .returning(*_RESERVED)
)
_RESERVE = (
    update(Mailbox.__table__)
    .where(_MAILBOXES.id == bindparam("mailbox"))
    .values(_TAKE)
    .returning(*_RESERVED)
)


def allocate_uids(session: Session, user_id: int, count: int) -> Reservation:
    """Reserve *count* consecutive UIDs and MODSEQs in a user's INBOX.

    One UPDATE … RETURNING takes the row lock (PostgreSQL) or the write lock (SQLite) first,
    so two deliveries never read the same UIDNEXT.
    """
    row = (
        session.connection()
        .execute(_RESERVE_IN_INBOX, {"owner": user_id, "uids": count, "modseqs": count})
        .one_or_none()
    )
    if row is None:
        # INBOX cannot be deleted over IMAP; an administrator's repair may still have lost it.
        user = session.get_one(User, user_id)
        create_mailbox(session, user, "INBOX")
        return allocate_uids(session, user_id, count)
    return _reservation(row, count, count)


def reserve(session: Session, mailbox_id: int, uids: int, modseqs: int) -> Reservation:
    """Reserve *uids* UIDs and *modseqs* MODSEQs in a mailbox, as allocate_uids does in INBOX."""
    row = (
        session.connection()
        .execute(_RESERVE, {"mailbox": mailbox_id, "uids": uids, "modseqs": modseqs})
        .one_or_none()
    )
    if row is None:
        raise MailboxError("NONEXISTENT", NO_SUCH_MAILBOX)
    return _reservation(row, uids, modseqs)


def _reservation(row: Row[Any], uids: int, modseqs: int) -> Reservation:
    mailbox_id, owner, uidvalidity, uidnext, highestmodseq = row
    return Reservation(mailbox_id, owner, uidvalidity, uidnext - uids, highestmodseq - modseqs + 1)


def existing_mailbox(session: Session, mailbox_id: int) -> Mailbox:
    """The mailbox row, or MailboxError NONEXISTENT (deleted since the session chose it)."""
    mailbox = session.get(Mailbox, mailbox_id)
    if mailbox is None:
        raise MailboxError("NONEXISTENT", NO_SUCH_MAILBOX)
    return mailbox


def lock_mailboxes(session: Session, mailbox_ids: Iterable[int]) -> dict[int, Mailbox]:
    """Lock mailbox rows, lowest id first so two writers cannot deadlock, before reading the
    entries a write depends on (SQLite's write transaction already excludes other writers)."""
    wanted = sorted(set(mailbox_ids))
    rows = session.scalars(
        select(Mailbox).where(Mailbox.id.in_(wanted)).order_by(Mailbox.id).with_for_update()
    ).all()
    if len(rows) != len(wanted):
        raise MailboxError("NONEXISTENT", NO_SUCH_MAILBOX)
    return {row.id: row for row in rows}


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
