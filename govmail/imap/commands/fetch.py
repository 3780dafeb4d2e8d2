"""FETCH and UID FETCH (RFC 3501 6.4.5): every data item, body sections with partials, BINARY
(RFC 3516), CHANGEDSINCE and VANISHED (RFC 7162); \\Seen set by reading a body."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

from govmail.imap.bodystructure import body_structure
from govmail.imap.protocol import commands as c
from govmail.imap.protocol.response import date_time, render
from govmail.imap.protocol.types import BodySection, FetchItem, Literal, SequenceSet
from govmail.imap.sections import UnknownEncoding, apply_partial, binary_size, section_bytes
from govmail.imap.selected import SelectedMailbox, format_flags, vanished
from govmail.imap.session import Result, Session
from govmail.mime.message import ParsedMessage
from govmail.mime.part import Part
from govmail.register import folders as register_folders
from govmail.store import entries
from govmail.store.entries import FetchRow

# Rows read per database round trip: bounds memory on FETCH 1:* of a large mailbox.
CHUNK = 200
CACHED = frozenset({"UID", "FLAGS", "MODSEQ"})
WITH_BLOB = frozenset({"RFC822", "RFC822.HEADER", "RFC822.TEXT", "BODY[]", "BINARY.SIZE"})
SEEN = frozenset({"\\Seen"})
HEADERS = frozenset({"HEADER", "HEADER.FIELDS", "HEADER.FIELDS.NOT", "MIME"})
# The RFC822 forms are BODY sections under their old names.
ALIASES = {
    "RFC822": BodySection(),
    "RFC822.HEADER": BodySection(text="HEADER", peek=True),
    "RFC822.TEXT": BodySection(text="TEXT"),
}


async def fetch(session: Session, command: c.Fetch) -> Result:
    view = session.require_selected()
    if not command.uid and not view.valid_sequence(command.sequence):
        return Result("BAD", "Message sequence number out of range")
    uids = view.resolve(command.sequence, command.uid)
    items = list(command.items)
    if command.changed_since is not None or any(i.name == "MODSEQ" for i in items):
        session.enabled.add("CONDSTORE")
    if command.changed_since is not None:
        uids = [u for u in uids if view.modseqs.get(u, 0) > command.changed_since]
        if not any(i.name == "MODSEQ" for i in items):
            items.append(FetchItem("MODSEQ"))
    if command.vanished:
        if not (command.uid and session.qresync and command.changed_since is not None):
            return Result("BAD", "VANISHED needs UID FETCH, QRESYNC and CHANGEDSINCE")
        await _send_vanished(session, view, command.sequence, command.changed_since)
    if command.uid and not any(i.name == "UID" for i in items):
        items.insert(0, FetchItem("UID"))
    if view.folder_read_only and uids and _reads_content(items):
        await _record_reads(session, view, uids)
    seen_now = await _mark_seen(session, view, uids) if _sets_seen(items) else set()
    try:
        for chunk in _chunks(uids):
            await _fetch_chunk(session, view, chunk, items, seen_now)
    except UnknownEncoding as exc:
        return Result("NO", f"Cannot decode content transfer encoding {exc}", "UNKNOWN-CTE")
    return Result("OK", "FETCH completed")


def _chunks(uids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(uids), CHUNK):
        yield uids[start : start + CHUNK]


def _sets_seen(items: list[FetchItem]) -> bool:
    sections = (_section(item) for item in items)
    return any(section is not None and not section.peek for section in sections)


def _reads_content(items: list[FetchItem]) -> bool:
    """Whether the items read more than the headers a message list shows."""
    sections = (_section(item) for item in items)
    return any(section is not None and section.text not in HEADERS for section in sections)


async def _record_reads(session: Session, view: SelectedMailbox, uids: list[int]) -> None:
    """The register's history gets the read before the client gets the document."""
    actor = session.require_user().address
    await session.context.db.write(
        lambda s: register_folders.record_reads(s, view.mailbox_id, uids, actor, view.name)
    )


def _section(item: FetchItem) -> BodySection | None:
    """The body section an item reads (BINARY.SIZE reads none: it does not set \\Seen)."""
    if item.name in ALIASES:
        return ALIASES[item.name]
    return item.section if item.name == "BODY[]" else None


