"""A mailbox's messages for IMAP: snapshots and changes since a MODSEQ, FETCH rows, flag
changes, expunge with tombstones, copy and move, text search."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from sqlalchemy import ColumnElement, Select, bindparam, delete, insert, or_, select, update
from sqlalchemy.orm import Session

from govmail.store import flags as stored_flags
from govmail.store.fold import fold
from govmail.store.mailboxes import existing_mailbox, lock_mailboxes, reserve
from govmail.store.models import (
    MailboxEntry,
    Message,
    MessageText,
    Tombstone,
    as_utc,
)
from govmail.store.textindex import contains, header_contains, header_marker
from govmail.store.views import Changes, EntryState, FetchRow, MailboxInfo

# Search fields that have a column of their own; TEXT is the whole message (RFC 3501 6.4.4).
_HEADER_COLUMNS = {
    "SUBJECT": "subject",
    "FROM": "from_addrs",
    "TO": "to_addrs",
    "CC": "cc_addrs",
    "BCC": "bcc_addrs",
}
_FIELD_COLUMNS = {name: (column,) for name, column in _HEADER_COLUMNS.items()} | {
    "BODY": ("body",),
    "TEXT": ("headers", "body"),
}
# Beyond this many UID ranges a condition costs more to build than reading the span does.
_RUNS_PER_QUERY = 50

_E = MailboxEntry
_UPDATE_FLAGS = (
    update(MailboxEntry.__table__)
    .where(_E.__table__.c.mailbox_id == bindparam("box"), _E.__table__.c.uid == bindparam("u"))
    .values(flags=bindparam("new_flags"), modseq=bindparam("new_modseq"))
)
_DELETE_ENTRY = delete(MailboxEntry.__table__).where(
    _E.__table__.c.mailbox_id == bindparam("box"), _E.__table__.c.uid == bindparam("u")
)


def snapshot(session: Session, mailbox_id: int) -> tuple[MailboxInfo, list[EntryState]]:
    """The mailbox and its entries, ordered by UID, as of one moment."""
    mailbox = existing_mailbox(session, mailbox_id)
    rows = session.execute(
        select(_E.uid, _E.modseq, _E.flags).where(_E.mailbox_id == mailbox_id).order_by(_E.uid)
    )
    return MailboxInfo.of(mailbox), [_state(*row) for row in rows]


def changes_since(session: Session, mailbox_id: int, modseq: int) -> Changes:
    """Entries changed or added, and UIDs expunged, after *modseq* (RFC 7162)."""
    mailbox = existing_mailbox(session, mailbox_id)
    changed = session.execute(
        select(_E.uid, _E.modseq, _E.flags)
        .where(_E.mailbox_id == mailbox_id, _E.modseq > modseq)
        .order_by(_E.uid)
    )
    expunged = session.scalars(
        select(Tombstone.uid)
        .where(Tombstone.mailbox_id == mailbox_id, Tombstone.modseq > modseq)
        .order_by(Tombstone.uid)
    )
    return Changes(mailbox.highestmodseq, [_state(*row) for row in changed], list(expunged))


def fetch_rows(session: Session, mailbox_id: int, uids: list[int]) -> list[FetchRow]:
    """What FETCH needs of each existing entry among *uids*, ordered by UID."""
    query = (
        select(
            _E.uid,
            _E.modseq,
            _E.flags,
            Message.internal_date,
            Message.size,
            Message.blob_hash,
            Message.imap_envelope,
            Message.body_structure,
        )
        .join(Message, Message.id == _E.message_id)
        .where(_E.mailbox_id == mailbox_id)
    )
    return [
        FetchRow(uid, modseq, stored_flags.parse(text), as_utc(internal_date), *rest)
        for uid, modseq, text, internal_date, *rest in _by_uids(session, query, uids)
    ]


def store_flags(
    session: Session,
    mailbox_id: int,
    uids: list[int],
    mode: str,
    flags: frozenset[str],
    unchanged_since: int | None,
) -> tuple[list[EntryState], list[int]]:
    """Add ("+"), remove ("-") or replace ("") flags. Returns the entries whose flags changed,
    each with a new MODSEQ, and the UIDs refused because they changed after *unchanged_since*."""
    if mode not in ("+", "-", ""):
        raise ValueError(f"flag mode must be '+', '-' or '', not {mode!r}")
    lock_mailboxes(session, [mailbox_id])
    wanted = stored_flags.canonical(flags)
    updates: list[tuple[int, frozenset[str]]] = []
    refused: list[int] = []
    query = select(_E.uid, _E.modseq, _E.flags).where(_E.mailbox_id == mailbox_id)
    for uid, modseq, text in _by_uids(session, query, uids):
        if unchanged_since is not None and modseq > unchanged_since:
            refused.append(uid)
            continue
        old = stored_flags.parse(text)
        new = old | wanted if mode == "+" else old - wanted if mode == "-" else wanted
        if new != old:
            updates.append((uid, new))
    if not updates:
        return [], refused
    first = reserve(session, mailbox_id, 0, len(updates)).modseq
    changed = [EntryState(uid, first + i, new) for i, (uid, new) in enumerate(updates)]
    session.connection().execute(
        _UPDATE_FLAGS,
        [
            {
                "box": mailbox_id,
                "u": state.uid,
                "new_flags": stored_flags.render(state.flags),
                "new_modseq": state.modseq,
            }
            for state in changed
        ],
    )
    return changed, refused


def expunge(session: Session, mailbox_id: int, uids: list[int] | None = None) -> list[int]:
    """Remove the entries flagged \\Deleted (only among *uids* when given), leaving tombstones.
    Returns the expunged UIDs, ascending."""
    lock_mailboxes(session, [mailbox_id])
    query = select(_E.uid).where(_E.mailbox_id == mailbox_id, stored_flags.has_flag("\\Deleted"))
    if uids is None:
        gone = list(session.scalars(query.order_by(_E.uid)))
    else:
        gone = [uid for (uid,) in _by_uids(session, query, uids)]
    _remove(session, mailbox_id, gone)
    return gone


def copy_entries(
    session: Session, src_mailbox_id: int, uids: list[int], dst_mailbox_id: int
) -> tuple[int, list[tuple[int, int]]]:
    """Copy entries with their flags; returns (destination UIDVALIDITY, [(source, new UID)])."""
    return _transfer(session, src_mailbox_id, uids, dst_mailbox_id, move=False)


def move_entries(
    session: Session, src_mailbox_id: int, uids: list[int], dst_mailbox_id: int
) -> tuple[int, list[tuple[int, int]]]:
    """Copy entries, then expunge them from the source (RFC 6851), tombstones included."""
    return _transfer(session, src_mailbox_id, uids, dst_mailbox_id, move=True)


def search_text(session: Session, mailbox_id: int, field: str, needle: str) -> set[int]:
    """UIDs whose *field* contains *needle* after folding: SUBJECT, FROM, TO, CC, BCC, BODY,
    TEXT or HEADER:<NAME>; an empty needle matches every message (HEADER: every one that has
    the field)."""
    phrase = fold(needle)
    name = field.upper()
    header = name.removeprefix("HEADER:") if name.startswith("HEADER:") else None
    if header is not None and not (phrase and header in _HEADER_COLUMNS):
        return _search_header(session, mailbox_id, fold(header), phrase)
    columns = _FIELD_COLUMNS.get(header or name)
    if columns is None:
        raise ValueError(f"unknown search field {field!r}")
    query = select(_E.uid).where(_E.mailbox_id == mailbox_id)
    if phrase:
        query = query.join(MessageText, MessageText.message_id == _E.message_id).where(
            contains(session, [(columns, phrase)])
        )
    return set(session.scalars(query))


def _search_header(session: Session, mailbox_id: int, name: str, phrase: str) -> set[int]:
    # The index narrows to messages holding both the field's name and the phrase somewhere in
    # their headers; whether the phrase is in that very field is checked here.
    terms = [(("headers",), header_marker(name))] + ([(("headers",), phrase)] if phrase else [])
    rows = session.execute(
        select(_E.uid, MessageText.headers)
        .join(MessageText, MessageText.message_id == _E.message_id)
        .where(_E.mailbox_id == mailbox_id, contains(session, terms))
    )
    return {uid for uid, text in rows if header_contains(text, name, phrase)}


def _transfer(
    session: Session, src: int, uids: list[int], dst: int, move: bool
) -> tuple[int, list[tuple[int, int]]]:
    mailboxes = lock_mailboxes(session, [src, dst])
    query = select(_E.uid, _E.message_id, _E.flags).where(_E.mailbox_id == src)
    rows = list(_by_uids(session, query, uids))
    if not rows:
        return mailboxes[dst].uidvalidity, []
    taken = reserve(session, dst, len(rows), len(rows))
    session.connection().execute(
        insert(MailboxEntry.__table__),
        [
            {
                "mailbox_id": dst,
                "message_id": message_id,
                "uid": taken.uid + i,
                "modseq": taken.modseq + i,
                "flags": text,
            }
            for i, (_, message_id, text) in enumerate(rows)
        ],
    )
    if move:
        _remove(session, src, [uid for uid, _, _ in rows])
    return taken.uidvalidity, [(uid, taken.uid + i) for i, (uid, _, _) in enumerate(rows)]


def _remove(session: Session, mailbox_id: int, uids: list[int]) -> None:
    """Delete entries and record their tombstones, one new MODSEQ each."""
    if not uids:
        return
    first = reserve(session, mailbox_id, 0, len(uids)).modseq
    conn = session.connection()
    conn.execute(_DELETE_ENTRY, [{"box": mailbox_id, "u": uid} for uid in uids])
    conn.execute(
        insert(Tombstone.__table__),
        [{"mailbox_id": mailbox_id, "uid": uid, "modseq": first + i} for i, uid in enumerate(uids)],
    )


def _state(uid: int, modseq: int, text: str) -> EntryState:
    return EntryState(uid, modseq, stored_flags.parse(text))


def _by_uids(session: Session, query: Select[tuple], uids: Iterable[int]) -> Iterator[tuple]:
    """Run *query* for the entries among *uids* (the first column), in ascending UID order."""
    wanted = set(uids)
    runs = _runs(wanted)
    if not runs:
        return
    if len(runs) <= _RUNS_PER_QUERY:
        condition = or_(*(_run(low, high) for low, high in runs))
        yield from session.execute(query.where(condition).order_by(_E.uid))
        return
    # Scattered UIDs would make a statement too long to build: read the span, keep the wanted.
    span = _E.uid.between(runs[0][0], runs[-1][1])
    yield from (
        row for row in session.execute(query.where(span).order_by(_E.uid)) if row[0] in wanted
    )


def _runs(uids: set[int]) -> list[tuple[int, int]]:
    """UIDs as ascending ranges of consecutive numbers: {1, 2, 3, 7} → [(1, 3), (7, 7)]."""
    runs: list[tuple[int, int]] = []
    for uid in sorted(uids):
        if runs and runs[-1][1] == uid - 1:
            runs[-1] = (runs[-1][0], uid)
        else:
            runs.append((uid, uid))
    return runs


def _run(low: int, high: int) -> ColumnElement[bool]:
    return _E.uid == low if low == high else _E.uid.between(low, high)
