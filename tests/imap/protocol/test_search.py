"""Search programs: every RFC 3501 key, nesting, OR/NOT, implicit AND, sequence sets, MODSEQ."""

from __future__ import annotations

from datetime import date

import pytest

from govmail.imap.protocol.commands import Search
from govmail.imap.protocol.types import SearchKey, SequenceSet
from tests.imap.protocol import parse

K = SearchKey


def key(program: bytes) -> SearchKey:
    command = parse(b"S1 SEARCH " + program + b"\r\n")
    assert isinstance(command, Search)
    return command.key


@pytest.mark.parametrize(
    ("program", "expected"),
    [
        (b"ALL", K("ALL")),
        (b"NEW", K("NEW")),
        (b"OLD", K("OLD")),
        (b"RECENT", K("RECENT")),
        (b"ANSWERED", K("FLAG", ("\\Answered",))),
        (b"DELETED", K("FLAG", ("\\Deleted",))),
        (b"DRAFT", K("FLAG", ("\\Draft",))),
        (b"FLAGGED", K("FLAG", ("\\Flagged",))),
        (b"seen", K("FLAG", ("\\Seen",))),
        (b"UNANSWERED", K("UNFLAG", ("\\Answered",))),
        (b"UNDELETED", K("UNFLAG", ("\\Deleted",))),
        (b"UNDRAFT", K("UNFLAG", ("\\Draft",))),
        (b"UNFLAGGED", K("UNFLAG", ("\\Flagged",))),
        (b"UNSEEN", K("UNFLAG", ("\\Seen",))),
        (b"KEYWORD $Forwarded", K("FLAG", ("$Forwarded",))),
        (b"UNKEYWORD $Junk", K("UNFLAG", ("$Junk",))),
        (b"BEFORE 1-Feb-2026", K("BEFORE", (date(2026, 2, 1),))),
        (b'ON "01-feb-2026"', K("ON", (date(2026, 2, 1),))),
        (b"SINCE 29-Feb-2024", K("SINCE", (date(2024, 2, 29),))),
        (b"SENTBEFORE 31-Dec-1999", K("SENTBEFORE", (date(1999, 12, 31),))),
        (b"SENTON 7-Jul-2026", K("SENTON", (date(2026, 7, 7),))),
        (b"SENTSINCE 10-Oct-2010", K("SENTSINCE", (date(2010, 10, 10),))),
        (b"FROM nguyenvana", K("HEADER", ("FROM", "nguyenvana"))),
        (b'TO "ubnd@songlam.gov.vn"', K("HEADER", ("TO", "ubnd@songlam.gov.vn"))),
        (b"CC x", K("HEADER", ("CC", "x"))),
        (b"BCC x", K("HEADER", ("BCC", "x"))),
        (b'SUBJECT "C\xc3\xb4ng v\xc4\x83n"', K("HEADER", ("SUBJECT", "Công văn"))),
        (b'HEADER Message-ID "<a@b>"', K("HEADER", ("MESSAGE-ID", "<a@b>"))),
        (b'HEADER X-Priority ""', K("HEADER", ("X-PRIORITY", ""))),
        (b"BODY {6}\r\nhello!", K("BODY", ("hello!",))),
        (b'TEXT "a \\"quoted\\" \\\\ word"', K("TEXT", ('a "quoted" \\ word',))),
        (b"LARGER 1024", K("LARGER", (1024,))),
        (b"SMALLER 0", K("SMALLER", (0,))),
        (b"UID 1:*", K("UID", (SequenceSet(((1, None),)),))),
        (b"UID $", K("UID", (SequenceSet((), True),))),
        (b"2,4:7,9:*", K("SEQ", (SequenceSet(((2, 2), (4, 7), (9, None))),))),
        (b"*", K("SEQ", (SequenceSet(((None, None),)),))),
        (b"$", K("SEQ", (SequenceSet((), True),))),
        (b"MODSEQ 620162338", K("MODSEQ", (620162338,))),
        (b'MODSEQ "/flags/\\\\draft" all 620162338', K("MODSEQ", (620162338,))),
        (b'MODSEQ "/flags/\\\\Seen" PRIV 0', K("MODSEQ", (0,))),
        (b"NOT SEEN", K("NOT", (K("FLAG", ("\\Seen",)),))),
        (b"NOT NOT ALL", K("NOT", (K("NOT", (K("ALL"),)),))),
        (b"OR SEEN FLAGGED", K("OR", (K("FLAG", ("\\Seen",)), K("FLAG", ("\\Flagged",))))),
        (b"(SEEN)", K("FLAG", ("\\Seen",))),
        (b"((ALL))", K("ALL")),
        (b"(SEEN FLAGGED)", K("AND", (K("FLAG", ("\\Seen",)), K("FLAG", ("\\Flagged",))))),
    ],
)
def test_search_key(program, expected):
    assert key(program) == expected


def test_implicit_and_with_nested_or_not_and_parens():
    # Thunderbird's quick filter: a term across fields, combined with a date and state.
    program = b'UNDELETED OR OR SUBJECT "dn" FROM "dn" (TO "dn" NOT CC "x") SINCE 1-Jan-2026 1:50'
    assert key(program) == K(
        "AND",
        (
            K("UNFLAG", ("\\Deleted",)),
            K(
                "OR",
                (
                    K("OR", (K("HEADER", ("SUBJECT", "dn")), K("HEADER", ("FROM", "dn")))),
                    K("AND", (K("HEADER", ("TO", "dn")), K("NOT", (K("HEADER", ("CC", "x")),)))),
                ),
            ),
            K("SINCE", (date(2026, 1, 1),)),
            K("SEQ", (SequenceSet(((1, 50),)),)),
        ),
    )


def test_literals_inside_nested_keys():
    program = b"OR (SUBJECT {3}\r\nabc FROM x) BODY {2}\r\nyz"
    assert key(program) == K(
        "OR",
        (
            K("AND", (K("HEADER", ("SUBJECT", "abc")), K("HEADER", ("FROM", "x")))),
            K("BODY", ("yz",)),
        ),
    )


def test_literal_as_the_last_key_ends_the_command():
    assert key(b"HEADER {7}\r\nSubject {0}\r\n") == K("HEADER", ("SUBJECT", ""))


def test_charset_and_return_options_come_before_the_keys():
    command = parse(b"S1 UID SEARCH RETURN (COUNT MIN MIN) CHARSET {5}\r\nUTF-8 ALL\r\n")
    assert command == Search("S1", K("ALL"), "UTF-8", ("COUNT", "MIN"), uid=True)


def test_deep_but_bounded_nesting_parses():
    assert key(b"(" * 50 + b"ALL" + b")" * 50) == K("ALL")
    assert key(b"NOT " * 90 + b"ALL").op == "NOT"
