"""The MIME structure walk: raw bytes to a tree of Parts with exact byte offsets (RFC 2046)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from govmail.mime.decode import is_identity_encoding
from govmail.mime.headers import Header, HeaderBlock, first_header, read_header_block, unfold
from govmail.mime.message import ParsedMessage
from govmail.mime.params import Params, clean_filename, param, parse_media_type, split_value
from govmail.mime.part import Disposition, Part

MAX_DEPTH = 32
# Dovecot's default limit; a 25 MB message of bare delimiter lines would otherwise make millions.
MAX_PARTS = 10_000

_LF = 0x0A
_CR = 0x0D
_ENCAPSULATING = frozenset({("message", "rfc822"), ("message", "global")})
# RFC 2045 5.2 and RFC 2046 5.1.5 defaults.
_DEFAULT_TEXT: tuple[str, str, Params] = ("text", "plain", [("charset", "us-ascii")])
_DEFAULT_DIGEST: tuple[str, str, Params] = ("message", "rfc822", [])


@dataclass(frozen=True)
class _Delimiter:
    """A '--boundary' line: where it starts, where the line break it owns starts, where it ends."""

    line_start: int
    break_start: int
    after: int
    close: bool


def parse_message(raw: bytes) -> ParsedMessage:
    """Parse a raw message without modifying it; problems go to `defects`, nothing is raised."""
    try:
        return _Parser(raw).message(0, len(raw), 0)
    except Exception as error:  # a parser bug must not stop delivery; the defect reports it
        return _fallback(raw, error)


def _fallback(raw: bytes, error: Exception) -> ParsedMessage:
    body = Part(
        type="text",
        subtype="plain",
        params=[("charset", "us-ascii")],
        body_end=len(raw),
        lines=count_lines(raw, 0, len(raw)),
        charset="us-ascii",
    )
    return ParsedMessage([], 0, body, [f"internal parser error: {type(error).__name__}"])


class _Parser:
    """One parse of one raw message; counts parts so hostile input cannot make millions."""

    def __init__(self, raw: bytes) -> None:
        self.raw = raw
        self.parts_left = MAX_PARTS

    def message(self, start: int, end: int, depth: int) -> ParsedMessage:
        """The message in raw[start:end]: its header block, then its body as the root part."""
        block = read_header_block(self.raw, start, end)
        defects = list(block.defects)
        body = self._make_part(block, start, end, depth, defects, _DEFAULT_TEXT)
        return ParsedMessage(block.headers, block.end, body, defects)

    def _body_part(
        self,
        span: tuple[int, int, int],
        depth: int,
        defects: list[str],
        default: tuple[str, str, Params],
    ) -> Part:
        """Parse the body part at span = (start, header limit, body end).

        The header limit reaches past the body end over the line break owned by the next
        delimiter, because that break is also the blank line of a part with an empty body.
        """
        start, limit, end = span
        block = read_header_block(self.raw, start, limit)
        defects.extend(block.defects)
        return self._make_part(block, start, end, depth, defects, default)

    def _make_part(
        self,
        block: HeaderBlock,
        start: int,
        end: int,
        depth: int,
        defects: list[str],
        default: tuple[str, str, Params],
    ) -> Part:
        self.parts_left -= 1
        headers = block.headers
        kind, subtype, params = _content_type(headers, default, defects)
        disposition = _disposition(headers)
        body_end = max(end, block.end)
        part = Part(
            type=kind,
            subtype=subtype,
            params=params,
            id=_plain(headers, "content-id"),
            description=_plain(headers, "content-description"),
            encoding=_encoding(headers),
            disposition=disposition,
            language=_language(headers),
            location=_plain(headers, "content-location"),
            md5=_plain(headers, "content-md5"),
            header_start=start,
            header_end=block.end,
            body_start=block.end,
            body_end=body_end,
            lines=count_lines(self.raw, block.end, body_end),
            filename=_filename(disposition, params),
            charset=_charset(kind, params),
        )
        if kind == "multipart":
            self._add_children(part, depth, defects)
        elif (kind, subtype) in _ENCAPSULATING:
            self._add_message(part, depth, defects)
        return part

    def _add_children(self, part: Part, depth: int, defects: list[str]) -> None:
        if not self._may_nest(part, depth, defects):
            return
        boundary = param(part.params, "boundary")
        if not boundary:
            defects.append(f"multipart without boundary at offset {part.header_start}: text/plain")
            part.type, part.subtype = "text", "plain"
            part.charset = _charset("text", part.params)
            return
        marker = b"--" + boundary.encode("utf-8", "replace")
        default = _DEFAULT_DIGEST if part.subtype == "digest" else _DEFAULT_TEXT
        for span in self._spans(part, marker, defects):
            part.children.append(self._body_part(span, depth + 1, defects, default))

    def _spans(
        self, part: Part, marker: bytes, defects: list[str]
    ) -> Iterator[tuple[int, int, int]]:
        """Each body part's (start, header limit, body end) between consecutive delimiters."""
        found = _iter_delimiters(self.raw, part.body_start, part.body_end, marker)
        current = next(found, None)
        if current is None or current.close:
            defects.append(f"multipart at offset {part.header_start}: no body parts found")
            return
        while not current.close:
            following = next(found, None)
            # Checked lazily: parts_left drops as the caller parses each yielded span.
            if following is not None and self.parts_left > 1:
                yield (current.after, following.line_start, following.break_start)
                current = following
                continue
            if following is None:
                defects.append(
                    f"multipart at offset {part.header_start} truncated: closing boundary not found"
                )
            else:
                defects.append(f"more than {MAX_PARTS} parts: the rest is in the last part")
            yield (current.after, part.body_end, part.body_end)
            return

    def _add_message(self, part: Part, depth: int, defects: list[str]) -> None:
        if not self._may_nest(part, depth, defects):
            return
        if not is_identity_encoding(part.encoding):
            defects.append(f"{part.encoding} encoded message at offset {part.header_start}: leaf")
            return
        nested = self.message(part.body_start, part.body_end, depth + 1)
        part.message = nested
        defects.extend(nested.defects)

    def _may_nest(self, part: Part, depth: int, defects: list[str]) -> bool:
        """Whether a container part may get contents, within the depth and part limits."""
        if depth >= MAX_DEPTH:
            defects.append(f"nested deeper than {MAX_DEPTH} at offset {part.header_start}: leaf")
            return False
        if self.parts_left <= 0:
            defects.append(f"more than {MAX_PARTS} parts at offset {part.header_start}: leaf")
            return False
        return True


