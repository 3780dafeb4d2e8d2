"""BODY and BODYSTRUCTURE (RFC 3501 7.4.2) built from the part tree stored at commit."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from govmail.imap.protocol.response import render
from govmail.imap.protocol.types import Raw
from govmail.mime.part import Params, Part


def body_structure(part: Part, extensible: bool, utf8: bool = False) -> bytes:
    """The rendered structure of *part*; BODYSTRUCTURE when *extensible*, else BODY."""
    if part.type == "multipart":
        return _multipart(part, extensible, utf8)
    return render(_single(part, extensible, utf8), utf8)


def _multipart(part: Part, extensible: bool, utf8: bool) -> bytes:
    # RFC 3501 body-type-mpart is "1*body SP media-subtype": the children touch, unspaced.
    children = b"".join(body_structure(child, extensible, utf8) for child in part.children)
    if not children:
        # An empty multipart still needs one body to be grammatical.
        children = render(["text", "plain", ["charset", "us-ascii"], None, None, "7bit", 0, 0])
    fields: list[Any] = [part.subtype]
    if extensible:
        fields += [
            _params(part.params, utf8),
            _disposition(part, utf8),
            _language(part),
            part.location,
        ]
    return b"(" + children + b" " + render(fields, utf8)[1:]


def _single(part: Part, extensible: bool, utf8: bool) -> list[Any]:
    fields: list[Any] = [
        part.type,
        part.subtype,
        _params(part.params, utf8),
        part.id,
        part.description,
        part.encoding.lower(),
        part.size,
    ]
    if part.type == "message" and part.subtype in ("rfc822", "global") and part.message:
        inner = part.message
        fields += [
            inner.envelope(),
            Raw(body_structure(inner.body, extensible, utf8)),
            part.lines,
        ]
    elif part.type == "text":
        fields.append(part.lines)
    if extensible:
        fields += [part.md5, _disposition(part, utf8), _language(part), part.location]
    return fields


def _params(params: Params, utf8: bool) -> list[str] | None:
    if not params:
        return None
    out: list[str] = []
    for name, value in params:
        if value.isascii() or utf8:
            out += [name, value]
        else:
            # RFC 2231 extended value: every client that shows Vietnamese file names reads it.
            out += [f"{name}*", "utf-8''" + quote(value.encode("utf-8"), safe="")]
    return out


def _disposition(part: Part, utf8: bool) -> list[Any] | None:
    if part.disposition is None:
        return None
    kind, params = part.disposition
    return [kind, _params(params, utf8)]


def _language(part: Part) -> list[str] | str | None:
    if not part.language:
        return None
    return part.language[0] if len(part.language) == 1 else list(part.language)
