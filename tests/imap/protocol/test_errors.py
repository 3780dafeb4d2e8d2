"""Bad commands: a Malformed event that names the fault, then the next command reads cleanly."""

from __future__ import annotations

import pytest

from govmail.imap.protocol import commands as c
from govmail.imap.protocol.reader import CommandReady, LiteralRequest, Malformed
from tests.imap.protocol import events

NEXT = b"Z9 NOOP\r\n"

BAD = [
    (b"A1 FOO\r\n", "A1", "unknown command FOO"),
    (b"A1 UID NOOP 1\r\n", "A1", "unknown command UID NOOP"),
    (b"A1\r\n", "A1", "expected a command name after the tag"),
    (b"\r\n", None, "empty command line"),
    (b"+ Ready\r\n", None, "starts with a tag"),
    (b"(A1) NOOP\r\n", None, "starts with a tag"),
    (b"A1\x00 NOOP\r\n", None, "starts with a tag"),
    (b"A1 NOOP now\r\n", "A1", 'NOOP: unexpected " now" after the command'),
    (b"A1 NOOP \r\n", "A1", "NOOP: unexpected"),
    (b"A1 LOGIN user\r\n", "A1", "LOGIN: expected a space, got end of line"),
    (b'A1 LOGIN "user pass\r\n', "A1", 'LOGIN: unterminated or malformed quoted string "'),
    (b'A1 LOGIN "a\\b" c\r\n', "A1", "LOGIN: unterminated or malformed quoted string"),
    (b'A1 LOGIN "\xff" c\r\n', "A1", "user name is not valid UTF-8"),
    (b"A1 LOGIN {1}x c\r\n", "A1", "a literal must end its line"),
    (b"A1 LOGIN ~{1}\r\n", "A1", "literal8 (~{n}) is allowed only for APPEND"),
    (b"A1 AUTHENTICATE\r\n", "A1", "AUTHENTICATE: expected a space"),
    (b"A1 AUTHENTICATE PLAIN dXNlcj1\r\n", "A1", "AUTHENTICATE: unexpected"),
    (b"A1 SELECT\r\n", "A1", "SELECT: expected a space"),
    (b"A1 SELECT INBOX (FOO)\r\n", "A1", "unknown or repeated SELECT parameter FOO"),
    (b"A1 SELECT INBOX (CONDSTORE CONDSTORE)\r\n", "A1", "repeated SELECT parameter CONDSTORE"),
    (b"A1 SELECT INBOX (QRESYNC (0 1))\r\n", "A1", "expected a UIDVALIDITY"),
    (b"A1 SELECT INBOX (QRESYNC (1 1 1:*))\r\n", "A1", "expected a sequence set"),
    (b"A1 CREATE x (FOO (\\Archive))\r\n", "A1", "unknown CREATE parameter FOO"),
    (b'A1 LIST "" "*" RETURN (BOGUS)\r\n', "A1", "unknown LIST return option BOGUS"),
    (b'A1 LIST (BOGUS) "" "*"\r\n', "A1", "unknown LIST selection option BOGUS"),
    (b'A1 LIST (RECURSIVEMATCH) "" "*"\r\n', "A1", "RECURSIVEMATCH needs SUBSCRIBED"),
    (b'A1 LIST "" "*" FOO (X)\r\n', "A1", "expected RETURN"),
    (b'A1 LIST "" ("a" "b"\r\n', "A1", "')' closing the mailbox patterns"),
    (b"A1 STATUS INBOX (MESSAGES BOGUS)\r\n", "A1", "unknown status item BOGUS"),
    (b"A1 STATUS INBOX ()\r\n", "A1", "STATUS needs at least one item"),
    (b'A1 APPEND INBOX "hello"\r\n', "A1", "expected a date-time"),
    (b"A1 APPEND INBOX (\\Seen)\r\n", "A1", "APPEND: expected a space"),
    (b"A1 APPEND INBOX x\r\n", "A1", "expected the message as a literal"),
    (b'A1 APPEND INBOX "31-Feb-2026 10:00:00 +0000" {1}\r\n', "A1", "no such date"),
    (b'A1 APPEND INBOX "1-Feb-2026 10:00:00 +0099" {1}\r\n', "A1", "bad time zone +0099"),
    (b'A1 APPEND INBOX "1-Foo-2026 10:00:00 +0000" {1}\r\n', "A1", "unknown month Foo"),
    (b"A1 SEARCH\r\n", "A1", "SEARCH: expected a space"),
    (b"A1 SEARCH FOO\r\n", "A1", "unknown search key FOO"),
    (b"A1 SEARCH (SEEN\r\n", "A1", "')' closing the search keys"),
    (b"A1 SEARCH SINCE 2026-02-01\r\n", "A1", "expected a date like 1-Feb-2026"),
    (b"A1 SEARCH OR SEEN\r\n", "A1", "SEARCH: expected a space"),
    (b"A1 SEARCH LARGER x\r\n", "A1", "expected a size after LARGER"),
    (b"A1 SEARCH 0:3\r\n", "A1", "expected a sequence set"),
    (b"A1 SEARCH RETURN (FIRST) ALL\r\n", "A1", "unknown SEARCH return option FIRST"),
    (b'A1 SEARCH MODSEQ "/flags/\\\\Seen" both 5\r\n', "A1", "priv, shared or all"),
    (b"A1 SEARCH HEADER Sub:ject x\r\n", "A1", "bad header field name"),
    (b"A1 SEARCH " + b"(" * 200 + b"ALL" + b")" * 200 + b"\r\n", "A1", "nested more than"),
    (b"A1 SEARCH " + b"NOT " * 500 + b"ALL\r\n", "A1", "nested more than"),
    (b"A1 FETCH 1\r\n", "A1", "FETCH: expected a space"),
    (b"A1 FETCH x FLAGS\r\n", "A1", "FETCH: expected a sequence set"),
    (b"A1 FETCH 1:2:3 FLAGS\r\n", "A1", "expected a sequence set"),
    (b"A1 FETCH 4294967296 FLAGS\r\n", "A1", "expected a sequence set"),
    (b"A1 FETCH 1 (FLAGS BOGUS)\r\n", "A1", "unknown fetch attribute BOGUS"),
    (b"A1 FETCH 1 (ALL)\r\n", "A1", "ALL is a macro and must stand alone"),
    (b"A1 FETCH 1 ()\r\n", "A1", "expected a fetch attribute"),
    (b"A1 FETCH 1 BODY[HEADER.FIELDS]\r\n", "A1", "FETCH: expected a space"),
    (b"A1 FETCH 1 BODY[MIME]\r\n", "A1", "HEADER or TEXT or HEADER.FIELDS or HEADER.FIELDS.NOT"),
    (b"A1 FETCH 1 BODY[1.FOO]\r\n", "A1", "in the section"),
    (b"A1 FETCH 1 BINARY[1.TEXT]\r\n", "A1", "a BINARY section takes part numbers only"),
    (b"A1 FETCH 1 BINARY.SIZE\r\n", "A1", "BINARY.SIZE needs a section"),
    (b"A1 FETCH 1 BODY[]<5>\r\n", "A1", "'.' in the partial"),
    (b"A1 FETCH 1 BODY[]<0.0>\r\n", "A1", "the partial's octet count"),
    (b"A1 FETCH 1 FLAGS (VANISHED)\r\n", "A1", "VANISHED needs UID FETCH with CHANGEDSINCE"),
    (b"A1 UID FETCH 1 FLAGS (VANISHED)\r\n", "A1", "VANISHED needs UID FETCH with CHANGEDSINCE"),
    (b"A1 FETCH 1 FLAGS (CHANGEDSINCE 1 CHANGEDSINCE 2)\r\n", "A1", "repeated FETCH modifier"),
    (b"A1 STORE 1 FLAGS\r\n", "A1", "STORE: expected a space"),
    (b"A1 STORE 1 +FLAGZ (\\Seen)\r\n", "A1", "expected FLAGS or FLAGS.SILENT, got FLAGZ"),
    (b"A1 STORE 1 (UNCHANGED 5) FLAGS ()\r\n", "A1", "unknown STORE modifier UNCHANGED"),
    (b"A1 STORE 1 +FLAGS (\\*)\r\n", "A1", "expected a flag"),
    (b"A1 COPY 1\r\n", "A1", "COPY: expected a space"),
    (b"A1 UID EXPUNGE\r\n", "A1", "UID EXPUNGE: expected a space"),
    (b"A1 ENABLE\r\n", "A1", "ENABLE: expected a space"),
    (b'A1 ID ("name")\r\n', "A1", "ID: expected a space"),
    (b"A1 ID (name x)\r\n", "A1", "expected an ID field name"),
]


