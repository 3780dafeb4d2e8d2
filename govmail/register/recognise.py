"""Metadata of a Vietnamese official document read from its text (text layer, DOCX or OCR).

Decree 30/2020 fixes where each element sits: the header holds agency, number, place and date,
the type title and the summary; the signature block closes the document. Only those regions
are read, so the work stays linear in the size of the text.
"""

from __future__ import annotations

import datetime
import itertools
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from govmail.register.doctypes import CONG_VAN, DocType, by_abbr, by_name
from govmail.register.notation import Notation, match_notation
from govmail.store.fold import fold

FIELDS = (
    "number",
    "type",
    "date",
    "place",
    "issuer",
    "parent_issuer",
    "summary",
    "signer",
    "signer_title",
    "authority",
    "urgency",
    "confidentiality",
    "recipients",
)


@dataclass(frozen=True)
class Field:
    value: str  # as printed, NFC; dates as ISO 8601
    confidence: float  # 0..1


@dataclass(frozen=True)
class Recognised:
    fields: dict[str, Field]  # keys from FIELDS; a missing key means not found

    def get(self, name: str) -> str | None:
        field = self.fields.get(name)
        return field.value if field else None


# The header fills the first page's top and the signature the last page's bottom; a hostile
# text of megabytes is read only there, and no line longer than a printed one is examined.
_EDGE_CHARS = 20_000
_HEAD_LINES = 45
_TAIL_LINES = 40
_MAX_LINE = 600  # a DOCX paragraph is a whole summary, unwrapped
_HEADER_LINES = 20  # where to look for number and date when no title or V/v bounds the header

# Marks OCR leaves around text on a speckled scan; never part of a value's edge.
_JUNK = "_|¬~=‹›^ˆ`\"“”'‘’*•·…%#@<>{}[]\\/:.,-–—°¦«»"
# A word of these alone is a speck; a lone dash is not ("giai đoạn 2021 - 2025").
_JUNK_TOKEN = re.compile(r"[_|¬~=‹›^ˆ`\"“”'‘’*•·…%#@<>{}\[\]\\°¦«».,:;]+")
_MOTTO = re.compile(r"cong\W{0,3}hoa\W{0,3}xa\W{0,3}hoi|doc\W{0,3}lap\W{0,5}tu\W{0,3}do")
_PLACE_DATE = re.compile(r"[^\W\d_][^,]{0,40},\s*ngay\s*\d")
_SO_PREFIX = re.compile(r"(?:S(?:[^\W\d_]|[60])?[ \t]*[:;.]?|s[^\W\d_]?[ \t]*:)[ \t]*(?=\d)")
_DATE = re.compile(r"ngay\s*(\d{1,2})\s*thang\s*(\d{1,2})\s*nam\s*(\d{4})")
_VV = re.compile(r"v\s*/\s*v\b")
_KINH_GUI = re.compile(r"kinh\s*gui\b")
_AUTHORITY = re.compile(r"(?<![^\W_])(TUQ|TM|KT|TL|Q)[ \t]?\.[ \t]*(?=[^\W\d_])")
_SYLLABLE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnpqrstvx])?[aeiouy]{1,3}(?:ch|ng|nh|[cmnpt])?"
)
_SMOOTH_TONES = {"\u0300", "\u0303", "\u0309"}  # huyền, ngã, hỏi
# Letters whose capital and small forms differ only in size, so OCR capitalises them at a line
# start: a wrapped summary line "vụ tra cứu" comes back as "Vụ tra cứu".
_CASE_AMBIGUOUS = set("cosuvwxz")
_BEFORE_NUMBERS = {"so", "ngay", "thang", "nam"}

_URGENCY = {
    "khan": "Khẩn",
    "thuong khan": "Thượng khẩn",
    "hoa toc": "Hỏa tốc",
    "hoa toc hen gio": "Hỏa tốc hẹn giờ",
}
_CONFIDENTIALITY = {"mat": "Mật", "toi mat": "Tối mật", "tuyet mat": "Tuyệt mật"}

