"""Values of the IMAP grammar shared by the parser, the response writer and the session."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from govmail.imap.protocol.grammar import is_astring_atom


class Atom(str):
    """A str the writer puts on the wire bare: flags like \\Seen, keywords, response names."""

    __slots__ = ()


@dataclass(frozen=True)
class Raw:
    """Pre-rendered bytes, written verbatim."""

    data: bytes


@dataclass(frozen=True)
class Literal:
    """Bytes always written as a literal {n} (a literal8 ~{n} when binary)."""

    data: bytes
    binary: bool = False


@dataclass(frozen=True)
class SequenceSet:
    """RFC 3501 sequence-set. None in a range stands for '*'. last_result is '$' (RFC 5182).

    A single number n is the range (n, n). The session resolves '$' itself: values() and
    contains() only look at the ranges.
    """

    ranges: tuple[tuple[int | None, int | None], ...]
    last_result: bool = False

    def values(self, largest: int) -> Iterator[int]:
        """Ascending, deduplicated, each in 1..largest ('*' = largest)."""
        for low, high in self.spans(largest):
            yield from range(low, high + 1)

    def contains(self, n: int, largest: int) -> bool:
        return any(low <= n <= high for low, high in self.spans(largest))

    def spans(self, largest: int) -> list[tuple[int, int]]:
        """The ranges as sorted, disjoint (low, high) pairs clipped to 1..largest."""
        spans: list[tuple[int, int]] = []
        for first, last in self.ranges:
            low = largest if first is None else first
            high = largest if last is None else last
            # "7:*" with 5 messages means "5:7" (RFC 3501 section 9, seq-range): order is free.
            low, high = max(min(low, high), 1), min(max(low, high), largest)
            if low <= high:
                spans.append((low, high))
        spans.sort()
        merged: list[tuple[int, int]] = []
        for low, high in spans:
            if merged and low <= merged[-1][1] + 1:
                merged[-1] = (merged[-1][0], max(merged[-1][1], high))
            else:
                merged.append((low, high))
        return merged

    def __str__(self) -> str:
        parts = [_range_text(first, last) for first, last in self.ranges]
        if self.last_result:
            parts.append("$")
        return ",".join(parts)

    @classmethod
    def from_values(cls, values: Iterable[int]) -> SequenceSet:
        """The shortest ranges covering *values*: [1, 2, 3, 5] → "1:3,5"."""
        ranges: list[tuple[int | None, int | None]] = []
        for n in sorted(set(values)):
            if ranges and ranges[-1][1] == n - 1:
                ranges[-1] = (ranges[-1][0], n)
            else:
                ranges.append((n, n))
        return cls(tuple(ranges))


def _range_text(first: int | None, last: int | None) -> str:
    start = "*" if first is None else str(first)
    if first == last:
        return start
    return f"{start}:{'*' if last is None else last}"


@dataclass(frozen=True)
class BodySection:
    """BODY[...] / BODY.PEEK[...] / BINARY[...]."""

    part: tuple[int, ...] = ()
    text: str | None = None  # None, HEADER, HEADER.FIELDS, HEADER.FIELDS.NOT, TEXT, MIME
    fields: tuple[str, ...] = ()  # upper-cased header names for HEADER.FIELDS[.NOT]
    partial: tuple[int, int] | None = None  # <origin.count>
    peek: bool = False
    binary: bool = False  # BINARY[...] / BINARY.PEEK[...] (RFC 3516)

    def label(self) -> str:
        """How a FETCH response names it: BODY[1.2.HEADER.FIELDS (FROM TO)]<0>.

        The origin of a partial is shown and its count is not; PEEK is never shown (RFC 3501
        section 7.4.2).
        """
        name = "BINARY" if self.binary else "BODY"
        origin = "" if self.partial is None else f"<{self.partial[0]}>"
        return f"{name}[{self.spec()}]{origin}"

    def spec(self) -> str:
        """What goes between the brackets: 1.2.HEADER.FIELDS (FROM TO)."""
        words = [str(n) for n in self.part]
        if self.text is not None:
            words.append(self.text)
        spec = ".".join(words)
        if self.text in ("HEADER.FIELDS", "HEADER.FIELDS.NOT"):
            spec += " (" + " ".join(_header_name(name) for name in self.fields) + ")"
        return spec


def _header_name(name: str) -> str:
    if is_astring_atom(name):
        return name
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


@dataclass(frozen=True)
class FetchItem:
    """One FETCH attribute. The macros ALL, FAST and FULL are expanded by the parser.

    name is ENVELOPE, FLAGS, INTERNALDATE, RFC822.SIZE, RFC822, RFC822.HEADER, RFC822.TEXT, BODY,
    BODYSTRUCTURE, UID, MODSEQ, BINARY.SIZE, or BODY[] for a section (also for BINARY[]);
    section is set for BODY[] and BINARY.SIZE.
    """

    name: str
    section: BodySection | None = None

    def label(self) -> str:
        """How a FETCH response names this item: FLAGS, BODY[TEXT]<0>, BINARY.SIZE[1]."""
        if self.section is None:
            return self.name
        if self.name == "BINARY.SIZE":
            return f"BINARY.SIZE[{self.section.spec()}]"
        return self.section.label()


@dataclass(frozen=True)
class SearchKey:
    """A search program node. op and args:

    ALL ()                         AND (key, key, ...)    OR (a, b)    NOT (key,)
    SEQ (SequenceSet,)             UID (SequenceSet,)
    FLAG (flag,)  UNFLAG (flag,)   # ANSWERED→FLAG \\Answered, UNSEEN→UNFLAG \\Seen,
                                   # KEYWORD k→FLAG k, UNKEYWORD k→UNFLAG k,
                                   # DELETED, DRAFT, FLAGGED, SEEN likewise
    NEW ()  OLD ()  RECENT ()
    BEFORE/ON/SINCE (date,)        SENTBEFORE/SENTON/SENTSINCE (date,)      # datetime.date
    LARGER/SMALLER (n,)
    HEADER (field_name_upper, value)   # FROM/TO/CC/BCC/SUBJECT x → HEADER ("FROM", x) etc.
    BODY (text,)  TEXT (text,)
    MODSEQ (n,)                    # CONDSTORE; entry-name/type ignored
    """

    op: str
    args: tuple[Any, ...] = ()
