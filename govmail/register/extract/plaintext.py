"""Plain text files: UTF-8, else Vietnamese windows-1258, else Latin-1, all brought to NFC."""

from __future__ import annotations

import codecs

from govmail.register.extract.normalise import clean
from govmail.register.extract.outcome import conclude
from govmail.register.extract.types import Extraction, Limits, Page

_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def decode_text(data: bytes, charset: str | None = None) -> str:
    """The text of *data*, in the given charset when it is known and fits, else by elimination.

    windows-1258 writes most tone marks as combining characters: NFC composes them, so that
    "ngày" typed on an old Windows machine matches "ngày" typed anywhere else.
    """
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    elif data.startswith(_UTF16_BOMS):
        return clean(data.decode("utf-16", "replace"))
    candidates = [charset] if charset else []
    for encoding in [*candidates, "utf-8", "cp1258"]:
        try:
            return clean(data.decode(encoding))
        except (UnicodeError, LookupError):
            continue
    return clean(data.decode("latin-1"))


def extract_plain(data: bytes, kind: str, limits: Limits, ocr: bool) -> Extraction:
    return conclude(kind, [Page(1, decode_text(data), "plain", None)], [])