# First words of an agency's name: a header line starting with one opens a new name (the
# agency under its parent) rather than continuing the line above ("TỈNH SÔNG LAM").
_AGENCY_WORDS = {"so", "bo", "ban", "cuc", "vu", "phong", "truong", "vien", "dai", "doan"}
_AGENCY_WORDS |= {"ubnd", "hdnd", "ubmttq", "hoi"}
_AGENCY_PAIRS = {
    "uy ban",
    "chi cuc",
    "tong cuc",
    "van phong",
    "trung tam",
    "benh vien",
    "cong an",
    "kho bac",
    "chi nhanh",
    "thanh tra",
    "toa an",
    "cong ty",
    "tap doan",
    "dang uy",
    "mat tran",
    "hoi dong",
    "bo chi",
}

_VIETNAMESE_LETTERS = frozenset(
    "bcdđghklmnpqrstvxfjwz"
    + "".join(
        unicodedata.normalize("NFC", vowel + tone)
        for vowel in ("a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y")
        for tone in ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
    )
)


def recognise(text: str) -> Recognised:
    """Every field of FIELDS that *text* shows, with how sure the reading is."""
    head, tail = _regions(text)
    marks = _Landmarks.find(head)
    fields: dict[str, Field] = {}
    number = _number(head, marks.header_end)
    if number:
        fields["number"] = number.field
    fields.update(_date_and_place(head, marks.header_end, number))
    fields.update(_issuers(head, _issuer_end(marks, number)))
    fields.update(_stamps(head))
    fields.update(_signature(tail))
    optional = {
        "type": _type(marks, number.notation if number else None),
        "summary": _summary(head, marks),
        "recipients": _recipients(head),
    }
    fields.update({name: field for name, field in optional.items() if field})
    return Recognised({name: fields[name] for name in FIELDS if name in fields})


# --- lines -------------------------------------------------------------------------------


def _regions(text: str) -> tuple[list[str], list[str]]:
    """The opening and closing lines of *text*, NFC, tabs as column gaps, blanks kept as ""."""
    head = _split(text[:_EDGE_CHARS])[:_HEAD_LINES]
    tail = _split(text[-_EDGE_CHARS:])[-_TAIL_LINES:]
    return head, tail


def _split(text: str) -> list[str]:
    text = unicodedata.normalize("NFC", text)
    return [line[:_MAX_LINE].replace("\t", "   ").rstrip() for line in text.splitlines()]


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    return (fold(char) or " ")[0]


def _folded(line: str) -> str:
    """fold() one character at a time, so that offsets in the result are offsets in *line*."""
    return "".join(_fold_char(char) for char in line)


def _clean(text: str) -> str:
    """*text* without OCR junk at its edges or between words, single-spaced."""
    words = [word for word in text.split() if not _JUNK_TOKEN.fullmatch(word)]
    return " ".join(words).strip(_JUNK + " ")


def _without_motto(line: str) -> str:
    """The left column of a line the national motto shares with it (layout and OCR text)."""
    found = _MOTTO.search(_folded(line))
    return line[: found.start()] if found else line


def _is_upper(text: str) -> bool:
    letters = [char for char in text if char.isalpha()]
    return len(letters) >= 2 and sum(char.isupper() for char in letters) >= 0.8 * len(letters)


def _is_syllable(word: str) -> bool:
    """Whether *word* could be one Vietnamese syllable (spelling, not dictionary)."""
    if not all(char in _VIETNAMESE_LETTERS for char in word.lower()):
        return False
    folded = fold(word)
    if not _SYLLABLE.fullmatch(folded):
        return False
    # A syllable closed by p, t, c or ch takes only the sắc or nặng tone: "XÃT" is no word.
    checked = folded.endswith(("p", "t", "c", "ch"))
    return not (checked and _SMOOTH_TONES & set(unicodedata.normalize("NFD", word)))


def _quality(text: str) -> float:
    """The share of words that read as Vietnamese syllables, numbers or abbreviations."""
    words = [word.strip(_JUNK + ";()") for word in text.split()]
    words = [word for word in words if word]
    good = sum(
        _is_syllable(word) or word.isdigit() or (word.isascii() and word.isupper())
        for word in words
    )
    return good / len(words) if words else 0.0


def _confidence(base: float, text: str) -> float:
    return round(base * (0.6 + 0.4 * _quality(text)), 3)