def _iter_delimiters(raw: bytes, start: int, end: int, marker: bytes) -> Iterator[_Delimiter]:
    """Delimiter lines in raw[start:end], up to and including the close delimiter."""
    pos = start
    while (at := raw.find(marker, pos, end)) >= 0:
        delimiter = _delimiter_at(raw, start, end, at, len(marker))
        if delimiter is None:
            pos = at + 1
            continue
        yield delimiter
        if delimiter.close:
            return
        pos = delimiter.after


def _delimiter_at(raw: bytes, start: int, end: int, at: int, size: int) -> _Delimiter | None:
    """The delimiter whose marker is at `at`, if it starts a line and ends with only padding."""
    if at > start and raw[at - 1] != _LF:
        return None
    pos = at + size
    close = raw.startswith(b"--", pos, end)
    if close:
        pos += 2
    while pos < end and raw[pos] in b" \t":
        pos += 1
    if raw.startswith(b"\r\n", pos, end):
        pos += 2
    elif raw.startswith(b"\n", pos, end) or (pos + 1 == end and raw[pos] == _CR):
        pos += 1
    elif pos < end:
        return None
    return _Delimiter(at, _break_start(raw, start, at), pos, close)


def _break_start(raw: bytes, start: int, at: int) -> int:
    """Start of the line break before the delimiter at `at`; RFC 2046 gives it to the delimiter."""
    if at <= start:
        return at
    if at - 2 >= start and raw[at - 2] == _CR:
        return at - 2
    return at - 1


def count_lines(raw: bytes, start: int, end: int) -> int:
    """Lines in raw[start:end], counting a final line that has no line break."""
    if end <= start:
        return 0
    return raw.count(b"\n", start, end) + int(raw[end - 1] != _LF)


def _content_type(
    headers: list[Header], default: tuple[str, str, Params], defects: list[str]
) -> tuple[str, str, Params]:
    kind, subtype, params = default
    header = first_header(headers, "content-type")
    if header is None:
        return kind, subtype, list(params)
    main, written = split_value(unfold(header.raw))
    media = parse_media_type(main)
    if media is None:
        defects.append(f"invalid Content-Type {main[:60]!r}: {kind}/{subtype}")
        return kind, subtype, list(params)
    return media[0], media[1], written


def _disposition(headers: list[Header]) -> Disposition | None:
    header = first_header(headers, "content-disposition")
    return None if header is None else split_value(unfold(header.raw))


def _encoding(headers: list[Header]) -> str:
    words = (_plain(headers, "content-transfer-encoding") or "").split()
    token = words[0].strip("\"'").upper() if words else ""
    return token or "7BIT"


def _language(headers: list[Header]) -> list[str] | None:
    tags = [tag.strip() for tag in (_plain(headers, "content-language") or "").split(",")]
    return [tag for tag in tags if tag] or None


def _plain(headers: list[Header], name: str) -> str | None:
    """A header value unfolded and stripped, not RFC 2047 decoded (IMAP sends it as written)."""
    header = first_header(headers, name)
    return None if header is None else unfold(header.raw).strip() or None


def _filename(disposition: Disposition | None, params: Params) -> str | None:
    written = param(disposition[1], "filename") if disposition is not None else None
    return clean_filename(written or param(params, "name"))


def _charset(kind: str, params: Params) -> str | None:
    charset = (param(params, "charset") or "").strip().lower()
    return charset or ("us-ascii" if kind == "text" else None)
