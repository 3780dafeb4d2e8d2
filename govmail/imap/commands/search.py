"""SEARCH and UID SEARCH (RFC 3501 6.4.4) with every key, ESEARCH results (RFC 4731), SAVE
(RFC 5182) and MODSEQ (RFC 7162); text keys use the store's Vietnamese-folded index, and in the
register's folders the register's index as well (each such search goes into its history)."""

from __future__ import annotations

import email.utils
from datetime import UTC, date, datetime
from typing import Any

from govmail.imap.commands.store import canonical_flags
from govmail.imap.protocol import commands as c
from govmail.imap.protocol.response import quote
from govmail.imap.protocol.types import SearchKey, SequenceSet
from govmail.imap.selected import SelectedMailbox
from govmail.imap.session import Result, Session
from govmail.register import folders as register_folders
from govmail.register.folders import Shelf
from govmail.store import entries
from govmail.store.entries import FetchRow

CHARSETS = frozenset({"UTF-8", "US-ASCII"})
ADDRESS_HEADERS = frozenset({"FROM", "TO", "CC", "BCC", "SUBJECT"})
DATE_KEYS = frozenset({"BEFORE", "ON", "SINCE", "SENTBEFORE", "SENTON", "SENTSINCE"})
SIZE_KEYS = frozenset({"LARGER", "SMALLER"})
# The keys a register folder also answers from the register's index.
REGISTER_KEYS = frozenset({"TEXT", "BODY", "SUBJECT"})


class _Evaluation:
    """One search over one view; message rows are read once, and only if a key needs them.

    In a year folder of the register (*shelf*), the text keys also find the views whose
    entries the register's own index finds: words in the document, numbers in any form."""

    def __init__(self, session: Session, view: SelectedMailbox, shelf: Shelf | None) -> None:
        self.session = session
        self.view = view
        self.shelf = shelf
        # Expunged by another session but not yet reported: still numbered, no longer found.
        self.all = set(view.uids) - view.pending_expunge
        self._rows: dict[int, FetchRow] | None = None
        self.texts: list[str] = []  # what the text keys looked for

    async def run(self, key: SearchKey) -> set[int]:
        op, args = key.op, key.args
        if op == "ALL":
            return set(self.all)
        if op == "AND":
            result = set(self.all)
            for child in args:
                result &= await self.run(child)
            return result
        if op == "OR":
            return await self.run(args[0]) | await self.run(args[1])
        if op == "NOT":
            return self.all - await self.run(args[0])
        if op in ("SEQ", "UID"):
            return set(self.view.resolve(args[0], uid=op == "UID"))
        if op in ("FLAG", "UNFLAG"):
            return self._flagged(args[0], op == "FLAG")
        if op in ("NEW", "RECENT"):
            return set()  # no message is \Recent in govmail
        if op == "OLD":
            return set(self.all)
        if op == "MODSEQ":
            return {u for u in self.all if self.view.modseqs.get(u, 0) >= args[0]}
        if op in DATE_KEYS or op in SIZE_KEYS:
            rows = await self.rows()
            return {u for u, row in rows.items() if _row_matches(op, args[0], row)}
        if op in ("HEADER", "BODY", "TEXT"):
            return await self._text(op, args)
        raise ValueError(f"unknown search key {op}")

    def _flagged(self, flag: str, present: bool) -> set[int]:
        canonical = canonical_flags((flag,))
        wanted = next(iter(canonical)) if canonical else flag
        return {u for u in self.all if (wanted in self.view.flags.get(u, frozenset())) == present}

    async def rows(self) -> dict[int, FetchRow]:
        if self._rows is None:
            view = self.view
            uids = sorted(self.all)
            found = await self.session.context.db.read(
                lambda s: entries.fetch_rows(s, view.mailbox_id, uids)
            )
            self._rows = {row.uid: row for row in found}
        return self._rows

    async def _text(self, op: str, args: tuple[Any, ...]) -> set[int]:
        if op == "HEADER":
            name, needle = args
            field = name if name in ADDRESS_HEADERS else f"HEADER:{name}"
        else:
            field, needle = op, args[0]
        view = self.view
        shelf = self.shelf if field in REGISTER_KEYS else None
        self.texts.append(needle)

        def work(s: Any) -> set[int]:
            found = entries.search_text(s, view.mailbox_id, field, needle)
            if shelf is not None:
                found |= register_folders.search(s, view.mailbox_id, shelf, needle)
            return found

        return await self.session.context.db.read(work) & self.all


