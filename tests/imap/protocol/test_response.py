"""The response writer renders exactly, and never writes what a client could misread."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from govmail.imap.protocol.response import (
    continuation,
    date_time,
    quote,
    render,
    tagged,
    untagged,
    untagged_status,
)
from govmail.imap.protocol.types import Atom, Literal, Raw, SequenceSet


@pytest.mark.parametrize(
    ("value", "wire"),
    [
        (None, b"NIL"),
        (0, b"0"),
        (4294967295, b"4294967295"),
        (Atom("\\Seen"), b"\\Seen"),
        (Atom("BODY[HEADER.FIELDS (FROM)]<0>"), b"BODY[HEADER.FIELDS (FROM)]<0>"),
        (Raw(b"[READ-WRITE]"), b"[READ-WRITE]"),
        (Literal(b"abc"), b"{3}\r\nabc"),
        (Literal(b"a\x00c", binary=True), b"~{3}\r\na\x00c"),
        (b"", b"{0}\r\n"),
        (b"raw\r\n", b"{5}\r\nraw\r\n"),
        ("", b'""'),
        ("INBOX", b'"INBOX"'),
        ('say "hi"', b'"say \\"hi\\""'),
        ("a\\b", b'"a\\\\b"'),
        ("tab\tok", b'"tab\tok"'),
        ("two\r\nlines", b"{10}\r\ntwo\r\nlines"),
        ("cr\ronly", b"{7}\r\ncr\ronly"),
        ("nul\x00", b"{4}\r\nnul\x00"),
        ("Văn bản", b"{10}\r\nV\xc4\x83n b\xe1\xba\xa3n"),
        ('""""""', b'{6}\r\n""""""'),  # six escapes would cost more than a literal's header
        ('"x"', b'"\\"x\\""'),
        ("x" * 1000, b'"' + b"x" * 1000 + b'"'),
        ("x" * 1001, b"{1001}\r\n" + b"x" * 1001),
        ([], b"()"),
        ((1, "a", None, [Atom("\\Seen"), Atom("$Junk")]), b'(1 "a" NIL (\\Seen $Junk))'),
    ],
)
def test_render(value, wire):
    assert render(value) == wire


def test_utf8_may_be_quoted_once_enabled_but_nul_and_newlines_never():
    assert render("Văn bản", utf8=True) == '"Văn bản"'.encode()
    assert render(["đến"], utf8=True) == '("đến")'.encode()
    assert render("đ\x00", utf8=True) == b"{3}\r\n\xc4\x91\x00"
    assert render("đ\n", utf8=True) == b"{3}\r\n\xc4\x91\n"


@pytest.mark.parametrize("value", [True, -1, 1.5, object(), SequenceSet(((1, 1),)), {"a": 1}])
def test_values_without_an_imap_form_are_refused(value):
    with pytest.raises((TypeError, ValueError)):
        render(value)


@pytest.mark.parametrize("atom", ["", "a\r\nb", "x\x00"])
def test_atoms_that_would_break_the_line_are_refused(atom):
    with pytest.raises(ValueError):
        render(Atom(atom))


def test_lone_surrogates_are_replaced_not_raised():
    assert render("a\ud800") == b'"a?"'


def test_quote():
    assert quote('a "b" \\c') == b'"a \\"b\\" \\\\c"'
    assert quote("đ") == '"đ"'.encode()
    for bad in ("a\rb", "a\nb", "a\x00b"):
        with pytest.raises(ValueError):
            quote(bad)


def test_status_lines():
    assert tagged("A1", "OK", "LOGIN completed") == b"A1 OK LOGIN completed\r\n"
    assert tagged("A2", "NO", "No such mailbox", "TRYCREATE") == (
        b"A2 NO [TRYCREATE] No such mailbox\r\n"
    )
    assert tagged("A3", "OK", "") == b"A3 OK done\r\n"
    # Text from an exception may hold a newline; the response must stay one line.
    assert tagged("A4", "BAD", "two\r\nlines\x00") == b"A4 BAD two  lines \r\n"
    assert untagged_status("OK", "UIDs valid", "UIDVALIDITY 3857529045") == (
        b"* OK [UIDVALIDITY 3857529045] UIDs valid\r\n"
    )


def test_untagged():
    assert untagged(172, Atom("EXISTS")) == b"* 172 EXISTS\r\n"
    assert untagged(Atom("FLAGS"), [Atom("\\Answered"), Atom("\\Seen")]) == (
        b"* FLAGS (\\Answered \\Seen)\r\n"
    )
    assert untagged(Atom("LIST"), [Atom("\\HasNoChildren")], "/", "Văn bản") == (
        b'* LIST (\\HasNoChildren) "/" {10}\r\nV\xc4\x83n b\xe1\xba\xa3n\r\n'
    )
    assert untagged(Atom("LIST"), [], "/", "Văn bản", utf8=True) == (
        '* LIST () "/" "Văn bản"\r\n'.encode()
    )


def test_continuation():
    assert continuation() == b"+ Ready\r\n"
    assert continuation("") == b"+ \r\n"
    assert continuation("idling") == b"+ idling\r\n"


def test_date_time():
    tz = timezone(timedelta(hours=-7))
    assert date_time(datetime(1996, 7, 17, 2, 44, 25, tzinfo=tz)) == "17-Jul-1996 02:44:25 -0700"
    assert date_time(datetime(2026, 2, 1, 8, 0, tzinfo=UTC)) == "01-Feb-2026 08:00:00 +0000"
    ict = timezone(timedelta(hours=7))
    assert date_time(datetime(2026, 12, 31, 23, 59, 59, tzinfo=ict)) == (
        "31-Dec-2026 23:59:59 +0700"
    )
    india = timezone(timedelta(hours=-5, minutes=-30))
    assert date_time(datetime(2026, 1, 1, tzinfo=india)) == "01-Jan-2026 00:00:00 -0530"
