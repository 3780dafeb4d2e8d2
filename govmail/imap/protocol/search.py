"""SEARCH programs: RFC 3501 search-key, MODSEQ (RFC 7162) and $ (RFC 5182), as SearchKey trees."""

from __future__ import annotations

from collections.abc import Callable

from govmail.imap.protocol import grammar
from govmail.imap.protocol.cursor import MAX_MODSEQ, Cursor, ParseError, Steps, text
from govmail.imap.protocol.types import SearchKey

# Every level of parentheses, NOT and OR is a level of recursion; real clients stay far below.
MAX_DEPTH = 100

_BARE = frozenset({"ALL", "NEW", "OLD", "RECENT"})
_FLAGS = {
    "ANSWERED": ("FLAG", "\\Answered"),
    "DELETED": ("FLAG", "\\Deleted"),
    "DRAFT": ("FLAG", "\\Draft"),
    "FLAGGED": ("FLAG", "\\Flagged"),
    "SEEN": ("FLAG", "\\Seen"),
    "UNANSWERED": ("UNFLAG", "\\Answered"),
    "UNDELETED": ("UNFLAG", "\\Deleted"),
    "UNDRAFT": ("UNFLAG", "\\Draft"),
    "UNFLAGGED": ("UNFLAG", "\\Flagged"),
    "UNSEEN": ("UNFLAG", "\\Seen"),
}
_KEYWORDS = {"KEYWORD": "FLAG", "UNKEYWORD": "UNFLAG"}
_DATES = frozenset({"BEFORE", "ON", "SINCE", "SENTBEFORE", "SENTON", "SENTSINCE"})
_HEADERS = frozenset({"FROM", "TO", "CC", "BCC", "SUBJECT"})
_TEXTS = frozenset({"BODY", "TEXT"})
_SIZES = frozenset({"LARGER", "SMALLER"})
_ENTRY_TYPES = frozenset({"PRIV", "SHARED", "ALL"})
_WITH_ARGUMENT = (
    _KEYWORDS.keys() | _DATES | _HEADERS | _TEXTS | _SIZES | {"HEADER", "UID", "MODSEQ"}
)
_SEQUENCE_START = grammar.DIGIT | frozenset(b"*$")


def search_program(cur: Cursor, charset: str | None) -> Steps[SearchKey]:
    """search-key *(SP search-key) to the end of the command; several keys are one AND."""
    keys = _Keys(cur, decoder(charset))
    program = [(yield from keys.key(0))]
    while not cur.at_end():
        cur.sp()
        program.append((yield from keys.key(0)))
    return all_of(program)


def all_of(keys: list[SearchKey]) -> SearchKey:
    """One key stands for itself; several are an AND (implicit in IMAP)."""
    return keys[0] if len(keys) == 1 else SearchKey("AND", tuple(keys))


def decoder(charset: str | None) -> Callable[[bytes], str]:
    """How the strings of a program in *charset* become str.

    Clients that name no charset send UTF-8 in practice. A charset Python does not know still
    parses (with replacement characters) so that the session can answer NO [BADCHARSET].
    """
    if charset is None or charset.upper() in ("UTF-8", "US-ASCII"):
        return lambda data: text("a search string", data)

    def decode(data: bytes) -> str:
        try:
            return data.decode(charset)
        except LookupError:
            return data.decode("utf-8", "replace")
        except (ValueError, TypeError):
            raise ParseError(f"a search string is not valid {charset}") from None

    return decode


class _Keys:
    """The search-key rule, reading from one cursor with one charset."""

    def __init__(self, cur: Cursor, decode: Callable[[bytes], str]) -> None:
        self.cur = cur
        self.decode = decode

    def key(self, depth: int) -> Steps[SearchKey]:
        if depth > MAX_DEPTH:
            raise ParseError(f"search keys nested more than {MAX_DEPTH} deep")
        cur = self.cur
        if cur.skip(b"("):
            keys = [(yield from self.key(depth + 1))]
            while cur.skip(b" "):
                keys.append((yield from self.key(depth + 1)))
            cur.expect(b")", "')' closing the search keys")
            return all_of(keys)
        if cur.peek() in _SEQUENCE_START:
            return SearchKey("SEQ", (cur.sequence_set(),))
        name = cur.keyword("a search key")
        if name in _BARE:
            return SearchKey(name)
        if name in _FLAGS:
            op, flag = _FLAGS[name]
            return SearchKey(op, (flag,))
        if name in ("NOT", "OR"):
            return (yield from self._logic(name, depth))
        if name not in _WITH_ARGUMENT:
            raise ParseError(f"unknown search key {name}")
        cur.sp()
        return (yield from self._with_argument(name))

    def _logic(self, name: str, depth: int) -> Steps[SearchKey]:
        self.cur.sp()
        first = yield from self.key(depth + 1)
        if name == "NOT":
            return SearchKey("NOT", (first,))
        self.cur.sp()
        return SearchKey("OR", (first, (yield from self.key(depth + 1))))

    def _with_argument(self, name: str) -> Steps[SearchKey]:
        cur = self.cur
        if name in _KEYWORDS:
            return SearchKey(_KEYWORDS[name], (cur.flag(),))
        if name in _DATES:
            return SearchKey(name, (cur.date(),))
        if name in _HEADERS:
            return SearchKey("HEADER", (name, (yield from self._string())))
        if name == "HEADER":
            field = yield from cur.header_field_name()
            cur.sp()
            return SearchKey("HEADER", (field, (yield from self._string())))
        if name in _TEXTS:
            return SearchKey(name, ((yield from self._string()),))
        if name in _SIZES:
            return SearchKey(name, (cur.number(f"a size after {name}"),))
        if name == "UID":
            return SearchKey("UID", (cur.sequence_set(),))
        return SearchKey("MODSEQ", (self._modseq(),))

    def _string(self) -> Steps[str]:
        return self.decode((yield from self.cur.astring("a search string")))

    def _modseq(self) -> int:
        """ "MODSEQ" [SP entry-name SP entry-type-req] SP mod-sequence-valzer (RFC 7162)."""
        cur = self.cur
        if cur.peek() == grammar.DQUOTE:
            cur.quoted()  # entry-name: per-flag modseqs are not kept, so it selects nothing
            cur.sp()
            start = cur.pos
            if cur.keyword("priv, shared or all") not in _ENTRY_TYPES:
                cur.pos = start
                raise cur.fail("priv, shared or all")
            cur.sp()
        return cur.number("a mod-sequence value", limit=MAX_MODSEQ)
