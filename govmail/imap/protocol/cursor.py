"""A position in a command being parsed, and the grammar's terminals: atoms, strings, dates."""

from __future__ import annotations

import re
from collections.abc import Callable, Generator
from datetime import date, datetime, timedelta, timezone
from typing import TypeAlias, TypeVar

from govmail.imap.protocol import grammar
from govmail.imap.protocol.types import SequenceSet

T = TypeVar("T")
# A parser that can meet a literal is a generator: it yields at the literal and is sent the
# literal's bytes with the line that follows, so each line is checked as it arrives, before the
# client is invited to send the next literal. It returns the parsed value.
Steps: TypeAlias = Generator[None, tuple[bytes, bytes], T]

MAX_NUMBER = 2**32 - 1  # number / nz-number: unsigned 32-bit (RFC 3501 section 4.2)
MAX_MODSEQ = 2**63 - 1  # mod-sequence-value (RFC 7162 section 7)
MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")

# date-text = date-day "-" date-month "-" date-year
_DATE_TEXT = re.compile(rb"([0-9]{1,2})-([A-Za-z]{3})-([0-9]{4})")
# date-time = DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP zone DQUOTE;
# a day without its padding space ("7-Jul-...") is accepted too.
_DATE_TIME = re.compile(
    rb'" ?([0-9]{1,2})-([A-Za-z]{3})-([0-9]{4}) '
    rb'([0-9]{2}):([0-9]{2}):([0-9]{2}) ([+-])([0-9]{2})([0-9]{2})"'
)
_SEQUENCE_SET = re.compile(rb"[0-9*$:,]+")
_SEQ_NUMBER = re.compile(rb"\*|[0-9]+")
_FLAG = re.compile(b"\\\\?" + grammar.ATOM.pattern)


class ParseError(ValueError):
    """The command breaks the grammar; the message says what was expected where."""


