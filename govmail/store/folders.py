"""A user's IMAP folders: names, listing, create, delete, rename, subscriptions, STATUS."""

from __future__ import annotations

import unicodedata

from sqlalchemy import case, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from govmail.store.entries import move_entries
from govmail.store.flags import has_flag
from govmail.store.mailboxes import create_mailbox, existing_mailbox
from govmail.store.models import Mailbox, MailboxEntry, Message, Tombstone, User
from govmail.store.views import READ_ONLY_FOLDER, MailboxError, MailboxInfo, Status

INBOX = "INBOX"
SEPARATOR = "/"
MAX_NAME = 500  # characters: the width of mailboxes.name
MAX_FOLDERS = 1000


def mailbox_name(name: str) -> str:
    """The stored form of a mailbox name: NFC, INBOX (also as a parent) in upper case.

    Raises MailboxError CANNOT for names no folder may have, LIMIT for names too long."""
    name = unicodedata.normalize("NFC", name)
    if not name or any(char in name for char in "\x00\r\n"):
        raise MailboxError("CANNOT", "Empty names and control characters are not allowed")
    if name.startswith(SEPARATOR) or name.endswith(SEPARATOR) or SEPARATOR * 2 in name:
        raise MailboxError("CANNOT", 'A name cannot start or end with "/" or have an empty level')
    if len(name) > MAX_NAME:
        raise MailboxError("LIMIT", f"Mailbox names are limited to {MAX_NAME} characters")
    first, separator, rest = name.partition(SEPARATOR)
    return INBOX + separator + rest if first.upper() == INBOX else name


def list_mailboxes(session: Session, user_id: int) -> list[MailboxInfo]:
    """Every folder of the user, sorted by name (code points, the same on every backend)."""
    return sorted((MailboxInfo.of(m) for m in _all(session, user_id)), key=lambda m: m.name)


def get_mailbox(session: Session, user_id: int, name: str) -> MailboxInfo | None:
    mailbox = _find(session, user_id, name)
    return None if mailbox is None else MailboxInfo.of(mailbox)


def create_folder(
    session: Session, user_id: int, name: str, special_use: str | None = None
) -> MailboxInfo:
    """A new folder; its parents need not exist (they are listed as \\NonExistent)."""
    name = mailbox_name(name)
    existing = _all(session, user_id)
    if any(mailbox.name == name for mailbox in existing):
        raise MailboxError("ALREADYEXISTS", f"Mailbox {name} already exists")
    _check_room(existing)
    return MailboxInfo.of(_create(session, user_id, name, special_use))


def delete_folder(session: Session, user_id: int, name: str) -> None:
    """Delete a folder without children, and its entries; the messages stay (they may be
    shared with other entries)."""
    mailbox = _existing(session, user_id, name)
    if mailbox.name == INBOX:
        raise MailboxError("CANNOT", "INBOX cannot be deleted")
    _check_writable([mailbox])
    if _children(_all(session, user_id), mailbox.name):
        raise MailboxError("CANNOT", f"Mailbox {mailbox.name} has children; delete them first")
    drop_mailbox(session, mailbox)


def drop_mailbox(session: Session, mailbox: Mailbox) -> None:
    """Delete a folder with its entries and tombstones, whatever it holds or is; the messages
    stay."""
    session.execute(delete(MailboxEntry).where(MailboxEntry.mailbox_id == mailbox.id))
    session.execute(delete(Tombstone).where(Tombstone.mailbox_id == mailbox.id))
    session.delete(mailbox)
    session.flush()


