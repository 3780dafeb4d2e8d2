"""Framing: literals across feed() calls, literal requests, limits, raw lines for IDLE and AUTH."""

from __future__ import annotations

import pytest

from govmail.imap.protocol import commands as c
from govmail.imap.protocol.reader import (
    CommandReader,
    CommandReady,
    LiteralRequest,
    Malformed,
    TooLarge,
    literal_at_end,
)
from tests.imap.protocol import events

MESSAGE = b"From: a@b\r\nSubject: {5}\r\n\r\nA2 NOOP\r\nnot a command\r\n"
STREAM = (
    b"A1 LOGIN {7}\r\nvanthu@ {4+}\r\npass\r\n"
    b"A2 APPEND INBOX (\\Seen) {%d}\r\n%s\r\n"
    b'A3 UID SEARCH CHARSET UTF-8 SUBJECT {10+}\r\nC\xc3\xb4ng v\xc4\x83n FROM "a"\r\n'
    b"A4 NOOP\n"
) % (len(MESSAGE), MESSAGE)
EXPECTED = [
    LiteralRequest("A1", 7),
    CommandReady(c.Login("A1", "vanthu@", "pass")),
    LiteralRequest("A2", len(MESSAGE)),
    CommandReady(c.Append("A2", "INBOX", ("\\Seen",), None, MESSAGE)),
]


def test_a_stream_of_commands_with_literals():
    found = events(STREAM)
    assert found[:4] == EXPECTED
    search = found[4].command
    assert isinstance(search, c.Search) and search.uid
    assert search.key.args[0].args == ("SUBJECT", "Công văn")
    assert found[5:] == [CommandReady(c.Noop("A4"))]


def test_every_split_into_two_feeds_gives_the_same_events():
    whole = events(STREAM)
    for cut in range(1, len(STREAM)):
        assert events(STREAM[:cut], STREAM[cut:]) == whole, cut


def test_one_byte_at_a_time_gives_the_same_events():
    assert events(*(STREAM[i : i + 1] for i in range(len(STREAM)))) == events(STREAM)


def test_literal_request_comes_before_any_literal_byte_is_read():
    reader = CommandReader()
    reader.feed(b"A1 LOGIN {3}\r\n")
    assert reader.next_event() == LiteralRequest("A1", 3)
    assert reader.next_event() is None
    reader.feed(b"abc {2}\r\n")
    assert reader.next_event() == LiteralRequest("A1", 2)
    reader.feed(b"xy\r\n")
    assert reader.next_event() == CommandReady(c.Login("A1", "abc", "xy"))


def test_refused_literal_drops_the_command():
    reader = CommandReader()
    reader.feed(b"A1 APPEND INBOX {999}\r\nA2 NOOP\r\n")
    assert reader.next_event() == LiteralRequest("A1", 999)
    reader.refuse_literal()
    assert reader.next_event() == CommandReady(c.Noop("A2"))
    with pytest.raises(RuntimeError):
        reader.refuse_literal()


def test_refuse_literal_is_only_for_a_pending_request():
    reader = CommandReader()
    reader.feed(b"A1 LOGIN {1}\r\n")
    assert isinstance(reader.next_event(), LiteralRequest)
    assert reader.next_event() is None  # the session granted it by reading on
    with pytest.raises(RuntimeError):
        reader.refuse_literal()


def test_literal_data_is_never_read_as_commands():
    data = b"A1 APPEND INBOX {19+}\r\nA2 LOGOUT\r\n{3}\r\nB3 \r\nA4 NOOP\r\n"
    assert events(data) == [
        CommandReady(c.Append("A1", "INBOX", (), None, b"A2 LOGOUT\r\n{3}\r\nB3 ")),
        CommandReady(c.Noop("A4")),
    ]


def test_empty_literals():
    assert events(b"A1 LOGIN {0}\r\n {0+}\r\n\r\n") == [
        LiteralRequest("A1", 0),
        CommandReady(c.Login("A1", "", "")),
    ]


def test_bare_lf_everywhere():
    assert events(b"A1 LOGIN {1}\nu p\nA2 NOOP\n") == [
        LiteralRequest("A1", 1),
        CommandReady(c.Login("A1", "u", "p")),
        CommandReady(c.Noop("A2")),
    ]


# -- limits


def test_overlong_line_is_refused_and_dropped_as_it_arrives():
    reader = CommandReader(max_line=100)
    reader.feed(b"A1 LOGIN " + b"x" * 200)
    assert reader.next_event() == TooLarge("A1", "line longer than 100 bytes")
    for _ in range(50):
        reader.feed(b"y" * 1000)
        assert reader.next_event() is None
        assert reader.buffered < 100
    reader.feed(b"\r\nA2 NOOP\r\n")
    assert reader.next_event() == CommandReady(c.Noop("A2"))


def test_line_of_exactly_max_line_bytes_is_read():
    line = b"A1 LOGIN u " + b"p" * 89
    assert len(line) == 100
    assert events(line + b"\r\n", max_line=100) == [CommandReady(c.Login("A1", "u", "p" * 89))]
    assert events(line + b"p\r\nA2 NOOP\r\n", max_line=100) == [
        TooLarge("A1", "line longer than 100 bytes"),
        CommandReady(c.Noop("A2")),
    ]


