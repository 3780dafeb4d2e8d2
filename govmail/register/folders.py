"""The register's read-only IMAP folders (Sổ văn bản/Đến/2026 …): their names, the messages that
show its entries there, kept in step with the register for every user with the register right,
and the reads and searches of them written to the register's history."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, replace

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from govmail.mime import parse_message
from govmail.pipeline.searchtext import search_text
from govmail.register import imapview, records
from govmail.register.filing import agency_of
from govmail.register.search import Query, matching_ids
from govmail.store import flags as stored_flags
from govmail.store.blobs import BlobStore
from govmail.store.commit import NewMessage, Ready, insert_messages, parsed_fields, prepare
from govmail.store.db import Database
from govmail.store.entries import expunge, store_flags
from govmail.store.folders import SEPARATOR, drop_mailbox
from govmail.store.mailboxes import create_mailbox, lock_mailboxes
from govmail.store.models import (
    Document,
    Domain,
    Mailbox,
    MailboxEntry,
    Message,
    RegisterEntry,
    RegisterView,
    User,
)

ROOT = "Sổ văn bản"
BOOK_FOLDERS = {
    "incoming": f"{ROOT}/Đến",
    "outgoing": f"{ROOT}/Đi",
    "internal": f"{ROOT}/Nội bộ",
    "archive": f"{ROOT}/Lưu trữ",
}
_BOOKS_BY_FOLDER = {folder: book for book, folder in BOOK_FOLDERS.items()}
# A read-only folder cannot keep track of reading: an unread count would never go down.
VIEW_FLAGS = frozenset({"\\Seen"})
# Entries published per transaction: their documents are in memory together.
BATCH = 50


@dataclass(frozen=True)
class Shelf:
    """What one year folder shows: one book of one agency for one year."""

    agency: str
    book: str
    year: int


def folder_name(book: str, year: int) -> str:
    return f"{BOOK_FOLDERS[book]}{SEPARATOR}{year}"


def is_register_name(name: str) -> bool:
    """The name of a register folder, or one under it: the server's, never a user's."""
    return name == ROOT or name.startswith(ROOT + SEPARATOR)


def shelf_of(name: str, address: str) -> Shelf | None:
    """The book a folder of *address*'s shows, if it is a year folder of the register."""
    folder, _, year = name.rpartition(SEPARATOR)
    book = _BOOKS_BY_FOLDER.get(folder)
    if book is None or not year.isdigit():
        return None
    return Shelf(agency_of(address), book, int(year))


@dataclass(frozen=True)
class _Due:
    """An entry to show, and the users who may see it."""

    facts: imapview.EntryFacts
    sha256: str
    readers: list[int]
    flags: frozenset[str]


@dataclass(frozen=True)
class _View:
    """An entry's view message, on disk and ready to insert for each reader."""

    entry_id: int
    folder: str
    readers: list[int]
    ready: Ready


async def publish(
    db: Database, blobs: BlobStore, entry_ids: Iterable[int], reader_id: int | None = None
) -> set[int]:
    """Show each recognised entry among *entry_ids* in its year folder of every user with the
    register right of its agency (of *reader_id* only, when given), replacing the entry's
    previous view there. Returns the ids of the mailboxes that changed."""
    wanted = sorted(set(entry_ids))
    changed: set[int] = set()
    for start in range(0, len(wanted), BATCH):
        changed |= await _publish_batch(db, blobs, wanted[start : start + BATCH], reader_id)
    return changed


async def backfill(db: Database, blobs: BlobStore, address: str) -> set[int]:
    """Fill a user's register folders with every recognised entry of their agency."""
    found = await db.read(lambda session: _reader_entries(session, address))
    if found is None:
        return set()
    user_id, entry_ids = found
    return await publish(db, blobs, entry_ids, reader_id=user_id)


def remove(session: Session, address: str) -> int:
    """Delete a user's register folders and the views in them; returns how many folders."""
    folders = [
        mailbox
        for mailbox in session.scalars(
            select(Mailbox)
            .join(User, User.id == Mailbox.user_id)
            .where(User.address == address.lower(), Mailbox.read_only)
        )
        if is_register_name(mailbox.name)
    ]
    shown = select(MailboxEntry.message_id).where(
        MailboxEntry.mailbox_id.in_([mailbox.id for mailbox in folders])
    )
    session.execute(delete(RegisterView).where(RegisterView.message_id.in_(shown)))
    for mailbox in folders:
        drop_mailbox(session, mailbox)
    return len(folders)


async def _publish_batch(
    db: Database, blobs: BlobStore, entry_ids: list[int], reader_id: int | None
) -> set[int]:
    due = await db.read(lambda session: _due(session, entry_ids, reader_id))
    if not due:
        return set()
    views = await asyncio.to_thread(_prepare_views, blobs, due)
    return await db.write(lambda session: _place(session, views))


