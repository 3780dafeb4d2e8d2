"""The response writer: Python values to IMAP syntax that any client parses back."""

from __future__ import annotations

from datetime import datetime

from govmail.imap.protocol.types import Atom, Literal, Raw

# Longer strings go as literals: some clients cap the length of a quoted string.
MAX_QUOTED = 1000
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_NEVER_QUOTED = (b"\r", b"\n", b"\x00")


def render(value: object, utf8: bool = False) -> bytes:
    """One value in IMAP syntax; utf8=True (after ENABLE UTF8=ACCEPT) lets UTF-8 be quoted.

    None → NIL; int → decimal; Atom → bare; Raw → verbatim; Literal → {n} (~{n} if binary);
    str → quoted when short and safe, else a literal of its UTF-8; bytes → literal;
    list/tuple → parenthesized list.
    """
    match value:
        case None:
            return b"NIL"
        case Atom():
            return _atom(value)
        case str():
            return _string(value, utf8)
        case bool():
            raise TypeError("a bool has no IMAP form; use an int or an Atom")
        case int():
            if value < 0:
                raise ValueError(f"IMAP numbers are unsigned: {value}")
            return str(value).encode("ascii")
        case Raw(data=data):
            return data
        case Literal(data=data, binary=binary):
            return _literal(data, binary)
        case bytes() | bytearray() | memoryview():
            return _literal(bytes(value), False)
        case list() | tuple():
            return b"(" + b" ".join(render(item, utf8) for item in value) + b")"
    raise TypeError(f"cannot render {type(value).__name__} in an IMAP response")


def quote(s: str) -> bytes:
    """A quoted string, escaping '"' and '\\'; ValueError if it holds CR, LF or NUL."""
    data = _utf8(s)
    if any(bad in data for bad in _NEVER_QUOTED):
        raise ValueError("CR, LF and NUL cannot be quoted; send a literal")
    return b'"' + data.replace(b"\\", b"\\\\").replace(b'"', b'\\"') + b'"'


def tagged(tag: str, status: str, text: str, code: str | None = None) -> bytes:
    """b"A1 OK [CODE] text\\r\\n"."""
    return _status_line(tag, status, text, code)


def untagged(*parts: object, utf8: bool = False) -> bytes:
    """b"* " and the parts rendered, space-separated, then CRLF: untagged(3, Atom("EXISTS"))."""
    return b"* " + b" ".join(render(part, utf8) for part in parts) + b"\r\n"


def untagged_status(status: str, text: str, code: str | None = None) -> bytes:
    """b"* OK [CODE] text\\r\\n": an untagged OK, NO, BAD, BYE or PREAUTH."""
    return _status_line("*", status, text, code)


def continuation(text: str = "Ready") -> bytes:
    """b"+ Ready\\r\\n"; continuation("") is the empty SASL challenge "+ "."""
    return b"+ " + _text(text) + b"\r\n"


def date_time(value: datetime) -> str:
    """The date-time form of INTERNALDATE: 17-Jul-1996 02:44:25 -0700 (naive means UTC)."""
    offset = value.utcoffset()
    minutes = 0 if offset is None else int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hours, minutes = divmod(abs(minutes), 60)
    return (
        f"{value.day:02d}-{_MONTHS[value.month - 1]}-{value.year:04d} "
        f"{value.hour:02d}:{value.minute:02d}:{value.second:02d} {sign}{hours:02d}{minutes:02d}"
    )


def _status_line(tag: str, status: str, text: str, code: str | None) -> bytes:
    head = f"{tag} {status} " + (f"[{code}] " if code else "")
    # resp-text needs at least one character (text = 1*TEXT-CHAR).
    return _text(head) + (_text(text) or b"done") + b"\r\n"


def _text(text: str) -> bytes:
    """Human-readable text on one line: CR, LF and NUL would end or break the response."""
    data = _utf8(text)
    for bad in _NEVER_QUOTED:
        data = data.replace(bad, b" ")
    return data


def _atom(value: str) -> bytes:
    data = _utf8(value)
    if not data or any(bad in data for bad in _NEVER_QUOTED):
        raise ValueError(f"not writable as an atom: {value!r}")
    return data


def _string(value: str, utf8: bool) -> bytes:
    data = _utf8(value)
    if len(data) <= MAX_QUOTED and _quotable(data, utf8):
        escapes = data.count(b"\\") + data.count(b'"')
        # Escaping costs a byte each; past the cost of a literal's header, send a literal.
        if escapes + 2 <= len(b"{%d}\r\n" % len(data)):
            return b'"' + data.replace(b"\\", b"\\\\").replace(b'"', b'\\"') + b'"'
    return _literal(data, False)


def _quotable(data: bytes, utf8: bool) -> bool:
    if any(bad in data for bad in _NEVER_QUOTED):
        return False
    return utf8 or data.isascii()


def _literal(data: bytes, binary: bool) -> bytes:
    return b"%s{%d}\r\n%s" % (b"~" if binary else b"", len(data), data)


def _utf8(text: str) -> bytes:
    # A lone surrogate has no UTF-8; a "?" in its place keeps the response whole.
    return text.encode("utf-8", "replace")
