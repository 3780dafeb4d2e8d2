"""Number and notation (số, ký hiệu) of official documents: parsing, printing, lookup keys."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from govmail.register.doctypes import TYPES
from govmail.store.fold import fold

_LETTER = "A-Za-zĐđÐð"  # OCR reads Đ as the look-alike Ð (U+00D0) often enough to accept it
_DASH = "-–—‐‑"
_SEGMENT = f"[{_LETTER}0-9]{{1,12}}(?![^\\W_])"
_UPPER_SEGMENT = "[A-ZĐÐ0-9]{1,12}(?![^\\W_])"
# Spaces around a dash come from OCR ("125/UBND- VP"); allowing them only before an upper-case
# segment keeps "12/UBND-VP - Tân Phú" from swallowing the place name.
_MORE_SEGMENTS = (
    f"(?:[{_DASH}]{_SEGMENT}|[ \\t]{{0,2}}[{_DASH}][ \\t]{{0,2}}{_UPPER_SEGMENT}){{0,5}}"
)
_BODY = (
    r"(?P<number>\d{1,6})[ \t]?/[ \t]?(?:(?P<year>(?:19|20)\d\d)[ \t]?/[ \t]?)?"
    f"(?P<notation>[{_LETTER}][{_LETTER}0-9]{{0,11}}(?![^\\W_]){_MORE_SEGMENTS})"
)
# "Số:" as printed, and as OCR reads it ("S6:", "Sð:", "SỐ"); junk may precede it on a scan.
_PREFIX = r"[\W_]{0,10}(?:[Ss](?:[^\W\d_]|[60])?[ \t]*[:;.]?[ \t]*)?"
_PARSE = re.compile(_PREFIX + _BODY)
_FIND = re.compile(r"(?<![\w/.-])" + _BODY)

_ALL_DASHES = re.compile(f"[ \\t]*[{_DASH}][ \\t]*")
_MIXED_CASE = {fold(t.abbr): t.abbr for t in TYPES if t.abbr and t.abbr != t.abbr.upper()}
_MAX_PARSE = 200  # a notation is short; anything past this is not one


@dataclass(frozen=True)
class Notation:
    number: int
    notation: str  # "CT-UBND", canonical case: upper except QyĐ, CTr, TTr, TrS

    @property
    def printed(self) -> str:
        """As Decree 30 prints it: numbers below 10 with a leading zero, "05/BNV-VP"."""
        return f"{self.number:02d}/{self.notation}"

    @property
    def key(self) -> str:
        """One lookup key for every spelling: "0215/QĐ - UBND" and "215/qd-ubnd" share it."""
        return f"{self.number}/{fold(self.notation)}"


def parse_notation(text: str) -> Notation | None:
    """The notation *text* starts with, after an optional "Số:": "Số: 11/CT-UBND" → 11/CT-UBND."""
    found = match_notation(unicodedata.normalize("NFC", text[:_MAX_PARSE]).strip())
    return found[0] if found else None


def match_notation(line: str) -> tuple[Notation, int] | None:
    """The notation an NFC *line* starts with (after an optional "Số:") and the offset past it."""
    match = _PARSE.match(line)
    notation = _from_match(match) if match else None
    return (notation, match.end()) if match and notation else None


def notation_key(text: str) -> str | None:
    """The lookup key of a notation a user typed, or None when it is not one."""
    notation = parse_notation(text)
    return notation.key if notation else None


def find_notations(text: str) -> list[Notation]:
    """Every distinct number/notation cited in running text, in order of first mention."""
    found: dict[str, Notation] = {}
    for match in _FIND.finditer(unicodedata.normalize("NFC", text)):
        notation = _from_match(match)
        if notation and match["notation"][0].isupper():  # "5/ha" is a measure, not a notation
            found.setdefault(notation.key, notation)
    return list(found.values())


def _from_match(match: re.Match[str]) -> Notation | None:
    number = int(match["number"])
    if number == 0:
        return None
    segments = _ALL_DASHES.split(match["notation"].replace("Ð", "Đ").replace("ð", "đ"))
    notation = "-".join(_canonical(segment, first=i == 0) for i, segment in enumerate(segments))
    year = match["year"]
    return Notation(number, f"{year}/{notation}" if year else notation)


def _canonical(segment: str, *, first: bool) -> str:
    # Only the type abbreviation, which comes first, has a mixed-case spelling.
    mixed = _MIXED_CASE.get(fold(segment)) if first else None
    if mixed is None:
        return segment.upper()
    pairs = zip(segment, mixed, strict=True)
    return "".join(m if m.lower() == s.lower() else s.upper() for s, m in pairs)
