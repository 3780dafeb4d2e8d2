"""Properties: what the writer renders parses back, and no input makes the reader misbehave."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from govmail.imap.protocol import grammar
from govmail.imap.protocol.commands import Command, Fetch, Login
from govmail.imap.protocol.reader import (
    CommandReader,
    CommandReady,
    Event,
    LiteralRequest,
    Malformed,
    TooLarge,
)
from govmail.imap.protocol.response import render
from govmail.imap.protocol.types import SequenceSet
from tests.imap.protocol import events, parse

SETTINGS = settings(max_examples=100, deadline=None, derandomize=True)
FUZZ = settings(max_examples=200, deadline=None, derandomize=True)
LIMITS = {"max_line": 120, "max_literal": 64, "max_command": 400}

# Commands as clients send them; the fuzzer breaks them in small ways.
SAMPLES = [
    b"A1 CAPABILITY\r\n",
    b'A2 LOGIN "vanthu@songlam.gov.vn" {7}\r\nm\xe1\xba\xadt k\r\n',
    b"A3 AUTHENTICATE PLAIN AHUAcA==\r\n",
    b"A4 SELECT INBOX (QRESYNC (67890007 2005 41,43:211 (1:5 7:9)) CONDSTORE)\r\n",
    b'A5 LIST (SUBSCRIBED) "" ("INBOX" %) RETURN (CHILDREN STATUS (MESSAGES UNSEEN))\r\n',
    b"A6 UID FETCH 1:* (FLAGS BODY.PEEK[1.HEADER.FIELDS (From {2}\r\nTo)]<0.512>) "
    b"(CHANGEDSINCE 5 VANISHED)\r\n",
    b"A7 UID SEARCH RETURN (MIN COUNT) CHARSET UTF-8 OR (TEXT {3+}\r\nabc SINCE 1-Feb-2026) "
    b'NOT 1:3,$ HEADER X-A "b"\r\n',
    b"A8 UID STORE 1:5 (UNCHANGEDSINCE 3) +FLAGS.SILENT (\\Seen $Forwarded)\r\n",
    b'A9 APPEND Drafts (\\Draft) "17-Jul-1996 02:44:25 -0700" {11+}\r\nSubject: x\n\r\n',
    b"B1 APPEND INBOX UTF8 (~{3}\r\na\x00b)\r\n",
    b"B2 CREATE Archive (USE (\\Archive))\r\n",
    b'B3 ID ("name" "Thunderbird" "os" NIL)\r\n',
    b"B4 FETCH 1 (BINARY.PEEK[1.2]<0.100> BINARY.SIZE[1] MODSEQ ENVELOPE)\r\n",
    b"B5 UID EXPUNGE 1:3\r\n",
    b"B6 IDLE\r\n",
    b"B7 ENABLE UTF8=ACCEPT\n",
    b"B8 STATUS {5+}\r\nINBOX (UIDNEXT MESSAGES)\r\n",
]
SPECIAL = [*b' ()[]<>{}"\\\r\n*%:,.~+$0123456789', 0, 0xFF, 0x80]

texts = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=40)
numbers = st.integers(1, 2**32 - 1)
ends = st.one_of(st.none(), numbers)
ranges = st.one_of(ends.map(lambda n: (n, n)), st.tuples(ends, ends))


@st.composite
def sequence_sets(draw: st.DrawFn) -> SequenceSet:
    found = draw(st.lists(ranges, max_size=6))
    return SequenceSet(tuple(found), draw(st.booleans()) or not found)


BYTES = st.sampled_from(SPECIAL) | st.integers(0, 255)
ACTIONS = st.sampled_from(("replace", "insert", "delete", "repeat"))


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SAMPLES)))
    for _ in range(draw(st.integers(0, 4))):
        at = draw(st.integers(0, len(data)))
        action = draw(ACTIONS)
        if action == "delete" and at < len(data):
            del data[at]
        elif action == "repeat":
            data[at:at] = data[at : at + draw(st.integers(1, 80))] * draw(st.integers(1, 4))
        elif action == "replace" and at < len(data):
            data[at] = draw(BYTES)
        else:
            data.insert(at, draw(BYTES))
    return bytes(data)


streams = st.lists(mutated() | st.binary(max_size=200), min_size=1, max_size=6).map(b"".join)


@SETTINGS
@given(texts, texts, st.booleans())
def test_rendered_strings_parse_back(user, password, utf8):
    line = b"A1 LOGIN " + render(user, utf8) + b" " + render(password, utf8) + b"\r\n"
    assert parse(line) == Login("A1", user, password)


@SETTINGS
@given(sequence_sets())
def test_sequence_sets_parse_back(sequence):
    command = parse(b"A1 FETCH " + str(sequence).encode() + b" FLAGS\r\n")
    assert isinstance(command, Fetch)
    assert command.sequence == sequence


@SETTINGS
@given(st.lists(st.integers(1, 200)), st.integers(0, 250))
def test_from_values_keeps_exactly_the_values(values, largest):
    sequence = SequenceSet.from_values(values)
    assert list(sequence.values(largest)) == sorted(n for n in set(values) if n <= largest)
    assert all(first is not None and last is not None for first, last in sequence.ranges)


def split(stream: bytes, data: st.DataObject) -> list[bytes]:
    """*stream* cut at up to 8 drawn places, as TCP might deliver it."""
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=8)))
    return [stream[a:b] for a, b in zip([0, *cuts], [*cuts, len(stream)], strict=True)]


def check(event: Event) -> None:
    """An event of the contract, with the fields it promises."""
    assert isinstance(event, CommandReady | LiteralRequest | Malformed | TooLarge)
    if isinstance(event, CommandReady):
        assert isinstance(event.command, Command)
        return
    if event.tag is not None:
        assert grammar.TAG.fullmatch(event.tag.encode())
    if isinstance(event, LiteralRequest):
        assert 0 <= event.size <= LIMITS["max_literal"]
    else:
        assert isinstance(event.text, str) and event.text


@FUZZ
@given(streams, st.data())
def test_reader_never_raises_and_stays_within_its_limits(stream, data):
    reader = CommandReader(**LIMITS)
    for piece in split(stream, data):
        reader.feed(piece)
        while (event := reader.next_event()) is not None:
            check(event)
            if isinstance(event, LiteralRequest) and data.draw(st.booleans()):
                reader.refuse_literal()
        assert reader.buffered <= LIMITS["max_line"] + 1 + LIMITS["max_literal"]


@FUZZ
@given(streams, st.data())
def test_how_the_bytes_are_split_does_not_change_the_events(stream, data):
    assert events(*split(stream, data), **LIMITS) == events(stream, **LIMITS)


def test_samples_parse_as_they_are():
    # The fuzzer starts from valid commands: make sure they are.
    for sample in SAMPLES:
        found = events(sample, **LIMITS)
        assert isinstance(found[-1], CommandReady), (sample, found)