async def _mark_seen(session: Session, view: SelectedMailbox, uids: list[int]) -> set[int]:
    """Set \\Seen on the messages about to be read; returns those that did not have it."""
    unseen = [u for u in uids if "\\Seen" not in view.flags.get(u, frozenset({"\\Seen"}))]
    if not unseen or view.readonly:
        return set()
    changed, _ = await session.context.db.write(
        lambda s: entries.store_flags(s, view.mailbox_id, unseen, "+", SEEN, None)
    )
    session.context.notifier.publish([view.mailbox_id])
    for entry in changed:
        view.keep(entry.uid, entry.flags, entry.modseq)
    return {entry.uid for entry in changed}


async def _fetch_chunk(
    session: Session,
    view: SelectedMailbox,
    uids: list[int],
    items: list[FetchItem],
    seen_now: set[int],
) -> None:
    rows: dict[int, FetchRow] = {}
    needs_rows = any(item.name not in CACHED for item in items)
    if needs_rows:
        found = await session.context.db.read(
            lambda s: entries.fetch_rows(s, view.mailbox_id, uids)
        )
        rows = {row.uid: row for row in found}
    needs_blob = any(item.name in WITH_BLOB for item in items)
    blobs = await asyncio.to_thread(_read_blobs, session, rows) if needs_blob else {}
    out = []
    for uid in uids:
        seq = view.seq_of(uid)
        row = rows.get(uid)
        if seq is None or (needs_rows and row is None):
            continue  # expunged by another session; its EXPUNGE comes later
        raw = blobs.get(uid, b"")
        parts = [_item(session, view, uid, row, raw, item) for item in items]
        if uid in seen_now and not any(item.name == "FLAGS" for item in items):
            # The new \\Seen travels in the same response, as RFC 3501 6.4.5 suggests.
            parts.append(_item(session, view, uid, row, raw, FetchItem("FLAGS")))
        out.append(b"* %d FETCH (%s)\r\n" % (seq, b" ".join(parts)))
    if out:
        await session.send(b"".join(out))


def _read_blobs(session: Session, rows: dict[int, FetchRow]) -> dict[int, bytes]:
    """The raw messages of a chunk, read in one worker-thread hop."""
    return {uid: session.context.blobs.get(row.blob_hash) for uid, row in rows.items()}


def _item(
    session: Session,
    view: SelectedMailbox,
    uid: int,
    row: FetchRow | None,
    raw: bytes,
    item: FetchItem,
) -> bytes:
    name = item.name
    if name == "UID":
        return b"UID %d" % uid
    if name == "FLAGS":
        return b"FLAGS " + format_flags(view.flags.get(uid, frozenset()))
    if name == "MODSEQ":
        return b"MODSEQ (%d)" % view.modseqs.get(uid, 0)
    assert row is not None, "rows are read for every item but UID, FLAGS and MODSEQ"
    if name == "INTERNALDATE":
        return b'INTERNALDATE "' + date_time(row.internal_date).encode() + b'"'
    if name == "RFC822.SIZE":
        return b"RFC822.SIZE %d" % row.size
    if name == "ENVELOPE":
        return b"ENVELOPE " + render(row.imap_envelope, session.utf8)
    if name in ("BODY", "BODYSTRUCTURE"):
        part = Part.from_json(row.body_structure)
        return name.encode() + b" " + body_structure(part, name == "BODYSTRUCTURE", session.utf8)
    root = _root(row)
    if name == "BINARY.SIZE":
        assert item.section is not None
        size = binary_size(raw, root, item.section)
        return b"BINARY.SIZE[%s] %d" % (_part_label(item.section), size)
    section = _section(item)
    assert section is not None, f"the parser gives no other item: {name}"
    data = apply_partial(section_bytes(raw, root, section), section)
    label = name.encode() if name in ALIASES else section.label().encode()
    # An empty or missing section reads as "", never as a zero-length literal.
    value = Literal(data, binary=section.binary and b"\0" in data) if data else ""
    return label + b" " + render(value, session.utf8)


def _root(row: FetchRow) -> ParsedMessage:
    body = Part.from_json(row.body_structure)
    return ParsedMessage(headers=[], header_end=body.header_end, body=body)


def _part_label(section: BodySection) -> bytes:
    return ".".join(str(n) for n in section.part).encode()


async def _send_vanished(
    session: Session, view: SelectedMailbox, sequence: SequenceSet, since: int
) -> None:
    changes = await session.context.db.read(
        lambda s: entries.changes_since(s, view.mailbox_id, since)
    )
    largest = max(view.uidnext - 1, 1)
    gone = [u for u in changes.expunged if sequence.contains(u, largest)]
    if gone:
        await session.send(vanished(gone, earlier=True))