def search(session: Session, mailbox_id: int, shelf: Shelf, text: str) -> set[int]:
    """UIDs of the folder's views whose entries have all of *text*'s words (in metadata or
    document) or its number, as the register's search finds them."""
    query = Query(text=text, agency=shelf.agency, book=shelf.book, year=shelf.year)
    found = matching_ids(session, query)
    return {uid for uid, entry_id in _shown(session, mailbox_id, None) if entry_id in found}


def record_reads(
    session: Session, mailbox_id: int, uids: list[int], actor: str, folder: str
) -> None:
    """One "fetched" line of history per entry whose view among *uids* is read."""
    for entry_id in sorted({entry_id for _, entry_id in _shown(session, mailbox_id, uids)}):
        records.record(session, entry_id, actor, "fetched", {"via": "imap", "folder": folder})


def record_search(session: Session, actor: str, folder: str, query: str, found: int) -> None:
    """One "searched" line of history for a SEARCH with text keys in a register folder."""
    detail = {"via": "imap", "folder": folder, "query": query, "results": found}
    records.record(session, None, actor, "searched", detail)


def _shown(session: Session, mailbox_id: int, uids: list[int] | None) -> list[tuple[int, int]]:
    """(UID, entry id) of the views in a folder, of those among *uids* when given."""
    query = (
        select(MailboxEntry.uid, RegisterView.entry_id)
        .join(RegisterView, RegisterView.message_id == MailboxEntry.message_id)
        .where(MailboxEntry.mailbox_id == mailbox_id)
    )
    rows = session.execute(query)
    wanted = None if uids is None else set(uids)
    return [(uid, entry_id) for uid, entry_id in rows if wanted is None or uid in wanted]


def _reader_entries(session: Session, address: str) -> tuple[int, list[int]] | None:
    user = session.scalar(select(User).where(User.address == address.lower()))
    if user is None:
        return None
    entry_ids = session.scalars(
        select(RegisterEntry.id)
        .where(
            RegisterEntry.agency == agency_of(user.address),
            RegisterEntry.recognised_at.is_not(None),
        )
        .order_by(RegisterEntry.id)
    )
    return user.id, list(entry_ids)


def _due(session: Session, entry_ids: list[int], reader_id: int | None) -> list[_Due]:
    rows = session.execute(
        select(RegisterEntry, Document.sha256, Document.kind, Domain.agency_name)
        .join(Document, Document.id == RegisterEntry.document_id)
        .outerjoin(Domain, Domain.name == RegisterEntry.agency)
        .where(RegisterEntry.id.in_(entry_ids), RegisterEntry.recognised_at.is_not(None))
        .order_by(RegisterEntry.id)
    ).all()
    due = []
    readers = _readers(session, {row[0].agency for row in rows}, reader_id)
    for entry, sha256, kind, agency_name in rows:
        if readers.get(entry.agency):
            flags = VIEW_FLAGS | (records.CONFIDENTIAL_FLAGS if entry.confidentiality else set())
            facts = _facts(entry, kind, agency_name or entry.agency)
            due.append(_Due(facts, sha256, readers[entry.agency], flags))
    return due


def _readers(session: Session, agencies: set[str], reader_id: int | None) -> dict[str, list[int]]:
    """agency → the ids of the users with the register right there."""
    query = (
        select(Domain.name, User.id)
        .join(Domain, Domain.id == User.domain_id)
        .where(User.register_right, Domain.name.in_(agencies))
        .order_by(User.id)
    )
    if reader_id is not None:
        query = query.where(User.id == reader_id)
    readers: dict[str, list[int]] = {}
    for agency, user_id in session.execute(query):
        readers.setdefault(agency, []).append(user_id)
    return readers


def _facts(entry: RegisterEntry, kind: str, agency_name: str) -> imapview.EntryFacts:
    return imapview.EntryFacts(
        id=entry.id,
        book=entry.book,
        agency=entry.agency,
        agency_name=agency_name,
        year=entry.year,
        serial=entry.serial,
        filed_at=entry.filed_at,
        mail_from=entry.mail_from,
        subject=entry.subject,
        filename=entry.filename,
        kind=kind,
        number=entry.number,
        doc_type=entry.doc_type,
        doc_date=entry.doc_date,
        issuer=entry.issuer,
        summary=entry.summary,
        signer=entry.signer,
        urgency=entry.urgency,
        confidentiality=entry.confidentiality,
        warnings=tuple(f"{warning['code']}: {warning['text']}" for warning in entry.warnings),
    )


def _prepare_views(blobs: BlobStore, due: list[_Due]) -> list[_View]:
    """Render, parse and store each view message (blob and folded text), as commit would."""
    views = []
    for item in due:
        raw = imapview.render(item.facts, blobs.get(item.sha256))
        parsed = parse_message(raw)
        message = NewMessage(
            raw=raw,
            mail_from="",
            recipients=[],
            local_user_ids=[],
            remote_recipients=[],
            client={"door": "register", "entry": item.facts.id},
            internal_date=item.facts.filed_at,
            search_text=search_text(parsed, raw),
            flags=stored_flags.render(item.flags),
            **parsed_fields(parsed),
        )
        folder = folder_name(item.facts.book, item.facts.year)
        views.append(_View(item.facts.id, folder, item.readers, prepare(blobs, message)))
    return views


