"""APPEND (flags, internal date, APPENDUID, TRYCREATE, size limit), COPY and MOVE with COPYUID,
EXPUNGE, UID EXPUNGE, CLOSE and UNSELECT."""

from __future__ import annotations

import imaplib

import pytest

from tests.support.imap import RawImap, fresh_user, imaps
from tests.support.mail import message

DRAFT = message(subject="Bản nháp công văn")[1]


def test_append_with_flags_and_date(imap_server):
    user = fresh_user(imap_server)
    with RawImap(imap_server, login=user) as raw:
        raw.send(
            b'a APPEND Drafts (\\Draft \\Seen) "05-Nov-2026 14:30:00 +0700" {%d}\r\n' % len(DRAFT)
        )
        assert raw.line().startswith(b"+ ")
        raw.send(DRAFT + b"\r\n")
        done = raw.read_until(b"a")[-1]
        uidvalidity = int(raw.command("u STATUS Drafts (UIDVALIDITY)")[0].split()[-1][:-1])
        assert done == b"a OK [APPENDUID %d 1] APPEND completed" % uidvalidity
        raw.command("s SELECT Drafts")
        fetched = raw.command("b FETCH 1 (FLAGS INTERNALDATE BODY.PEEK[])")[0]
        assert fetched.startswith(
            b'* 1 FETCH (FLAGS (\\Draft \\Seen) INTERNALDATE "05-Nov-2026 07:30:00 +0000" '
            b"BODY[] {%d}\r\n" % len(DRAFT)
        )
        assert DRAFT in fetched and b"Received:" not in fetched


def test_append_non_synchronizing_literal_and_trycreate(imap_server):
    user = fresh_user(imap_server)
    with RawImap(imap_server, login=user) as raw:
        lines = raw.command(b"a APPEND INBOX {%d+}\r\n" % len(DRAFT) + DRAFT)
        assert lines[-1].startswith(b"a OK [APPENDUID ")
        lines = raw.command(b"b APPEND Nowhere {%d+}\r\n" % len(DRAFT) + DRAFT)
        assert lines[-1].startswith(b"b NO [TRYCREATE]")


def test_append_over_the_limit_is_refused_before_it_is_sent(imap_server):
    user = fresh_user(imap_server)
    with RawImap(imap_server, login=user) as raw:
        raw.send(b"a APPEND INBOX {50000000}\r\n")  # the test server takes 1 MB
        assert raw.line().startswith(b"a NO [TOOBIG]")
        assert raw.command("b NOOP")[-1] == b"b OK NOOP completed"


def test_copy_and_move_answer_copyuid(imap_server, deliver):
    user = fresh_user(imap_server)
    for n in range(3):
        deliver(user, subject=f"Công văn {n}")
    with RawImap(imap_server, login=user) as raw:
        raw.command("s SELECT INBOX")
        archive_validity = int(raw.command("u STATUS Archive (UIDVALIDITY)")[0].split()[-1][:-1])
        copied = raw.command("a COPY 1:2 Archive")
        assert copied == [b"a OK [COPYUID %d 1:2 1,2] COPY completed" % archive_validity]
        assert raw.command("b COPY 1 Nowhere")[-1].startswith(b"b NO [TRYCREATE]")
        moved = raw.command("c UID MOVE 2 Archive")
        assert moved == [
            b"* OK [COPYUID %d 2 3] Moved" % archive_validity,
            b"* 2 EXPUNGE",
            b"c OK MOVE completed",
        ]
        assert raw.command("d STATUS Archive (MESSAGES)")[0] == b'* STATUS "Archive" (MESSAGES 3)'
        assert raw.command("e SEARCH ALL")[0] == b"* SEARCH 1 2"


def test_expunge_and_uid_expunge(imap_server, deliver):
    user = fresh_user(imap_server)
    for n in range(4):
        deliver(user, subject=f"Thư {n}")
    with RawImap(imap_server, login=user) as raw:
        raw.command("s SELECT INBOX")
        raw.command("a STORE 1:4 +FLAGS.SILENT (\\Deleted)")
        assert raw.command("b UID EXPUNGE 2") == [b"* 2 EXPUNGE", b"b OK EXPUNGE completed"]
        assert raw.command("c EXPUNGE") == [
            b"* 3 EXPUNGE",
            b"* 2 EXPUNGE",
            b"* 1 EXPUNGE",
            b"c OK EXPUNGE completed",
        ]
        assert raw.command("d STATUS INBOX (MESSAGES)")[0] == b'* STATUS "INBOX" (MESSAGES 0)'


def test_close_expunges_silently_and_examine_is_read_only(imap_server, deliver):
    user = fresh_user(imap_server)
    deliver(user)
    deliver(user)
    with RawImap(imap_server, login=user) as raw:
        raw.command("s SELECT INBOX")
        raw.command("a STORE 1 +FLAGS.SILENT (\\Deleted)")
        assert raw.command("b CLOSE") == [b"b OK CLOSE completed"]
        examined = raw.command("c EXAMINE INBOX")
        assert b"* 1 EXISTS" in examined and examined[-1] == b"c OK [READ-ONLY] EXAMINE completed"
        assert raw.command("d STORE 1 +FLAGS (\\Seen)")[-1].startswith(b"d NO [READ-ONLY]")
        assert raw.command("e UNSELECT") == [b"e OK UNSELECT completed"]
        assert raw.command("f FETCH 1 FLAGS")[-1].startswith(b"f BAD ")


def test_imaplib_round_trip(imap_server):
    user = fresh_user(imap_server)
    client = imaps(imap_server, user=user)
    try:
        typ, data = client.append("INBOX", "(\\Flagged)", None, DRAFT)
        assert typ == "OK" and b"APPENDUID" in data[0]
        assert client.select("INBOX") == ("OK", [b"1"])
        typ, data = client.fetch("1", "(RFC822)")
        assert data[0][1] == DRAFT
        with pytest.raises(imaplib.IMAP4.error):
            client.fetch("1", "(BOGUS)")
    finally:
        client.logout()