# --- header ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Landmarks:
    """Where the header ends: at the type title, a công văn's "V/v" line or "Kính gửi"."""

    title: int | None  # the line naming the type ("CHỈ THỊ")
    doctype: DocType | None
    vv: int | None  # the "V/v ..." line of a công văn
    header_end: int  # the header's last line is above this one

    @classmethod
    def find(cls, head: list[str]) -> _Landmarks:
        for index, line in enumerate(head):
            cleaned = _clean(line)
            folded = fold(cleaned)
            if _is_upper(cleaned) and (doctype := by_name(cleaned)):
                return cls(index, doctype, None, index)
            if _VV.match(folded):
                return cls(None, None, index, index)
            if _KINH_GUI.match(folded):
                return cls(None, None, None, index)
        return cls(None, None, None, min(len(head), _HEADER_LINES))


@dataclass(frozen=True)
class _Number:
    field: Field
    notation: Notation
    line: int
    end: int  # offset in the line just past the notation


def _number(head: list[str], end: int) -> _Number | None:
    """The "Số: N/NOTATION" line above the title: never a number cited further down."""
    for index, line in enumerate(head[:end]):
        lead = len(line) - len(line.lstrip(_JUNK + " "))
        prefix = _SO_PREFIX.match(line, lead)
        found = match_notation(line[prefix.end() :]) if prefix else None
        if prefix and found:
            notation, offset = found
            sure = 0.95 if "".join(fold(prefix.group()).split()) == "so:" else 0.85
            return _Number(Field(notation.printed, sure), notation, index, prefix.end() + offset)
    return None


def _date_and_place(head: list[str], end: int, number: _Number | None) -> dict[str, Field]:
    """ "Sông Lam, ngày 05 tháng 6 năm 2012" in the header; below it only after a place name,
    since a table may put the date cell after the summary while the body cites dates freely."""
    for index, line in enumerate(head):
        folded = _folded(line)
        found = _DATE.search(folded)
        if not found or (index >= end and not _PLACE_DATE.match(folded.lstrip(_JUNK + " "))):
            continue
        day = _valid_date(*found.groups())
        if not day:
            continue
        start = number.end if number and number.line == index else 0
        place = _place(line[start : found.start()])
        sure = 0.95 if index < end else 0.7
        fields = {"date": Field(day, sure if place else sure - 0.1)}
        if place:
            fields["place"] = Field(place, _confidence(sure, place))
        return fields
    return {}


def _valid_date(day: str, month: str, year: str) -> str | None:
    try:
        return datetime.date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def _place(text: str) -> str | None:
    # In layout text a wide gap separates the number's column from the place.
    place = _clean(re.split(r"\s{2,}", text.strip())[-1])
    return place if place and place[0].isalpha() and len(place) <= 40 else None


def _issuer_end(marks: _Landmarks, number: _Number | None) -> int:
    return min(marks.header_end, number.line) if number else marks.header_end


def _issuers(head: list[str], end: int) -> dict[str, Field]:
    """The agency block at the top left: the issuing agency, under its parent when printed."""
    lines = [_clean(_without_motto(line)) for line in head[:end]]
    block = [line for line in lines if _is_upper(line) and not _stamp_of(line)]
    names: list[list[str]] = []
    for line in [line for line in block if _repair_caps(line)][-4:]:
        if not names or _starts_agency(_repair_caps(line)):
            names.append([])
        names[-1].append(line)
    if not names:
        return {}
    issuer = " ".join(names[-1])
    fields = {"issuer": Field(_repair_caps(issuer), _confidence(0.9, issuer))}
    if len(names) > 1:
        parent = " ".join(" ".join(name) for name in names[:-1])
        fields["parent_issuer"] = Field(_repair_caps(parent), _confidence(0.8, parent))
    return fields


def _repair_caps(line: str) -> str:
    """An agency line as printed, all capitals: OCR's small-letter specks dropped and the
    syllables it ran together ("BANNHÂNDÂN") spaced again; confidence is judged on the raw."""
    words = (_syllabify(word) for word in line.split() if not any(c.islower() for c in word))
    return " ".join(words)


def _syllabify(word: str) -> str:
    if not word.isalpha() or _is_syllable(word):
        return word
    # A lead holding a letter Vietnamese does not use ("ẨÖXÃTÂNPHÚ") is a speck read as text.
    for skip in range(3):
        if skip and all(char in _VIETNAMESE_LETTERS for char in word[:skip].lower()):
            continue
        pieces = _segment(word[skip:])
        if pieces:
            return " ".join(pieces)
    return word


