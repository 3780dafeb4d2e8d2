"""Vietnamese search folding: the one normal form that both indexed text and queries take."""

from __future__ import annotations

import re
import unicodedata

# Combining marks of the Basic Multilingual Plane, plus what no database stores or UTF-8
# encodes (NUL, lone surrogates). A BMP-only class compiles to a bitmap and runs fast; the
# few marks beyond the BMP are handled one match at a time by _ASTRAL.
_BMP_DROPPED = re.compile(
    "["
    + re.escape("".join(chr(p) for p in range(0x10000) if unicodedata.category(chr(p))[0] == "M"))
    + "\x00\ud800-\udfff]+"
)
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def fold(text: str) -> str:
    """NFC, lower case, combining marks removed, đ → d: "Đà Nẵng" and "da nang" fold alike."""
    if text.isascii():  # most mail, and all folded Vietnamese: no marks to find
        return text.lower().replace("\x00", "")
    decomposed = unicodedata.normalize("NFD", unicodedata.normalize("NFC", text).lower())
    # đ has no decomposition, so removing marks alone would keep it apart from d.
    stripped = _BMP_DROPPED.sub("", decomposed).replace("đ", "d")
    return unicodedata.normalize("NFC", _ASTRAL.sub(_unless_mark, stripped))


def _unless_mark(match: re.Match[str]) -> str:
    char = match.group()
    return "" if unicodedata.category(char)[0] == "M" else char
