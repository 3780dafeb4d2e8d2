"""Exact parses of every command form, with lines as real clients send them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from govmail.imap.protocol import commands as c
from govmail.imap.protocol.types import BodySection, FetchItem, SearchKey, SequenceSet
from tests.imap.protocol import parse

ALL = SequenceSet(((1, None),))


def seq(*ranges: tuple[int | None, int | None]) -> SequenceSet:
    return SequenceSet(tuple(ranges))


CASES = [
    # -- no arguments, any case
    (b"a1 CAPABILITY\r\n", c.Capability("a1")),
    (b"a2 noop\r\n", c.Noop("a2")),
    (b"A3 Logout\r\n", c.Logout("A3")),
    (b"1 STARTTLS\r\n", c.StartTls("1")),
    (b"x.1 CHECK\r\n", c.Check("x.1")),
    (b"A4 CLOSE\r\n", c.Close("A4")),
    (b"A5 UNSELECT\r\n", c.Unselect("A5")),
    (b"A6 IDLE\r\n", c.Idle("A6")),
    (b"A7 NAMESPACE\r\n", c.Namespace("A7")),
    (b"A8 EXPUNGE\r\n", c.Expunge("A8")),
    # -- authentication
    (
        b'a001 LOGIN vanthu@songlam.gov.vn "m\xe1\xba\xadt kh\xe1\xba\xa9u \\"x\\""\r\n',
        c.Login("a001", "vanthu@songlam.gov.vn", 'mật khẩu "x"'),
    ),
    (b"a002 LOGIN {7+}\r\nnv an@x {3}\r\np w\r\n", c.Login("a002", "nv an@x", "p w")),
    (b"A1 AUTHENTICATE PLAIN\r\n", c.Authenticate("A1", "PLAIN", None)),
    (
        b"A1 authenticate plain AHVzZXIAcGFzcw==\r\n",
        c.Authenticate("A1", "PLAIN", "AHVzZXIAcGFzcw=="),
    ),
    (b"A1 AUTHENTICATE PLAIN =\r\n", c.Authenticate("A1", "PLAIN", "=")),
    # -- SELECT / EXAMINE
    (b"A6 SELECT INBOX (CONDSTORE)\r\n", c.Select("A6", "INBOX", condstore=True)),
    (b'A142 SELECT "Th&AbA- m&ABA-c"\r\n', c.Select("A142", "Th&AbA- m&ABA-c")),
    (b"A1 EXAMINE [Gmail]/Sent\r\n", c.Select("A1", "[Gmail]/Sent", readonly=True)),
    (
        b'A1 SELECT "V\xc4\x83n b\xe1\xba\xa3n \xc4\x91\xe1\xba\xbfn"\r\n',
        c.Select("A1", "Văn bản đến"),
    ),
    (
        b"A02 SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541))\r\n",
        c.Select(
            "A02",
            "INBOX",
            qresync=(67890007, 20050715194045000, seq((41, 41), (43, 211), (214, 541))),
        ),
    ),
    (
        b"A03 SELECT INBOX (QRESYNC (67890007 90060115194045000 1:29997 (5000,7001:7002 "
        b"25000,29001:29002)) CONDSTORE)\r\n",
        c.Select(
            "A03", "INBOX", condstore=True, qresync=(67890007, 90060115194045000, seq((1, 29997)))
        ),
    ),
    (
        b"A04 EXAMINE INBOX (QRESYNC (3 1))\r\n",
        c.Select("A04", "INBOX", qresync=(3, 1, None), readonly=True),
    ),
    (
        b"A05 SELECT INBOX (QRESYNC (3 1 (1:5 10:14)))\r\n",
        c.Select("A05", "INBOX", qresync=(3, 1, None)),
    ),
    # -- mailboxes
    (b"A1 CREATE Archive (USE (\\Archive))\r\n", c.Create("A1", "Archive", ("\\Archive",))),
    (b'A1 CREATE "Du an/2026"\r\n', c.Create("A1", "Du an/2026")),
    (b"A1 DELETE {5}\r\nTrash\r\n", c.Delete("A1", "Trash")),
    (b'A1 RENAME "Old" New\r\n', c.Rename("A1", "Old", "New")),
    (b"A1 SUBSCRIBE Sent\r\n", c.Subscribe("A1", "Sent")),
    (b'A1 UNSUBSCRIBE "Sent"\r\n', c.Unsubscribe("A1", "Sent")),
    (
        b'a2 LIST "" "*" RETURN (SPECIAL-USE)\r\n',
        c.List("a2", "", ("*",), return_options=("SPECIAL-USE",)),
    ),
    (b'A1 LIST "" %\r\n', c.List("A1", "", ("%",))),
    (b'A1 list "" ""\r\n', c.List("A1", "", ("",))),
    (b"A1 LIST ~/Mail/ %/x*]\r\n", c.List("A1", "~/Mail/", ("%/x*]",))),
    (
        b'A1 LIST (SUBSCRIBED RECURSIVEMATCH) "" ("INBOX" Sent*) RETURN (CHILDREN '
        b"STATUS (MESSAGES UNSEEN))\r\n",
        c.List(
            "A1",
            "",
            ("INBOX", "Sent*"),
            ("SUBSCRIBED", "RECURSIVEMATCH"),
            ("CHILDREN", "STATUS"),
            ("MESSAGES", "UNSEEN"),
        ),
    ),
    (b'A1 LIST (special-use) "" "*"\r\n', c.List("A1", "", ("*",), ("SPECIAL-USE",))),
    (b'A1 LIST () "" "*" RETURN ()\r\n', c.List("A1", "", ("*",))),
    (b'A1 LSUB "" "*"\r\n', c.Lsub("A1", "", "*")),
    (
        b'A1 STATUS "INBOX" (UIDNEXT MESSAGES UNSEEN RECENT highestmodseq SIZE UIDVALIDITY)\r\n',
        c.Status(
            "A1",
            "INBOX",
            ("UIDNEXT", "MESSAGES", "UNSEEN", "RECENT", "HIGHESTMODSEQ", "SIZE", "UIDVALIDITY"),
        ),
    ),
    # -- APPEND
    (
        b'A003 APPEND saved-messages (\\Seen) "17-Jul-1996 02:44:25 -0700" {12}\r\n'
        b"Subject: hi\n\r\n",
        c.Append(
            "A003",
            "saved-messages",
            ("\\Seen",),
            datetime(1996, 7, 17, 2, 44, 25, tzinfo=timezone(timedelta(hours=-7))),
            b"Subject: hi\n",
        ),
    ),
    (
        b"A1 APPEND Drafts (\\Draft $MDNSent) {3+}\r\nabc\r\n",
        c.Append("A1", "Drafts", ("\\Draft", "$MDNSent"), None, b"abc"),
    ),
    (
        b'A1 APPEND INBOX " 7-Feb-2026 09:05:00 +0000" {1}\r\nx\r\n',
        c.Append("A1", "INBOX", (), datetime(2026, 2, 7, 9, 5, tzinfo=UTC), b"x"),
    ),
    (b"A1 APPEND INBOX () ~{3}\r\na\x00b\r\n", c.Append("A1", "INBOX", (), None, b"a\x00b")),
    (
        b"A1 APPEND INBOX UTF8 (~{2+}\r\n\xc3\xa0)\r\n",
        c.Append("A1", "INBOX", (), None, "à".encode()),
    ),
    # -- SEARCH
    (
        b"A7 UID SEARCH CHARSET UTF-8 TEXT {11}\r\nt\xc3\xa0i li\xe1\xbb\x87u\r\n",
        c.Search("A7", SearchKey("TEXT", ("tài liệu",)), "UTF-8", uid=True),
    ),
    (
        b"A1 SEARCH RETURN (MIN MAX COUNT ALL SAVE) UNDELETED\r\n",
        c.Search(
            "A1",
            SearchKey("UNFLAG", ("\\Deleted",)),
            return_options=("MIN", "MAX", "COUNT", "ALL", "SAVE"),
        ),
    ),
    (
        b"A1 UID SEARCH RETURN () CHARSET US-ASCII ALL\r\n",
        c.Search("A1", SearchKey("ALL"), "US-ASCII", (), uid=True),
    ),
    # -- FETCH
    (
        b"A003 UID FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (From To Cc Subject Date Message-ID "
        b"Priority X-Priority References Newsgroups In-Reply-To Content-Type Reply-To)])\r\n",
        c.Fetch(
            "A003",
            ALL,
            (
                FetchItem("FLAGS"),
                FetchItem(
                    "BODY[]",
                    BodySection(
                        text="HEADER.FIELDS",
                        peek=True,
                        fields=(
                            "FROM",
                            "TO",
                            "CC",
                            "SUBJECT",
                            "DATE",
                            "MESSAGE-ID",
                            "PRIORITY",
                            "X-PRIORITY",
                            "REFERENCES",
                            "NEWSGROUPS",
                            "IN-REPLY-TO",
                            "CONTENT-TYPE",
                            "REPLY-TO",
                        ),
                    ),
                ),
            ),
            uid=True,
        ),
    ),
    (
        b"A1 FETCH 1 ALL\r\n",
        c.Fetch(
            "A1",
            seq((1, 1)),
            (
                FetchItem("FLAGS"),
                FetchItem("INTERNALDATE"),
                FetchItem("RFC822.SIZE"),
                FetchItem("ENVELOPE"),
            ),
        ),
    ),
    (
        b"A1 FETCH 2:4 fast\r\n",
        c.Fetch(
            "A1",
            seq((2, 4)),
            (FetchItem("FLAGS"), FetchItem("INTERNALDATE"), FetchItem("RFC822.SIZE")),
        ),
    ),
    (
        b"A1 FETCH * FULL\r\n",
        c.Fetch(
            "A1",
            seq((None, None)),
            (
                FetchItem("FLAGS"),
                FetchItem("INTERNALDATE"),
                FetchItem("RFC822.SIZE"),
                FetchItem("ENVELOPE"),
                FetchItem("BODY"),
            ),
        ),
    ),
    (b"A1 FETCH 1 BODY[]\r\n", c.Fetch("A1", seq((1, 1)), (FetchItem("BODY[]", BodySection()),))),
    (
        b"A1 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 12345 VANISHED)\r\n",
        c.Fetch("A1", ALL, (FetchItem("FLAGS"),), changed_since=12345, vanished=True, uid=True),
    ),
    (
        b"A1 FETCH 1:5 (FLAGS MODSEQ) (CHANGEDSINCE 0)\r\n",
        c.Fetch("A1", seq((1, 5)), (FetchItem("FLAGS"), FetchItem("MODSEQ")), changed_since=0),
    ),
    (b"A1 FETCH $ (UID)\r\n", c.Fetch("A1", SequenceSet((), True), (FetchItem("UID"),))),
    # -- STORE
    (
        b"A1 STORE 2:4 +FLAGS (\\Deleted)\r\n",
        c.Store("A1", seq((2, 4)), "+", False, ("\\Deleted",)),
    ),
    (
        b"A1 UID STORE 7 -FLAGS.SILENT (\\Seen $Junk)\r\n",
        c.Store("A1", seq((7, 7)), "-", True, ("\\Seen", "$Junk"), uid=True),
    ),
    (
        b"A1 STORE 1 FLAGS \\Seen \\Flagged\r\n",
        c.Store("A1", seq((1, 1)), "", False, ("\\Seen", "\\Flagged")),
    ),
    (b"A1 STORE 1 flags ()\r\n", c.Store("A1", seq((1, 1)), "", False, ())),
    (
        b"A1 UID STORE 1:* (UNCHANGEDSINCE 320162338) +FLAGS.SILENT (\\Deleted)\r\n",
        c.Store("A1", ALL, "+", True, ("\\Deleted",), unchanged_since=320162338, uid=True),
    ),
    # -- COPY / MOVE / UID EXPUNGE
    (b'A1 COPY 2:4 "Sent Items"\r\n', c.Copy("A1", seq((2, 4)), "Sent Items")),
    (
        b"A1 UID COPY 4827313:4828442 Archive\r\n",
        c.Copy("A1", seq((4827313, 4828442)), "Archive", uid=True),
    ),
    (b"A1 MOVE 1,3 Trash\r\n", c.Move("A1", seq((1, 1), (3, 3)), "Trash")),
    (b"A1 UID MOVE 42 {4}\r\nJunk\r\n", c.Move("A1", seq((42, 42)), "Junk", uid=True)),
    (b"A1 UID EXPUNGE 3000:3002\r\n", c.Expunge("A1", seq((3000, 3002)), uid=True)),
    # -- ENABLE / ID
    (
        b"A1 ENABLE QRESYNC CONDSTORE utf8=accept\r\n",
        c.Enable("A1", ("QRESYNC", "CONDSTORE", "UTF8=ACCEPT")),
    ),
    (b"A1 ID NIL\r\n", c.Id("A1", None)),
    (b"A1 ID ()\r\n", c.Id("A1", ())),
    (
        b'A1 ID ("name" "Thunderbird" "version" "128.3.1" "os" NIL)\r\n',
        c.Id("A1", (("name", "Thunderbird"), ("version", "128.3.1"), ("os", None))),
    ),
    (b'A1 ID ("name" {9}\r\nMail, iOS)\r\n', c.Id("A1", (("name", "Mail, iOS"),))),
]


@pytest.mark.parametrize(("line", "expected"), CASES)
def test_command_parses_exactly(line, expected):
    assert parse(line) == expected


def test_bare_lf_line_endings_are_tolerated():
    assert parse(b"A1 LOGIN u {1}\np\n") == c.Login("A1", "u", "p")


def test_search_dates_quoted_and_bare():
    command = parse(b'A1 SEARCH SINCE 1-Feb-2026 BEFORE "01-Mar-2026"\r\n')
    assert command.key == SearchKey(
        "AND", (SearchKey("SINCE", (date(2026, 2, 1),)), SearchKey("BEFORE", (date(2026, 3, 1),)))
    )


def test_append_date_time_is_aware_and_exact():
    command = parse(b'A1 APPEND INBOX "31-Dec-2025 23:59:59 +0700" {1+}\r\nx\r\n')
    assert command.internal_date.astimezone(UTC) == datetime(2025, 12, 31, 16, 59, 59, tzinfo=UTC)