def _segment(word: str) -> list[str] | None:
    """*word* as the fewest Vietnamese syllables, longer ones first; None when it is not."""
    best: list[list[str] | None] = [None] * len(word) + [[]]
    for start in range(len(word) - 1, -1, -1):
        for end in range(min(len(word), start + 7), start, -1):
            rest = best[end]
            piece = word[start:end]
            if rest is not None and _is_syllable(piece):
                current = best[start]
                if current is None or len(rest) + 1 < len(current):
                    best[start] = [piece, *rest]
    found = best[0]
    return found if found and len(found) > 1 else None


def _starts_agency(line: str) -> bool:
    words = fold(line).split()
    return bool(words) and (words[0] in _AGENCY_WORDS or " ".join(words[:2]) in _AGENCY_PAIRS)


def _stamp_of(line: str) -> tuple[str, str] | None:
    """("urgency", "Khẩn") when *line* is a standalone urgency or confidentiality mark."""
    if not _is_upper(line):
        return None
    key = " ".join(fold(line).split())
    if key in _URGENCY:
        return "urgency", _URGENCY[key]
    if key in _CONFIDENTIALITY:
        return "confidentiality", _CONFIDENTIALITY[key]
    return None


def _stamps(head: list[str]) -> dict[str, Field]:
    fields: dict[str, Field] = {}
    for line in head:
        stamp = _stamp_of(_clean(line))
        if stamp and stamp[0] not in fields:
            fields[stamp[0]] = Field(stamp[1], 0.9)
    return fields


def _type(marks: _Landmarks, notation: Notation | None) -> Field | None:
    """The type from the title, checked against the notation's abbreviation; else inferred."""
    by_notation = _notation_type(notation)
    if marks.doctype:
        agrees = by_notation == marks.doctype
        sure = 0.85 if by_notation is None else 0.98 if agrees else 0.6
        return Field(marks.doctype.name, sure)
    if marks.vv is not None:
        return Field(CONG_VAN.name, 0.95 if by_notation is None else 0.7)
    if by_notation:
        return Field(by_notation.name, 0.6)
    # A numbered document without a title whose notation names no type is a công văn.
    return Field(CONG_VAN.name, 0.5) if notation else None


def _notation_type(notation: Notation | None) -> DocType | None:
    if notation is None:
        return None
    segment = notation.notation.split("/")[-1].split("-")[0]
    return by_abbr(segment)


def _summary(head: list[str], marks: _Landmarks) -> Field | None:
    """The trích yếu: the lines under the title, or the "V/v" lines, joined into one."""
    if marks.title is not None:
        start = next((i for i in range(marks.title + 1, len(head)) if _clean(head[i])), len(head))
    elif marks.vv is not None:
        start = marks.vv
    else:
        return None
    lines = _summary_lines(head, start)
    if not lines:
        return None
    summary = " ".join(lines)
    return Field(summary, _confidence(0.9, summary))


def _summary_lines(head: list[str], start: int) -> list[str]:
    lines: list[str] = []
    for line in head[start : start + 6]:
        cleaned = _clean(line)
        if not lines:
            if not _opens_summary(cleaned):
                return []
            lines.append(cleaned)
            continue
        continued = _continuation(lines[-1], cleaned)
        if continued is None:
            break
        lines.append(continued)
    return lines


def _opens_summary(line: str) -> bool:
    # A summary is in sentence case; capitals after the title are an authority line or a mark.
    return line[:1].isalpha() and not _is_upper(line) and not _KINH_GUI.match(fold(line))


def _continuation(previous: str, line: str) -> str | None:
    """*line* as the rest of the wrapped phrase *previous*, or None when a new block starts."""
    if not line or _stamp_of(line) or _KINH_GUI.match(fold(line)):
        return None
    if line[0].islower():
        return line
    # "... Kế hoạch số" / "123/KH-UBND ngày ...": a number the previous line announced.
    if line[0].isdigit() and fold(previous.split()[-1]) in _BEFORE_NUMBERS:
        return line
    words = line.split()
    # OCR's capital for a small letter of the same shape, on a line no longer than the one it
    # continues (a wrapped phrase does not widen), is the only capital a wrap may carry.
    if (
        _fold_char(line[0]) in _CASE_AMBIGUOUS
        and line[1:2].islower()
        and len(words) > 1
        and words[1][0].islower()
        and previous[-1:].isalpha()
        and len(line) <= len(previous)
    ):
        return line[0].lower() + line[1:]
    return None