class Cursor:
    """The line being parsed and the position in it; a literal always ends a line."""

    def __init__(self, line: bytes) -> None:
        self.line = line
        self.pos = 0

    # -- looking and failing

    def peek(self) -> int | None:
        return self.line[self.pos] if self.pos < len(self.line) else None

    def at_end(self) -> bool:
        return self.pos >= len(self.line)

    def fail(self, expected: str) -> ParseError:
        return ParseError(f"expected {expected}, got {self.context()}")

    def context(self) -> str:
        if self.at_end():
            return "end of line"
        rest = self.line[self.pos : self.pos + 24].decode("ascii", "backslashreplace")
        return f'"{rest}"' + ("..." if self.pos + 24 < len(self.line) else "")

    # -- plain terminals: they never reach past the current line

    def skip(self, text: bytes) -> bool:
        if self.line.startswith(text, self.pos):
            self.pos += len(text)
            return True
        return False

    def expect(self, text: bytes, what: str) -> None:
        if not self.skip(text):
            raise self.fail(what)

    def sp(self) -> None:
        self.expect(b" ", "a space")

    def end(self) -> None:
        if not self.at_end():
            raise ParseError(f"unexpected {self.context()} after the command")

    def match(self, pattern: re.Pattern[bytes], what: str) -> bytes:
        found = pattern.match(self.line, self.pos)
        if found is None:
            raise self.fail(what)
        self.pos = found.end()
        return found.group()

    def atom(self, what: str = "an atom") -> str:
        return self.match(grammar.ATOM, what).decode("ascii")

    def keyword(self, what: str) -> str:
        """An atom compared case-insensitively: command names, options, search keys."""
        return self.atom(what).upper()

    def number(self, what: str = "a number", limit: int = MAX_NUMBER) -> int:
        digits = self.match(grammar.NUMBER, what)
        value = int(digits) if len(digits) <= 20 else limit + 1
        if value > limit:
            raise ParseError(f"{what} is too large: {digits[:24].decode()}")
        return value

    def nz_number(self, what: str = "a non-zero number") -> int:
        start = self.pos
        value = self.number(what)
        if value == 0:
            self.pos = start
            raise self.fail(what)
        return value

    def sequence_set(self, *, star: bool = True, last_result: bool = True) -> SequenceSet:
        """sequence-set with "*" and, from RFC 5182, "$"; e.g. 1:3,5,7:*."""
        start = self.pos
        text = self.match(_SEQUENCE_SET, "a sequence set")
        try:
            return parse_sequence_set(text, star=star, last_result=last_result)
        except ParseError:
            self.pos = start
            raise self.fail("a sequence set") from None

    def flag(self) -> str:
        """flag: \\Answered etc., a flag-extension \\atom, or a flag-keyword atom; case kept."""
        return self.match(_FLAG, "a flag").decode("ascii")

    def flag_list(self) -> tuple[str, ...]:
        """flag-list = "(" [flag *(SP flag)] ")"."""
        self.expect(b"(", "'(' opening a flag list")
        flags: list[str] = []
        while not self.skip(b")"):
            if flags:
                self.sp()
            flags.append(self.flag())
        return tuple(flags)

    def keyword_list(self, what: str) -> tuple[str, ...]:
        """ "(" atom *(SP atom) ")", upper-cased: status items, options."""
        self.expect(b"(", f"'(' opening the {what}")
        words: list[str] = []
        while not self.skip(b")"):
            if words:
                self.sp()
            words.append(self.keyword(what))
        return tuple(words)

    def quoted(self) -> bytes:
        found = grammar.QUOTED.match(self.line, self.pos)
        if found is None:
            if self.peek() == grammar.DQUOTE:
                # Only \" and \\ are escapes; CR, LF and NUL never appear in a quoted string.
                raise ParseError(f"unterminated or malformed quoted string {self.context()}")
            raise self.fail("a quoted string")
        self.pos = found.end()
        return grammar.QUOTED_PAIR.sub(rb"\1", found.group(1))

    def date(self) -> date:
        """date = date-text / DQUOTE date-text DQUOTE: 1-Feb-2026 or "01-Feb-2026"."""
        quoted = self.skip(b'"')
        found = _DATE_TEXT.match(self.line, self.pos)
        if found is None:
            raise self.fail("a date like 1-Feb-2026")
        self.pos = found.end()
        if quoted:
            self.expect(b'"', "'\"' closing the date")
        day, month, year = found.groups()
        return _calendar(lambda: date(int(year), _month(month), int(day)))

    def date_time(self) -> datetime:
        """date-time: "17-Jul-1996 02:44:25 -0700", as a timezone-aware datetime."""
        found = _DATE_TIME.match(self.line, self.pos)
        if found is None:
            raise self.fail('a date-time like "17-Jul-1996 02:44:25 -0700"')
        self.pos = found.end()
        day, month, year, hour, minute, second, sign, zone_h, zone_m = found.groups()
        if int(zone_m) > 59:
            raise ParseError(f"bad time zone {sign.decode()}{zone_h.decode()}{zone_m.decode()}")
        offset = timedelta(hours=int(zone_h), minutes=int(zone_m)) * (-1 if sign == b"-" else 1)
        return _calendar(
            lambda: datetime(
                int(year),
                _month(month),
                int(day),
                int(hour),
                int(minute),
                int(second),
                tzinfo=timezone(offset),
            )
        )

    # -- strings: these may meet a literal, so they are Steps

    def literal(self, *, binary: bool = False) -> Steps[bytes]:
        """literal (or literal8 when *binary*): the header ends the line; the data comes after."""
        found = grammar.LITERAL.match(self.line, self.pos)
        if found is None:
            raise self.fail("a literal")
        if found.end() != len(self.line):
            self.pos = found.end()
            raise ParseError(f"a literal must end its line, got {self.context()}")
        if found.group(1) and not binary:
            raise ParseError("a literal8 (~{n}) is allowed only for APPEND data")
        data, self.line = yield
        self.pos = 0
        return data

    def string(self, what: str = "a string") -> Steps[bytes]:
        """string = quoted / literal."""
        if self.peek() == grammar.DQUOTE:
            return self.quoted()
        if self.peek() not in (ord("{"), ord("~")):
            raise self.fail(what)
        data = yield from self.literal()
        if b"\x00" in data:
            raise ParseError(f"{what} holds a NUL, which no IMAP string may carry")
        return data

    def astring(self, what: str = "a string") -> Steps[bytes]:
        """astring = 1*ASTRING-CHAR / string."""
        found = grammar.ASTRING_ATOM.match(self.line, self.pos)
        # "~" is an ASTRING-CHAR, but "~{" starts a literal8: say that rather than "~" and junk.
        if found is not None and not self.line.startswith(b"~{", self.pos):
            self.pos = found.end()
            return found.group()
        return (yield from self.string(what))

    def nstring(self, what: str = "a string or NIL") -> Steps[bytes | None]:
        """nstring = string / nil."""
        if self.line[self.pos : self.pos + 3].upper() == b"NIL":
            self.pos += 3
            return None
        return (yield from self.string(what))

    def astring_text(self, what: str = "a string") -> Steps[str]:
        return text(what, (yield from self.astring(what)))

    def header_field_name(self) -> Steps[str]:
        """header-fld-name = astring, upper-cased; only RFC 5322 ftext makes a field name."""
        name = yield from self.astring_text("a header field name")
        if not name or any(ord(c) not in grammar.FTEXT for c in name):
            raise ParseError(f"bad header field name {name[:24]!r}")
        return name.upper()

    def mailbox(self) -> Steps[str]:
        """mailbox = "INBOX" / astring, as sent: the session decodes modified UTF-7."""
        return (yield from self.astring_text("a mailbox name"))

    def list_mailbox(self) -> Steps[str]:
        """list-mailbox = 1*list-char / string: a LIST pattern with % and *."""
        found = grammar.LIST_MAILBOX_ATOM.match(self.line, self.pos)
        if found is not None:
            self.pos = found.end()
            return found.group().decode("ascii")
        return text("a mailbox pattern", (yield from self.string("a mailbox pattern")))