def rename_folder(session: Session, user_id: int, old: str, new: str) -> None:
    """Rename a folder and its children. Renaming INBOX moves its messages into a new folder
    (with new UIDs) and leaves INBOX empty; INBOX's children stay (RFC 3501 6.3.5)."""
    source = _existing(session, user_id, old)
    target = mailbox_name(new)
    existing = _all(session, user_id)
    if source.name == INBOX:
        _rename_inbox(session, source, target, existing)
        return
    if target.startswith(source.name + SEPARATOR):
        raise MailboxError("CANNOT", "A mailbox cannot become its own child")
    family = [source, *_children(existing, source.name)]
    _check_writable(family)
    moves = [(mailbox, target + mailbox.name[len(source.name) :]) for mailbox in family]
    taken = {mailbox.name for mailbox in existing}
    for _, name in moves:
        # Old names count as taken too, so no two rows ever hold one name mid-update.
        if name in taken:
            raise MailboxError("ALREADYEXISTS", f"Mailbox {name} already exists")
        if len(name) > MAX_NAME:
            raise MailboxError("LIMIT", f"{name[:40]}… would be over {MAX_NAME} characters")
    for mailbox, name in moves:
        mailbox.name = name
    session.flush()


def set_subscribed(session: Session, user_id: int, name: str, subscribed: bool) -> None:
    _existing(session, user_id, name).subscribed = subscribed
    session.flush()


def mailbox_status(session: Session, mailbox_id: int) -> Status:
    mailbox = existing_mailbox(session, mailbox_id)
    messages, unseen, size = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((has_flag("\\Seen"), 0), else_=1)), 0),
            func.coalesce(func.sum(Message.size), 0),
        )
        .select_from(MailboxEntry)
        .join(Message, Message.id == MailboxEntry.message_id)
        .where(MailboxEntry.mailbox_id == mailbox_id)
    ).one()
    # PostgreSQL sums BIGINT into NUMERIC: back to int for the client.
    return Status(
        messages,
        int(unseen),
        mailbox.uidnext,
        mailbox.uidvalidity,
        mailbox.highestmodseq,
        int(size),
    )


def _rename_inbox(session: Session, inbox: Mailbox, target: str, existing: list[Mailbox]) -> None:
    if any(mailbox.name == target for mailbox in existing):
        raise MailboxError("ALREADYEXISTS", f"Mailbox {target} already exists")
    _check_room(existing)
    folder = _create(session, inbox.user_id, target, None)
    uids = session.scalars(select(MailboxEntry.uid).where(MailboxEntry.mailbox_id == inbox.id))
    move_entries(session, inbox.id, list(uids), folder.id)


def _create(session: Session, user_id: int, name: str, special_use: str | None) -> Mailbox:
    try:
        return create_mailbox(session, session.get_one(User, user_id), name, special_use)
    except IntegrityError:  # created by a concurrent session since we looked
        raise MailboxError("ALREADYEXISTS", f"Mailbox {name} already exists") from None


def _check_writable(mailboxes: list[Mailbox]) -> None:
    if any(mailbox.read_only for mailbox in mailboxes):
        raise MailboxError("CANNOT", READ_ONLY_FOLDER)


def _check_room(existing: list[Mailbox]) -> None:
    if len(existing) >= MAX_FOLDERS:
        raise MailboxError("LIMIT", f"A user may have at most {MAX_FOLDERS} mailboxes")


def _all(session: Session, user_id: int) -> list[Mailbox]:
    return list(session.scalars(select(Mailbox).where(Mailbox.user_id == user_id)))


def _find(session: Session, user_id: int, name: str) -> Mailbox | None:
    try:
        stored = mailbox_name(name)
    except MailboxError:  # a name no folder may have names none
        return None
    return session.scalar(select(Mailbox).where(Mailbox.user_id == user_id, Mailbox.name == stored))


def _existing(session: Session, user_id: int, name: str) -> Mailbox:
    mailbox = _find(session, user_id, name)
    if mailbox is None:
        raise MailboxError("NONEXISTENT", f"No mailbox {name} / Không có thư mục {name}")
    return mailbox


def _children(mailboxes: list[Mailbox], name: str) -> list[Mailbox]:
    # Compared in Python: SQLite's LIKE ignores case, and names are case-sensitive.
    return [mailbox for mailbox in mailboxes if mailbox.name.startswith(name + SEPARATOR)]
