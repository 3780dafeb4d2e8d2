"""Modified UTF-7 mailbox names (RFC 3501 5.1.3): "Văn bản đến" ↔ "V&AQM-n b&HqM-n &AREevw-n"."""

from __future__ import annotations

import base64
import binascii
import re

# Printable US-ASCII stands for itself; everything else is UTF-16BE in modified base64.
_UNPRINTABLE = re.compile(r"[^\x20-\x7e]+")
_MODIFIED_BASE64 = re.compile(r"[A-Za-z0-9+,]+")


def encode(name: str) -> str:
    """A name in modified UTF-7: "&" becomes "&-", other non-ASCII runs "&<base64>-"."""
    return _UNPRINTABLE.sub(_encode_run, name.replace("&", "&-"))


def decode(name: str) -> str:
    """The name a modified UTF-7 string stands for; ValueError unless it is well-formed.

    Only the one canonical encoding of a name is accepted (no padding bits, no needless
    shifts, no encoded printable ASCII), so decode(x) == y implies encode(y) == x: a mailbox
    never has two wire names.
    """
    pieces: list[str] = []
    pos = 0
    while pos < len(name):
        shift = name.find("&", pos)
        plain = name[pos:] if shift < 0 else name[pos:shift]
        if not plain.isascii() or not plain.isprintable():
            raise ValueError(f"modified UTF-7 allows printable ASCII only: {name!r}")
        pieces.append(plain)
        if shift < 0:
            break
        end = name.find("-", shift + 1)
        if end < 0:
            raise ValueError(f"'&' without its closing '-' in {name!r}")
        pieces.append(_decode_run(name[shift + 1 : end]) if end > shift + 1 else "&")
        pos = end + 1
    text = "".join(pieces)
    if encode(text) != name:
        raise ValueError(f"not the canonical modified UTF-7 of a name: {name!r}")
    return text


def _encode_run(match: re.Match[str]) -> str:
    data = base64.b64encode(match.group().encode("utf-16-be"))
    return "&" + data.rstrip(b"=").decode("ascii").replace("/", ",") + "-"


def _decode_run(run: str) -> str:
    if _MODIFIED_BASE64.fullmatch(run) is None:
        raise ValueError(f"bad modified base64 after '&': {run!r}")
    # Whole UTF-16 units: 2, 4 or 6 bytes make 3, 6 or 8 characters (mod 8).
    if len(run) % 8 not in (0, 3, 6):
        raise ValueError(f"modified base64 of a partial UTF-16 unit: {run!r}")
    padded = run.replace(",", "/") + "=" * (-len(run) % 4)
    try:
        return base64.b64decode(padded, validate=True).decode("utf-16-be")
    except (binascii.Error, UnicodeDecodeError):
        raise ValueError(f"bad UTF-16 in modified base64: {run!r}") from None