def _recipients(head: list[str]) -> Field | None:
    """The "Kính gửi:" addressees, inline or as the dash list under it."""
    for index, line in enumerate(head):
        cleaned = _clean(line)
        found = _KINH_GUI.match(fold(cleaned))
        if found:
            value = _clean(cleaned[found.end() :]) or "; ".join(_listed(head[index + 1 :]))
            return Field(value.rstrip(";"), 0.8) if value else None
    return None


def _listed(lines: list[str]) -> list[str]:
    """The items of the dash list *lines* open with."""
    items = []
    for line in lines[:15]:
        if not line.strip().startswith(("-", "+")):
            break
        items.append(_clean(line).rstrip(";"))
    return [item for item in items if item]


# --- signature ---------------------------------------------------------------------------


def _signature(tail: list[str]) -> dict[str, Field]:
    """Signer, title and authority from the block that closes the document."""
    authorities = _authority_lines(tail)
    if authorities:
        return _anchored_signature(tail, authorities)
    return _bare_signature(tail)


def _authority_lines(tail: list[str]) -> list[tuple[int, str, str]]:
    """The last run of "TM./KT./TL./Q./TUQ." lines: (index, prefix, line from the prefix)."""
    run: list[tuple[int, str, str]] = []
    for index, line in enumerate(tail):
        found = _AUTHORITY.search(line)
        rest = _clean(line[found.start() :]) if found else ""
        if found and _is_upper(rest):
            if run and index - run[-1][0] > 2:
                run = []
            run.append((index, found.group(1) + ".", rest))
    return run


def _anchored_signature(
    tail: list[str], authorities: list[tuple[int, str, str]]
) -> dict[str, Field]:
    titles, signer = _titles_and_name(tail[authorities[-1][0] + 1 :][:12])
    title = titles[-1] if titles else authorities[-1][2]
    fields = {
        "authority": Field(" ".join(prefix for _, prefix, _ in authorities), 0.9),
        "signer_title": Field(title, _confidence(0.9, title)),
    }
    if signer:
        fields["signer"] = Field(signer, 0.9)
    return fields


def _titles_and_name(lines: list[str]) -> tuple[list[str], str | None]:
    """The title lines opening *lines* (blank lines skipped, as on a scan) and the name after."""
    titles: list[str] = []
    closed = False
    for line in lines:
        if not line.strip():
            continue
        name = _name_of(line)
        if name:
            return titles, name
        title = None if closed else _title_of(line)
        if title and len(titles) < 2:
            titles.append(title)
        else:
            closed = True  # a recipient line ends the titles; the name may still follow
    return titles, None


def _bare_signature(tail: list[str]) -> dict[str, Field]:
    """A block without an authority prefix: the last name, under the title closest above it."""
    for index in range(len(tail) - 1, -1, -1):
        name = _name_of(tail[index])
        if name:
            break
    else:
        return {}
    fields = {"signer": Field(name, 0.75)}
    above = (_title_of(line) for line in reversed(tail[max(0, index - 6) : index]))
    title = next((title for title in above if title), None)
    if title:
        fields["signer_title"] = Field(title, _confidence(0.75, title))
    return fields


def _title_of(line: str) -> str | None:
    """The upper-case words ending *line* ("CHỦ TỊCH" after a recipient in the left column)."""
    words: list[str] = []
    for word in reversed(line.split()):
        stripped = word.strip(_JUNK)
        if not stripped:
            continue
        # "- Lưu: VT, KTN." and "- UBND TỈNH SÔNG LAM;" end recipients, not titles.
        if word.endswith((";", ",")) or not (stripped.isupper() and _is_syllable(stripped)):
            break
        words.append(stripped)
    return " ".join(reversed(words)) if len(words) >= 2 else None


def _name_of(line: str) -> str | None:
    """A person's name filling *line*, or its right column: two to six capitalised syllables."""
    column = re.split(r"\s{2,}", line.strip())[-1]
    words = _split_camel(_clean(column)).split()
    if not 2 <= len(words) <= 6:
        return None
    for word in words:
        if not (word[0].isupper() and word[1:].islower() and _is_syllable(word)):
            return None
    return " ".join(words)


def _split_camel(text: str) -> str:
    """ "VănĐông" → "Văn Đông": OCR drops the space between the capitalised syllables of a name."""
    spaced = [
        f" {char}" if char.isupper() and previous.islower() else char
        for previous, char in itertools.pairwise(" " + text)
    ]
    return "".join(spaced)
