"""BODY[section] and BINARY[section] contents (RFC 3501 6.4.5, RFC 3516), cut from the raw
message by the byte offsets stored at commit."""

from __future__ import annotations

from govmail.imap.protocol.types import BodySection
from govmail.mime.decode import decode_transfer
from govmail.mime.headers import read_header_block
from govmail.mime.message import ParsedMessage
from govmail.mime.part import Part


class UnknownEncoding(Exception):
    """BINARY of a part whose transfer encoding cannot be undone (RFC 3516 UNKNOWN-CTE)."""


def section_bytes(raw: bytes, root: ParsedMessage, section: BodySection) -> bytes:
    """The octets a client asked for, before any <partial> is applied; empty when the section
    does not exist (RFC 3501: a missing part reads as empty, not as an error)."""
    found = _locate(root, section.part)
    if found is None:
        return b""
    part, message = found
    text = section.text
    if text is None:
        if section.binary:
            return _binary(raw, part)
        if not section.part:
            return raw
        return raw[part.body_start : part.body_end]
    if text == "MIME":
        return raw[part.header_start : part.header_end] if section.part else b""
    if message is None:
        return b""
    header_start = message.body.header_start
    if text == "TEXT":
        return raw[message.header_end : message.body.body_end or len(raw)]
    header = raw[header_start : message.header_end]
    if text == "HEADER":
        return header
    return _header_fields(header, section.fields, exclude=text == "HEADER.FIELDS.NOT")


def binary_size(raw: bytes, root: ParsedMessage, section: BodySection) -> int:
    found = _locate(root, section.part)
    return 0 if found is None else len(_binary(raw, found[0]))


def apply_partial(data: bytes, section: BodySection) -> bytes:
    if section.partial is None:
        return data
    origin, count = section.partial
    return data[origin : origin + count]


def _binary(raw: bytes, part: Part) -> bytes:
    encoding = part.encoding.upper()
    if encoding not in ("7BIT", "8BIT", "BINARY", "BASE64", "QUOTED-PRINTABLE"):
        raise UnknownEncoding(encoding)
    return decode_transfer(raw[part.body_start : part.body_end], encoding)


def _locate(root: ParsedMessage, path: tuple[int, ...]) -> tuple[Part, ParsedMessage | None] | None:
    """The part at *path* and the message whose HEADER/TEXT the section means (the root for an
    empty path, the encapsulated one for a message/rfc822 part), or None when it is missing."""
    if not path:
        return root.body, root
    body = root.body
    part = body
    for depth, index in enumerate(path):
        if body.type == "multipart":
            if not 1 <= index <= len(body.children):
                return None
            part = body.children[index - 1]
        elif index == 1:
            # A non-multipart message has exactly one part, numbered 1.
            part = body
        else:
            return None
        if depth + 1 < len(path):
            if part.message is not None:
                # Inside message/rfc822 the numbering goes on with the encapsulated parts.
                body = part.message.body
            elif part.type == "multipart":
                body = part
            else:
                return None
    return part, part.message


def _header_fields(header: bytes, names: tuple[str, ...], exclude: bool) -> bytes:
    wanted = {name.lower() for name in names}
    block = read_header_block(header, 0, len(header))
    lines = [
        field.name.encode("ascii") + b":" + field.raw + b"\r\n"
        for field in block.headers
        if (field.name.lower() in wanted) != exclude
    ]
    return b"".join(lines) + b"\r\n"