def _place(session: Session, views: list[_View]) -> set[int]:
    """Put each view into its readers' folders in place of the entry's previous view, unless
    that one has the same bytes already."""
    # Locked (PostgreSQL) so two publishers never create one folder twice, and read again so a
    # right revoked since the views were prepared is not given folders back.
    allowed = set(
        session.scalars(
            select(User.id)
            .where(User.id.in_({u for view in views for u in view.readers}), User.register_right)
            .order_by(User.id)
            .with_for_update()
        )
    )
    views = [replace(view, readers=[u for u in view.readers if u in allowed]) for view in views]
    boxes = _ensure_folders(session, {(u, view.folder) for view in views for u in view.readers})
    if not boxes:
        return set()
    lock_mailboxes(session, boxes.values())
    current = _current(session, list(boxes.values()), [view.entry_id for view in views])
    items: list[Ready] = []
    shown: list[int] = []
    stale: dict[int, list[tuple[int, int]]] = {}
    for view in views:
        for user_id in view.readers:
            box = boxes[user_id, view.folder]
            old = current.get((box, view.entry_id), [])
            if [digest for _, _, digest in old] == [view.ready.digest]:
                continue
            message = replace(view.ready.message, local_user_ids=[user_id], target_mailbox_id=box)
            items.append(replace(view.ready, message=message))
            shown.append(view.entry_id)
            stale.setdefault(box, []).extend((uid, message_id) for uid, message_id, _ in old)
    committed = insert_messages(session, items) if items else []
    if committed:
        session.execute(
            insert(RegisterView),
            [
                {"message_id": done.message_id, "entry_id": entry_id}
                for done, entry_id in zip(committed, shown, strict=True)
            ],
        )
    for box, old in stale.items():
        _retire(session, box, old)
    return {box for done in committed for box in done.placed}


def _ensure_folders(session: Session, wanted: set[tuple[int, str]]) -> dict[tuple[int, str], int]:
    """(user id, folder) → mailbox id, creating the folders and their parents read-only."""
    names = {(user_id, name) for user_id, folder in wanted for name in _lineage(folder)}
    found: dict[tuple[int, str], Mailbox] = {
        (mailbox.user_id, mailbox.name): mailbox
        for mailbox in session.scalars(
            select(Mailbox).where(
                Mailbox.user_id.in_({user_id for user_id, _ in names}),
                Mailbox.name.in_({name for _, name in names}),
            )
        )
    }
    for user_id, name in sorted(names, key=lambda pair: (pair[0], len(pair[1]))):
        mailbox = found.get((user_id, name))
        if mailbox is None:
            mailbox = create_mailbox(session, session.get_one(User, user_id), name)
            found[user_id, name] = mailbox
        # A folder a user made under this name before the register had folders becomes the
        # register's: left writable, it would let them delete what it shows.
        mailbox.read_only = True
    session.flush()
    return {key: found[key].id for key in wanted}


def _lineage(folder: str) -> list[str]:
    """'A/B/C' → ['A', 'A/B', 'A/B/C']."""
    pieces = folder.split(SEPARATOR)
    return [SEPARATOR.join(pieces[:i]) for i in range(1, len(pieces) + 1)]


def _current(
    session: Session, mailbox_ids: list[int], entry_ids: list[int]
) -> dict[tuple[int, int], list[tuple[int, int, str]]]:
    """(mailbox, entry) → [(UID, message id, blob digest)] of the views shown there now."""
    rows = session.execute(
        select(
            MailboxEntry.mailbox_id,
            RegisterView.entry_id,
            MailboxEntry.uid,
            MailboxEntry.message_id,
            Message.blob_hash,
        )
        .join(RegisterView, RegisterView.message_id == MailboxEntry.message_id)
        .join(Message, Message.id == MailboxEntry.message_id)
        .where(MailboxEntry.mailbox_id.in_(mailbox_ids), RegisterView.entry_id.in_(entry_ids))
        .order_by(MailboxEntry.uid)
    )
    current: dict[tuple[int, int], list[tuple[int, int, str]]] = {}
    for mailbox_id, entry_id, uid, message_id, digest in rows:
        current.setdefault((mailbox_id, entry_id), []).append((uid, message_id, digest))
    return current


def _retire(session: Session, mailbox_id: int, old: list[tuple[int, int]]) -> None:
    """Expunge replaced views the way a client's EXPUNGE would (tombstones, MODSEQ), so
    sessions report EXPUNGE or VANISHED; the views no longer show their entries."""
    uids = [uid for uid, _ in old]
    store_flags(session, mailbox_id, uids, "+", frozenset({"\\Deleted"}), None)
    expunge(session, mailbox_id, uids)
    session.execute(delete(RegisterView).where(RegisterView.message_id.in_([m for _, m in old])))