def text(what: str, data: bytes) -> str:
    """Strings are UTF-8 (RFC 6855 for quoted strings; mailbox names are ASCII or UTF-8)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ParseError(f"{what} is not valid UTF-8") from None


def parse_sequence_set(text: bytes, *, star: bool = True, last_result: bool = True) -> SequenceSet:
    """sequence-set = (seq-number / seq-range / "$") *("," ...); raises ParseError."""
    ranges: list[tuple[int | None, int | None]] = []
    saw_dollar = False
    for item in text.split(b","):
        if item == b"$" and last_result:
            saw_dollar = True
            continue
        ends = item.split(b":")
        if len(ends) > 2:
            raise ParseError(f"bad sequence range {item.decode()}")
        first = _seq_number(ends[0], star)
        ranges.append((first, _seq_number(ends[1], star) if len(ends) == 2 else first))
    return SequenceSet(tuple(ranges), saw_dollar)


def _seq_number(text: bytes, star: bool) -> int | None:
    """seq-number = nz-number / "*"."""
    if _SEQ_NUMBER.fullmatch(text) is None or (text == b"*" and not star):
        raise ParseError(f"bad sequence number {text[:24].decode('ascii', 'replace')!r}")
    if text == b"*":
        return None
    value = int(text) if len(text) <= 10 else 0
    if not 0 < value <= MAX_NUMBER:
        raise ParseError(f"sequence number out of range: {text[:24].decode()}")
    return value


def _month(name: bytes) -> int:
    try:
        return MONTHS.index(name.decode("ascii").upper()) + 1
    except ValueError:
        raise ParseError(f"unknown month {name.decode('ascii', 'replace')}") from None


def _calendar(build: Callable[[], T]) -> T:
    """Build a date; days that do not exist (31-Feb) are a ParseError like any bad syntax."""
    try:
        return build()
    except ValueError as error:
        if isinstance(error, ParseError):
            raise
        raise ParseError(f"no such date: {error}") from None
