"""The search text of a parsed message: decoded subject, addresses, headers and readable body,
unfolded (the store folds it when it indexes it)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

from govmail.mime import Address, ParsedMessage, Part
from govmail.mime.decode import decode_text
from govmail.store.textindex import header_text

MAX_BODY_TEXT = 1 << 20  # characters: beyond this a body is too large to be worth indexing
MAX_HEADER_TEXT = 256 << 10
# A script or style block runs to its end tag, or to the end of an unterminated document;
# matching to the end consumes it, so a thousand unclosed <script> cost one scan, not many.
_INVISIBLE = re.compile(r"<(script|style)\b.*?(?:</\1\s*>|\Z)", re.IGNORECASE | re.DOTALL)
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_TAG = re.compile(r"<[^>]*>?")


def search_text(parsed: ParsedMessage, raw: bytes) -> dict[str, str]:
    """Field → text, the fields the store indexes (see store/textindex.py COLUMNS)."""
    headers = header_text((header.name, header.value) for header in parsed.headers)
    return {
        "subject": parsed.subject or "",
        "from": _addresses(parsed.from_),
        "to": _addresses(parsed.to),
        "cc": _addresses(parsed.cc),
        "bcc": _addresses(parsed.bcc),
        "body": body_text(parsed, raw),
        "headers": headers[:MAX_HEADER_TEXT],
    }


def body_text(parsed: ParsedMessage, raw: bytes) -> str:
    """The readable text of a message and the messages it encloses, up to MAX_BODY_TEXT."""
    pieces: list[str] = []
    room = MAX_BODY_TEXT
    for part in _readable_parts(parsed.body):
        if room <= 0:
            break
        pieces.append(_part_text(part, raw, room))
        room -= len(pieces[-1])
    return "\n".join(pieces)


def strip_html(markup: str) -> str:
    """Visible text of HTML, roughly: what a search for words on the screen should find."""
    text = _TAG.sub(" ", _COMMENT.sub(" ", _INVISIBLE.sub(" ", markup)))
    return html.unescape(text)


def _readable_parts(part: Part) -> Iterator[Part]:
    """text/plain and text/html leaves, depth first, entering enclosed messages; of the
    alternatives of multipart/alternative only the plain text when there is one."""
    if part.message is not None:
        yield from _readable_parts(part.message.body)
    elif part.type == "multipart":
        children = part.children
        if part.subtype == "alternative":
            plain = [child for child in children if child.content_type == "text/plain"]
            children = plain[:1] or children
        for child in children:
            yield from _readable_parts(child)
    elif part.type == "text" and part.subtype in ("plain", "html"):
        yield part


def _part_text(part: Part, raw: bytes, room: int) -> str:
    # A character takes at most four bytes: decoding a charset beyond that is wasted work.
    text = decode_text(part.decoded(raw)[: room * 4], part.charset)
    return (strip_html(text) if part.subtype == "html" else text)[:room]


def _addresses(addresses: list[Address]) -> str:
    return ", ".join(_address(address) for address in addresses)


def _address(address: Address) -> str:
    email = address.addr or address.mailbox or ""
    return f"{address.name} <{email}>" if address.name else email