@pytest.mark.parametrize(("line", "tag", "message"), BAD)
def test_malformed_names_the_fault_and_the_reader_resynchronises(line, tag, message):
    first, second = events(line + NEXT)
    assert isinstance(first, Malformed)
    assert first.tag == tag
    assert message in first.text
    assert second == CommandReady(c.Noop("Z9"))


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (b"A1 FETCH {4}\r\n", 'FETCH: expected a sequence set, got "{4}"'),
        (b"A1 SEARCH FOO {4}\r\n", "SEARCH: unknown search key FOO"),
        (b"A1 STORE 1 FLAGS {4}\r\n", 'STORE: expected a flag, got "{4}"'),
        (b"A1 BOGUS {4}\r\n", "unknown command BOGUS"),
    ],
)
def test_bad_line_announcing_a_literal_is_refused_without_asking_for_it(line, message):
    # The client waits for "+" before it sends the literal; it gets BAD instead, and moves on.
    assert events(line + NEXT) == [Malformed("A1", message), CommandReady(c.Noop("Z9"))]


def test_error_after_a_literal_is_found_in_the_following_line():
    found = events(b"A1 LOGIN {1}\r\nu\r\n" + NEXT)
    assert found == [
        LiteralRequest("A1", 1),
        Malformed("A1", "LOGIN: expected a space, got end of line"),
        CommandReady(c.Noop("Z9")),
    ]


