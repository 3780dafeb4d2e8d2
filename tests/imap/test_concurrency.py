"""Several sessions on one mailbox (RFC 3501 5.2, 7.4.1): each sees the others' flag changes,
expunges and new mail as untagged responses at the moments the RFC allows; IDLE is woken by
SMTP delivery."""

from __future__ import annotations

from govmail.imap.commands.idle import POLL_SECONDS
from tests.support.imap import RawImap, fresh_user


def two_sessions(imap_server, user):
    first, second = RawImap(imap_server, login=user), RawImap(imap_server, login=user)
    first.command("s SELECT INBOX")
    second.command("s SELECT INBOX")
    return first, second


def test_flag_changes_reach_the_other_session_at_noop(imap_server, deliver):
    user = fresh_user(imap_server)
    deliver(user)
    first, second = two_sessions(imap_server, user)
    with first, second:
        first.command("a STORE 1 +FLAGS (\\Flagged)")
        assert second.command("b NOOP") == [
            b"* 1 FETCH (UID 1 FLAGS (\\Flagged))",
            b"b OK NOOP completed",
        ]
        assert second.command("c NOOP") == [b"c OK NOOP completed"]


def test_new_mail_is_announced_with_exists(imap_server, deliver):
    user = fresh_user(imap_server)
    deliver(user)
    first, second = two_sessions(imap_server, user)
    with first, second:
        deliver(user)
        deliver(user)
        assert first.command("a NOOP") == [b"* 3 EXISTS", b"a OK NOOP completed"]
        assert second.command("b FETCH 1 FLAGS") == [
            b"* 1 FETCH (FLAGS ())",
            b"* 3 EXISTS",
            b"b OK FETCH completed",
        ]


def test_expunge_waits_while_fetch_store_or_search_run(imap_server, deliver):
    user = fresh_user(imap_server)
    for _ in range(3):
        deliver(user)
    first, second = two_sessions(imap_server, user)
    with first, second:
        first.command("a STORE 2 +FLAGS.SILENT (\\Deleted)")
        first.command("b EXPUNGE")
        # FETCH, STORE and SEARCH by sequence number must not be told of the expunge ...
        fetched = second.command("c FETCH 1:* (UID)")
        assert not any(line.endswith(b"EXPUNGE") for line in fetched)
        assert b"* 3 FETCH (UID 3)" in fetched  # message 3 keeps its number meanwhile
        assert second.command("d SEARCH ALL") == [b"* SEARCH 1 3", b"d OK SEARCH completed"]
        assert second.command("x STORE 3 +FLAGS (\\Seen)") == [
            b"* 3 FETCH (FLAGS (\\Seen))",
            b"x OK STORE completed",
        ]
        # ... but the next command that allows it is.
        assert second.command("e NOOP") == [b"* 2 EXPUNGE", b"e OK NOOP completed"]
        assert second.command("f FETCH 2 (UID)")[0] == b"* 2 FETCH (UID 3)"


def test_uid_commands_may_be_told_of_expunges(imap_server, deliver):
    user = fresh_user(imap_server)
    deliver(user)
    deliver(user)
    first, second = two_sessions(imap_server, user)
    with first, second:
        first.command("a STORE 1 +FLAGS.SILENT (\\Deleted)")
        first.command("b EXPUNGE")
        lines = second.command("c UID FETCH 1:* (FLAGS)")
        assert b"* 1 EXPUNGE" in lines


def test_qresync_reports_vanished(imap_server, deliver):
    user = fresh_user(imap_server)
    for _ in range(3):
        deliver(user)
    first, second = two_sessions(imap_server, user)
    with first, second:
        second.command("q ENABLE QRESYNC")
        first.command("a STORE 1 +FLAGS.SILENT (\\Deleted)")
        first.command("b EXPUNGE")
        assert second.command("c NOOP") == [b"* VANISHED 1", b"c OK NOOP completed"]


def test_idle_is_pushed_smtp_delivery(imap_server, deliver):
    user = fresh_user(imap_server)
    deliver(user)
    with RawImap(imap_server, login=user) as idler:
        idler.command("s SELECT INBOX")
        idler.send(b"i IDLE\r\n")
        assert idler.line() == b"+ idling"
        deliver(user)
        # Below the server's fallback poll: only the commit's notification can wake it in time.
        idler.sock.settimeout(POLL_SECONDS / 2)
        assert idler.line() == b"* 2 EXISTS"
        idler.sock.settimeout(30)
        idler.send(b"DONE\r\n")
        assert idler.read_until(b"i") == [b"i OK IDLE terminated"]


def test_idle_sees_flag_changes_of_another_session(imap_server, deliver):
    user = fresh_user(imap_server)
    deliver(user)
    first, idler = two_sessions(imap_server, user)
    with first, idler:
        idler.send(b"i IDLE\r\n")
        assert idler.line() == b"+ idling"
        first.command("a STORE 1 +FLAGS (\\Seen)")
        idler.sock.settimeout(POLL_SECONDS / 2)
        assert idler.line() == b"* 1 FETCH (UID 1 FLAGS (\\Seen))"
        idler.send(b"DONE\r\n")
        assert idler.read_until(b"i") == [b"i OK IDLE terminated"]
