"""Part: one node of the MIME tree, with byte offsets into the raw message it came from."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from govmail.mime.decode import decode_text, decode_transfer

if TYPE_CHECKING:
    from govmail.mime.message import ParsedMessage

Params = list[tuple[str, str]]
Disposition = tuple[str, Params]


@dataclass
class Part:
    """A MIME entity. Offsets index the outermost raw message, also inside message/rfc822.

    raw[header_start:header_end] is the header block including its blank line (IMAP
    BODY[n.MIME]); raw[body_start:body_end] is the body (IMAP BODY[n]).
    """

    type: str
    subtype: str
    params: Params = field(default_factory=list)
    id: str | None = None
    description: str | None = None
    encoding: str = "7BIT"
    disposition: Disposition | None = None
    language: list[str] | None = None
    location: str | None = None
    md5: str | None = None
    header_start: int = 0
    header_end: int = 0
    body_start: int = 0
    body_end: int = 0
    lines: int = 0
    children: list[Part] = field(default_factory=list)
    message: ParsedMessage | None = None
    filename: str | None = None
    charset: str | None = None

    @property
    def size(self) -> int:
        """Body size in bytes, as written (still transfer-encoded)."""
        return self.body_end - self.body_start

    @property
    def content_type(self) -> str:
        """'type/subtype', lower case."""
        return f"{self.type}/{self.subtype}"

    def decoded(self, raw: bytes) -> bytes:
        """The body with its Content-Transfer-Encoding undone."""
        return decode_transfer(raw[self.body_start : self.body_end], self.encoding)

    def text(self, raw: bytes) -> str:
        """The body decoded to NFC text using its charset, best effort."""
        return decode_text(self.decoded(raw), self.charset)

    def is_attachment(self) -> bool:
        """True for parts a mail client lists as attachments rather than shows in the text."""
        if self.type == "multipart":
            return False
        if self.disposition is not None and self.disposition[0] == "attachment":
            return True
        if self.filename:
            return True
        if self.type == "text":
            return False
        # Inline images and images referenced by cid: from HTML are part of the text.
        inline = self.disposition is not None and self.disposition[0] == "inline"
        return not (self.type == "image" and (inline or self.id))

    def walk(self) -> Iterator[Part]:
        """Depth-first pre-order over this part and its multipart descendants.

        Encapsulated messages are not entered; walk `part.message.body` for those.
        """
        stack = [self]
        while stack:
            part = stack.pop()
            yield part
            stack.extend(reversed(part.children))

    def to_json(self) -> dict[str, Any]:
        """A JSON-able dict; Part.from_json(p.to_json()) == p."""
        return {
            "type": self.type,
            "subtype": self.subtype,
            "params": [list(pair) for pair in self.params],
            "id": self.id,
            "description": self.description,
            "encoding": self.encoding,
            "disposition": _disposition_to_json(self.disposition),
            "language": None if self.language is None else list(self.language),
            "location": self.location,
            "md5": self.md5,
            "header_start": self.header_start,
            "header_end": self.header_end,
            "body_start": self.body_start,
            "body_end": self.body_end,
            "lines": self.lines,
            "children": [child.to_json() for child in self.children],
            "message": None if self.message is None else self.message.to_json(),
            "filename": self.filename,
            "charset": self.charset,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Part:
        """Rebuild a Part from to_json() output."""
        # Imported here because message.py imports this module.
        from govmail.mime.message import ParsedMessage

        message = data.get("message")
        return cls(
            type=data["type"],
            subtype=data["subtype"],
            params=_pairs(data.get("params", [])),
            id=data.get("id"),
            description=data.get("description"),
            encoding=data.get("encoding", "7BIT"),
            disposition=_disposition_from_json(data.get("disposition")),
            language=data.get("language"),
            location=data.get("location"),
            md5=data.get("md5"),
            header_start=data.get("header_start", 0),
            header_end=data.get("header_end", 0),
            body_start=data.get("body_start", 0),
            body_end=data.get("body_end", 0),
            lines=data.get("lines", 0),
            children=[cls.from_json(child) for child in data.get("children", [])],
            message=None if message is None else ParsedMessage.from_json(message),
            filename=data.get("filename"),
            charset=data.get("charset"),
        )


def _pairs(items: list[list[str]]) -> Params:
    return [(str(name), str(value)) for name, value in items]


def _disposition_to_json(disposition: Disposition | None) -> list[Any] | None:
    if disposition is None:
        return None
    return [disposition[0], [list(pair) for pair in disposition[1]]]


def _disposition_from_json(data: list[Any] | None) -> Disposition | None:
    if data is None:
        return None
    return (data[0], _pairs(data[1]))