def _row_matches(op: str, value: Any, row: FetchRow) -> bool:
    if op == "LARGER":
        return row.size > value
    if op == "SMALLER":
        return row.size < value
    if op.startswith("SENT"):
        day = _sent_date(row)
        if day is None:
            return False
        op = op[4:]
    else:
        when = row.internal_date
        day = (when if when.tzinfo else when.replace(tzinfo=UTC)).date()
    return _compare_date(op, day, value)


def _compare_date(op: str, day: date, value: date) -> bool:
    if op == "BEFORE":
        return day < value
    if op == "ON":
        return day == value
    return day >= value


def _sent_date(row: FetchRow) -> date | None:
    header = row.imap_envelope[0] if row.imap_envelope else None
    if not header:
        return None
    try:
        parsed: datetime = email.utils.parsedate_to_datetime(header)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return parsed.date()


def _uses_modseq(key: SearchKey) -> bool:
    if key.op == "MODSEQ":
        return True
    return any(isinstance(arg, SearchKey) and _uses_modseq(arg) for arg in key.args)


async def search(session: Session, command: c.Search) -> Result:
    view = session.require_selected()
    if command.charset is not None and command.charset.upper() not in CHARSETS:
        return Result("NO", "Unsupported charset", "BADCHARSET (UTF-8 US-ASCII)")
    uses_modseq = _uses_modseq(command.key)
    if uses_modseq:
        session.enabled.add("CONDSTORE")
    user = session.require_user()
    shelf = register_folders.shelf_of(view.name, user.address) if view.folder_read_only else None
    evaluation = _Evaluation(session, view, shelf)
    found = sorted(await evaluation.run(command.key))
    if shelf is not None and evaluation.texts:
        query = " ".join(evaluation.texts)
        await session.context.db.write(
            lambda s: register_folders.record_search(s, user.address, view.name, query, len(found))
        )
    options = command.return_options
    if options is not None and "SAVE" in options:
        view.saved = found
    numbers = found if command.uid else [view.seq_of(u) or 0 for u in found]
    highest = max((view.modseqs.get(u, 0) for u in found), default=0)
    if options is None:
        line = b"* SEARCH" + b"".join(b" %d" % n for n in numbers)
        if uses_modseq and found:
            line += b" (MODSEQ %d)" % highest
        await session.send(line + b"\r\n")
    elif options != ("SAVE",):
        await session.send(_esearch(command, numbers, options, highest if uses_modseq else None))
    return Result("OK", "SEARCH completed")


def _esearch(
    command: c.Search, numbers: list[int], options: tuple[str, ...], highest: int | None
) -> bytes:
    wanted = set(options) - {"SAVE"} or {"ALL"}
    parts = [b"* ESEARCH (TAG " + quote(command.tag) + b")"]
    if command.uid:
        parts.append(b"UID")
    if numbers and "MIN" in wanted:
        parts.append(b"MIN %d" % numbers[0])
    if numbers and "MAX" in wanted:
        parts.append(b"MAX %d" % numbers[-1])
    if "COUNT" in wanted:
        parts.append(b"COUNT %d" % len(numbers))
    if numbers and "ALL" in wanted:
        parts.append(b"ALL " + str(SequenceSet.from_values(numbers)).encode())
    if highest is not None and numbers:
        parts.append(b"MODSEQ %d" % highest)
    return b" ".join(parts) + b"\r\n"
