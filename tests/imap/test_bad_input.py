"""Hostile and malformed IMAP input over a real socket: every bad line gets BAD with its tag (or
an untagged BAD), oversized lines and literals are refused, and the session goes on."""

from __future__ import annotations

import contextlib
import random

from tests.support.imap import RawImap


def test_malformed_commands_get_bad_and_the_session_survives(imap_server):
    with RawImap(imap_server) as raw:
        for line, tag in [
            (b"a FROBNICATE", b"a"),
            (b"b SELECT", b"b"),
            (b'c SELECT "unterminated', b"c"),
            (b"d FETCH x:y FLAGS", b"d"),
            (b"e FETCH 1 (BODY[1.HEADER.FIELDS])", b"e"),
            (b"f SEARCH BEFORE 32-Foo-2026", b"f"),
            (b"g STORE 1 +FLAGS (\\Seen", b"g"),
            (b"h LOGIN a b c d", b"h"),
            (b"i UID", b"i"),
            (b"j APPEND INBOX {abc}", b"j"),
        ]:
            response = raw.command(line)
            assert response[-1].startswith(tag + b" BAD "), (line, response)
        raw.send(b"\r\n")
        assert raw.line().startswith(b"* BAD ")
        raw.send(b"   \r\n")
        assert raw.line().startswith(b"* BAD ")
        assert raw.command("z NOOP")[-1] == b"z OK NOOP completed"


def test_nul_and_8bit_bytes_in_commands(imap_server):
    with RawImap(imap_server) as raw:
        assert raw.command(b"a SELECT IN\x00BOX")[-1].startswith(b"a BAD ")
        assert raw.command(b"b SELECT \xff\xfe")[-1][:4] in (b"b BA", b"b NO")
        assert raw.command("c NOOP")[-1] == b"c OK NOOP completed"


def test_over_long_line_is_refused_and_resynchronised(imap_server):
    with RawImap(imap_server) as raw:
        raw.send(b"a NOOP " + b"x" * 200_000 + b"\r\n")
        reply = raw.line()
        assert reply.startswith((b"a BAD ", b"* BAD ", b"a NO ")), reply
        assert raw.command("b NOOP")[-1] == b"b OK NOOP completed"


def test_random_garbage_never_kills_the_server(imap_server):
    rng = random.Random(20261126)
    for _ in range(5):
        # A client that sends only garbage may be disconnected on the way.
        with RawImap(imap_server) as raw, contextlib.suppress(OSError):
            for _ in range(20):
                junk = bytes(rng.randrange(1, 256) for _ in range(rng.randrange(1, 300)))
                raw.send(junk.replace(b"\r\n", b"") + b"\r\n")
            raw.sock.settimeout(5)
            raw.command("z NOOP")
    with RawImap(imap_server) as raw:
        assert raw.command("y NOOP")[-1] == b"y OK NOOP completed"


def test_a_half_sent_append_stores_nothing(imap_server):
    with RawImap(imap_server) as watcher:
        before = watcher.command("a STATUS INBOX (MESSAGES)")[0]
        with RawImap(imap_server) as raw:
            raw.send(b"b APPEND INBOX {1000}\r\n")
            assert raw.line().startswith(b"+ ")
            raw.send(b"From: half\r\n")
        assert watcher.command("c STATUS INBOX (MESSAGES)")[0] == before
        assert watcher.command("d NOOP")[-1] == b"d OK NOOP completed"