def test_line_of_max_line_bytes_whose_lf_comes_later_is_not_overlong():
    line = b"A1 LOGIN u " + b"p" * 89
    (ready,) = events(line + b"\r", b"\n", max_line=100)
    assert ready == CommandReady(c.Login("A1", "u", "p" * 89))
    (refused,) = events(line + b"p\r", b"\n", max_line=100)
    assert refused == TooLarge("A1", "line longer than 100 bytes")


def test_overlong_line_announcing_a_non_synchronizing_literal_skips_it():
    data = b"A1 LOGIN " + b"x" * 300 + b" {10+}\r\n0123456789 more\r\nA2 NOOP\r\n"
    for cut in (50, 310, 317, 320):
        assert events(data[:cut], data[cut:], max_line=100) == [
            TooLarge("A1", "line longer than 100 bytes"),
            CommandReady(c.Noop("A2")),
        ], cut


def test_overlong_continuation_line_carries_the_tag():
    data = b"A1 LOGIN {1+}\r\nu " + b"p" * 200 + b"\r\nA2 NOOP\r\n"
    assert events(data, max_line=100) == [
        TooLarge("A1", "line longer than 100 bytes"),
        CommandReady(c.Noop("A2")),
    ]


def test_synchronizing_literal_over_the_limit_is_refused_before_it_is_sent():
    reader = CommandReader(max_literal=1000)
    reader.feed(b"A1 APPEND INBOX {1001}\r\n")
    assert reader.next_event() == TooLarge(
        "A1", "literal of 1001 bytes is over the limit of 1000", literal=True
    )
    # The client got no "+": what it sends next is a new command.
    reader.feed(b"A2 NOOP\r\n")
    assert reader.next_event() == CommandReady(c.Noop("A2"))


def test_non_synchronizing_literal_over_the_limit_is_skipped_unbuffered():
    reader = CommandReader(max_literal=1000)
    reader.feed(b"A1 APPEND INBOX {50000+}\r\n")
    for _ in range(50):
        assert reader.next_event() is None
        reader.feed(b"z" * 1000)
        assert reader.buffered == 0
    reader.feed(b"\r\nA2 NOOP\r\n")
    assert reader.next_event() == TooLarge(
        "A1", "literal of 50000 bytes is over the limit of 1000", literal=True
    )
    assert reader.next_event() == CommandReady(c.Noop("A2"))


def test_absurd_literal_sizes_are_too_large():
    assert events(b"A1 LOGIN {" + b"9" * 5000 + b"}\r\nA2 NOOP\r\n")[0].tag == "A1"
    assert literal_at_end(b"x {000000000000000000000000007+}") == (7, False)


def test_command_over_max_command_is_refused():
    data = b"A1 LOGIN {600+}\r\n" + b"u" * 600 + b" {600+}\r\n" + b"p" * 600 + b"\r\nA2 NOOP\r\n"
    assert events(data, max_literal=1000, max_command=1000) == [
        TooLarge("A1", "command longer than 1000 bytes"),
        CommandReady(c.Noop("A2")),
    ]


def test_buffer_stays_within_the_limits_while_a_literal_is_collected():
    reader = CommandReader(max_line=100, max_literal=10_000)
    reader.feed(b"A1 APPEND INBOX {10000+}\r\n")
    for _ in range(10):
        reader.feed(b"m" * 1000)
        assert reader.next_event() is None
        assert reader.buffered <= 10_000
    reader.feed(b"\r\n")
    ready = reader.next_event()
    assert isinstance(ready, CommandReady) and ready.command.message == b"m" * 10_000
    assert reader.buffered == 0


# -- raw lines


def test_idle_done_is_read_as_a_raw_line():
    reader = CommandReader()
    reader.feed(b"A1 IDLE\r\nDO")
    assert reader.next_event() == CommandReady(c.Idle("A1"))
    assert reader.read_line() is None
    reader.feed(b"NE\r\nA2 NOOP\n")
    assert reader.read_line() == b"DONE"
    assert reader.next_event() == CommandReady(c.Noop("A2"))


def test_authenticate_responses_are_raw_lines():
    reader = CommandReader()
    reader.feed(b"A1 AUTHENTICATE PLAIN\r\nAHUAcA==\n*\r\n")
    assert reader.next_event() == CommandReady(c.Authenticate("A1", "PLAIN", None))
    assert reader.read_line() == b"AHUAcA=="
    assert reader.read_line() == b"*"
    assert reader.read_line() is None


def test_overlong_raw_line_is_cut_so_its_length_tells():
    reader = CommandReader(max_line=10)
    reader.feed(b"A" * 25)
    assert reader.read_line() == b"A" * 11
    reader.feed(b"B" * 25)
    assert reader.read_line() is None
    reader.feed(b"\r\nDONE\r\n")
    assert reader.read_line() == b"DONE"


def test_read_line_in_the_middle_of_a_command_is_a_bug():
    reader = CommandReader()
    reader.feed(b"A1 LOGIN {3}\r\n")
    reader.next_event()
    with pytest.raises(RuntimeError):
        reader.read_line()


def test_errors_without_a_tag_go_untagged():
    assert events(b"\r\n* NOOP\r\n") == [
        Malformed(None, "empty command line"),
        Malformed(None, "a command line starts with a tag"),
    ]