def test_bad_command_with_non_synchronizing_literals_is_skipped_to_its_end():
    # LITERAL+: the client sends the literal and the rest of the command without waiting.
    data = b"A1 FOO {5+}\r\nZ0 NO {3+}\r\n\r\nX\r\n" + NEXT
    assert events(data) == [Malformed("A1", "unknown command FOO"), CommandReady(c.Noop("Z9"))]


def test_error_in_a_continuation_line_skips_the_literal_it_announces():
    data = b"A1 LOGIN {1+}\r\nu FOO {4+}\r\nZ1 X\r\n" + NEXT
    assert events(data) == [
        Malformed("A1", 'LOGIN: unexpected " {4+}" after the command'),
        CommandReady(c.Noop("Z9")),
    ]


def test_nul_in_a_literal_string_is_refused():
    (found,) = events(b"A1 LOGIN {3+}\r\na\x00b p\r\n")
    assert found.text == "LOGIN: a user name holds a NUL, which no IMAP string may carry"


def test_search_charset_unknown_to_python_still_parses_for_badcharset():
    (ready,) = events(b"A1 SEARCH CHARSET X-UNKNOWN TEXT {2+}\r\n\xff\xfe\r\n")
    assert ready.command.charset == "X-UNKNOWN"
    assert ready.command.key.args == ("\ufffd\ufffd",)


def test_search_charset_known_to_python_decodes_its_strings():
    (ready,) = events(b"A1 SEARCH CHARSET windows-1258 SUBJECT {3+}\r\nV\xe3n\r\n")
    assert ready.command.key.args == ("SUBJECT", "Văn")
    (bad,) = events(b"A1 SEARCH CHARSET UTF-8 SUBJECT {1+}\r\n\xe6\r\n")
    assert bad == Malformed("A1", "SEARCH: a search string is not valid UTF-8")
