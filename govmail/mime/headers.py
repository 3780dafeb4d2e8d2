"""Header blocks: splitting at byte offsets, unfolding, raw 8-bit and RFC 2047 decoding."""

from __future__ import annotations

import binascii
import re
from dataclasses import dataclass, field

from govmail.mime.decode import decode_8bit, decode_base64, decode_text, nfc, scrub

_LF = 0x0A
_CR = 0x0D
_WSP = (0x20, 0x09)
_FIELD_NAME = re.compile(rb"[!-9;-~]+")
_FOLD = re.compile(rb"\r?\n(?=[ \t])")
_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")


@dataclass
class Header:
    """One header field: name as written, raw value bytes (folding kept), decoded value."""

    name: str
    raw: bytes
    value: str


@dataclass
class HeaderBlock:
    """The headers of a message or part, and the offset just after their terminating blank line."""

    headers: list[Header]
    end: int
    defects: list[str] = field(default_factory=list)


def make_header(name: bytes, raw: bytes) -> Header:
    """Build a Header from its name and the raw bytes after the colon."""
    return Header(name=name.decode("ascii"), raw=raw, value=decode_value(raw))


def unfold(raw: bytes) -> str:
    """Unfold a raw header value and decode its 8-bit bytes, leaving RFC 2047 words alone."""
    return scrub(decode_8bit(_FOLD.sub(b"", raw)))


def decode_value(raw: bytes) -> str:
    """The displayable value of a raw header: unfolded, RFC 2047 decoded, stripped, NFC."""
    return nfc(decode_words(unfold(raw)).strip())


def decode_words(text: str) -> str:
    """Decode RFC 2047 encoded words; adjacent words are joined without the whitespace between.

    Consecutive words in one charset are decoded together, because encoders split multi-byte
    characters (common in Vietnamese UTF-8) across words.
    """
    out: list[str] = []
    run = bytearray()
    run_charset: str | None = None
    pos = 0
    after_word = False

    def flush() -> None:
        nonlocal run_charset
        if run_charset is not None:
            out.append(decode_text(bytes(run), run_charset))
        run.clear()
        run_charset = None

    for match in _ENCODED_WORD.finditer(text):
        gap = text[pos : match.start()]
        if gap and not (after_word and gap.isspace()):
            flush()
            out.append(gap)
        charset = match.group(1).split("*", 1)[0].lower()
        if charset != run_charset:
            flush()
        run_charset = charset
        run += _word_bytes(match.group(2), match.group(3))
        after_word = True
        pos = match.end()
    flush()
    out.append(text[pos:])
    return "".join(out)


def _word_bytes(encoding: str, text: str) -> bytes:
    if encoding in "bB":
        return decode_base64(text.encode("ascii", "ignore"))
    return binascii.a2b_qp(text.encode("utf-8", "replace"), header=True)


def read_header_block(raw: bytes, start: int, end: int) -> HeaderBlock:
    """Split the header fields in raw[start:end] up to and including the first blank line.

    A line that is neither a field nor a continuation ends the block early (it starts the
    body) and is recorded as a defect; headers running to `end` are legal (no body).
    """
    headers: list[Header] = []
    defects: list[str] = []
    name: bytes | None = None
    value_start = value_end = start
    pos = start
    while pos < end:
        newline = raw.find(b"\n", pos, end)
        line_end = end if newline < 0 else newline + 1
        content_end = _content_end(raw, pos, line_end)
        if content_end == pos:
            _flush(headers, raw, name, value_start, value_end)
            return HeaderBlock(headers, line_end, defects)
        if raw[pos] in _WSP:
            if name is None:
                defects.append(f"continuation line without a header field at offset {pos}")
            value_end = content_end
        else:
            colon = raw.find(b":", pos, content_end)
            field_name = raw[pos:colon].rstrip(b" \t") if colon >= 0 else b""
            if not _FIELD_NAME.fullmatch(field_name):
                _flush(headers, raw, name, value_start, value_end)
                defects.append(f"non-header line at offset {pos} ends the header block")
                return HeaderBlock(headers, pos, defects)
            _flush(headers, raw, name, value_start, value_end)
            name, value_start, value_end = field_name, colon + 1, content_end
        pos = line_end
    _flush(headers, raw, name, value_start, value_end)
    return HeaderBlock(headers, end, defects)


def _content_end(raw: bytes, start: int, end: int) -> int:
    """Offset of the line terminator (LF, CRLF or a dangling CR) of the line raw[start:end]."""
    if end > start and raw[end - 1] == _LF:
        end -= 1
    if end > start and raw[end - 1] == _CR:
        end -= 1
    return end


def _flush(headers: list[Header], raw: bytes, name: bytes | None, start: int, end: int) -> None:
    if name is not None:
        headers.append(make_header(name, raw[start:end]))


def first_header(headers: list[Header], name: str) -> Header | None:
    """The first header called `name` (case-insensitive), or None."""
    wanted = name.lower()
    return next((header for header in headers if header.name.lower() == wanted), None)
