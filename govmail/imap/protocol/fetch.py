"""FETCH attributes: RFC 3501 fetch-att with sections and partials, BINARY (RFC 3516), MODSEQ."""

from __future__ import annotations

import re
from dataclasses import replace

from govmail.imap.protocol import grammar
from govmail.imap.protocol.cursor import Cursor, ParseError, Steps
from govmail.imap.protocol.types import BodySection, FetchItem

_FAST = (FetchItem("FLAGS"), FetchItem("INTERNALDATE"), FetchItem("RFC822.SIZE"))
MACROS = {
    "FAST": _FAST,
    "ALL": (*_FAST, FetchItem("ENVELOPE")),
    "FULL": (*_FAST, FetchItem("ENVELOPE"), FetchItem("BODY")),
}
PLAIN = frozenset(
    {
        "ENVELOPE",
        "FLAGS",
        "INTERNALDATE",
        "RFC822",
        "RFC822.HEADER",
        "RFC822.SIZE",
        "RFC822.TEXT",
        "BODY",
        "BODYSTRUCTURE",
        "UID",
        "MODSEQ",
    }
)
# Names that take a section, with what they imply: (peek, binary).
_SECTIONED = {
    "BODY": (False, False),
    "BODY.PEEK": (True, False),
    "BINARY": (False, True),
    "BINARY.PEEK": (True, True),
    "BINARY.SIZE": (False, True),
}
_ATT_NAME = re.compile(rb"[A-Za-z0-9.-]+")
_SECTION_TEXT = re.compile(rb"[A-Za-z.]+")
_MSGTEXT = ("HEADER", "TEXT", "HEADER.FIELDS", "HEADER.FIELDS.NOT")


def fetch_items(cur: Cursor) -> Steps[tuple[FetchItem, ...]]:
    """ "ALL" / "FULL" / "FAST" / fetch-att / "(" fetch-att *(SP fetch-att) ")"."""
    if cur.skip(b"("):
        items = [(yield from fetch_att(cur))]
        while cur.skip(b" "):
            items.append((yield from fetch_att(cur)))
        cur.expect(b")", "')' closing the fetch attributes")
        return tuple(items)
    start = cur.pos
    name = cur.match(_ATT_NAME, "fetch attributes").decode("ascii").upper()
    if name in MACROS and cur.peek() != ord("["):
        return MACROS[name]
    cur.pos = start
    return ((yield from fetch_att(cur)),)


def fetch_att(cur: Cursor) -> Steps[FetchItem]:
    name = cur.match(_ATT_NAME, "a fetch attribute").decode("ascii").upper()
    if name in _SECTIONED and cur.peek() == ord("["):
        peek, binary = _SECTIONED[name]
        section = yield from _section(cur, binary)
        if name != "BINARY.SIZE" and cur.peek() == ord("<"):
            section = _with_partial(cur, section)
        section = replace(section, peek=peek, binary=binary)
        return FetchItem("BINARY.SIZE" if name == "BINARY.SIZE" else "BODY[]", section)
    if name in PLAIN:
        return FetchItem(name)
    if name in _SECTIONED:
        raise ParseError(f"{name} needs a section in brackets, like {name}[]")
    if name in MACROS:
        raise ParseError(f"{name} is a macro and must stand alone, not in a list")
    raise ParseError(f"unknown fetch attribute {name}")


def _section(cur: Cursor, binary: bool) -> Steps[BodySection]:
    """section = "[" [section-spec] "]"; section-binary = "[" [section-part] "]"."""
    cur.expect(b"[", "'['")
    part: list[int] = []
    section_text: str | None = None
    if cur.peek() in grammar.DIGIT:
        part.append(cur.nz_number("a part number"))
        while cur.skip(b"."):
            if cur.peek() in grammar.DIGIT:
                part.append(cur.nz_number("a part number"))
            else:
                section_text = _section_text(cur, allowed=(*_MSGTEXT, "MIME"))
                break
    elif cur.peek() != ord("]"):
        section_text = _section_text(cur, allowed=_MSGTEXT)
    if binary and section_text is not None:
        raise ParseError("a BINARY section takes part numbers only")
    fields: tuple[str, ...] = ()
    if section_text in ("HEADER.FIELDS", "HEADER.FIELDS.NOT"):
        cur.sp()
        fields = yield from _header_list(cur)
    cur.expect(b"]", "']' closing the section")
    return BodySection(tuple(part), section_text, fields)


def _section_text(cur: Cursor, allowed: tuple[str, ...]) -> str:
    start = cur.pos
    word = cur.match(_SECTION_TEXT, "a section (HEADER, TEXT, MIME...)").decode().upper()
    if word not in allowed:
        cur.pos = start
        raise cur.fail(" or ".join(allowed) + " in the section")
    return word


def _header_list(cur: Cursor) -> Steps[tuple[str, ...]]:
    """header-list = "(" header-fld-name *(SP header-fld-name) ")", names upper-cased."""
    cur.expect(b"(", "'(' opening the header field names")
    names = [(yield from cur.header_field_name())]
    while cur.skip(b" "):
        names.append((yield from cur.header_field_name()))
    cur.expect(b")", "')' closing the header field names")
    return tuple(names)


def _with_partial(cur: Cursor, section: BodySection) -> BodySection:
    """partial = "<" number "." nz-number ">"."""
    cur.expect(b"<", "'<'")
    origin = cur.number("the partial's origin")
    cur.expect(b".", "'.' in the partial <origin.count>")
    count = cur.nz_number("the partial's octet count")
    cur.expect(b">", "'>' closing the partial")
    return replace(section, partial=(origin, count))
