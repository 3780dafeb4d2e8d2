"""STORE (modes, .SILENT, UNCHANGEDSINCE) and SEARCH (flags, dates, sizes, text with and without
Vietnamese diacritics, addresses by substring, ESEARCH, SAVE) with exact responses."""

from __future__ import annotations

import pytest

from tests.support.imap import RawImap, fresh_user
from tests.support.mail import message


@pytest.fixture
def three(imap_server, deliver):
    """A user with three messages in INBOX, selected in a raw session."""
    user = fresh_user(imap_server)
    deliver(user, raw=message(to=user, subject="Giấy mời họp về văn bản điện tử")[1])
    deliver(
        user,
        raw=message(
            sender="ketoan@snv.songlam.gov.vn", to=user, subject="Báo cáo tài chính Đà Nẵng"
        )[1],
    )
    deliver(
        user, raw=message(to=user, subject="Lịch công tác", body="Số hóa tài liệu lưu trữ\r\n")[1]
    )
    with RawImap(imap_server, login=user) as raw:
        raw.command("s SELECT INBOX")
        yield raw


def test_store_modes_and_silent(three):
    assert three.command("a STORE 1 +FLAGS (\\Seen \\Flagged)")[0] == (
        b"* 1 FETCH (FLAGS (\\Flagged \\Seen))"
    )
    assert three.command("b STORE 1 -FLAGS (\\Flagged)")[0] == b"* 1 FETCH (FLAGS (\\Seen))"
    assert three.command("c STORE 2 FLAGS ($Label1 \\Answered)")[0] == (
        b"* 2 FETCH (FLAGS ($Label1 \\Answered))"
    )
    assert three.command("d STORE 3 +FLAGS.SILENT (\\Deleted)") == [b"d OK STORE completed"]
    assert three.command("e UID STORE 3 +FLAGS (\\Draft)")[0] == (
        b"* 3 FETCH (UID 3 FLAGS (\\Deleted \\Draft))"
    )
    assert three.command("f STORE 1 +FLAGS (\\Recent)")[-1].startswith(b"f BAD ")
    assert three.command("g STORE 7 +FLAGS (\\Seen)")[-1].startswith(b"g BAD ")


def test_unchangedsince_refuses_messages_changed_after(three):
    modseq = int(three.command("a FETCH 1 (MODSEQ)")[0].split(b"MODSEQ (")[1].split(b")")[0])
    three.command("b STORE 2 +FLAGS (\\Seen)")
    lines = three.command(f"c STORE 1:2 (UNCHANGEDSINCE {modseq}) +FLAGS (\\Flagged)")
    assert lines[-1] == b"c OK [MODIFIED 2] Conditional STORE failed for some messages"
    assert lines[0].startswith(b"* 1 FETCH (FLAGS (\\Flagged) MODSEQ (")


def test_search_flags_sizes_and_sequence_sets(three):
    three.command("a STORE 1 +FLAGS (\\Seen)")
    assert three.command("b SEARCH UNSEEN")[0] == b"* SEARCH 2 3"
    assert three.command("c SEARCH SEEN")[0] == b"* SEARCH 1"
    assert three.command("d UID SEARCH NOT SEEN 2:*")[0] == b"* SEARCH 2 3"
    assert three.command("e SEARCH OR 1 3")[0] == b"* SEARCH 1 3"
    assert three.command("f SEARCH LARGER 1 SMALLER 100000")[0] == b"* SEARCH 1 2 3"
    assert three.command("g SEARCH SMALLER 10")[0] == b"* SEARCH"
    assert three.command("h SEARCH SENTON 25-Nov-2026")[0] == b"* SEARCH 1 2 3"
    assert three.command("i SEARCH SENTBEFORE 25-Nov-2026")[0] == b"* SEARCH"
    assert three.command("j SEARCH SINCE 1-Jan-2020")[0] == b"* SEARCH 1 2 3"
    assert three.command("k SEARCH CHARSET KOI8-R ALL")[-1].startswith(b"k NO [BADCHARSET")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('SUBJECT "văn bản điện tử"', b"* SEARCH 1"),
        ('SUBJECT "van ban dien tu"', b"* SEARCH 1"),
        ('SUBJECT "da nang"', b"* SEARCH 2"),
        ('SUBJECT "ĐÀ NẴNG"', b"* SEARCH 2"),
        ('BODY "so hoa tai lieu"', b"* SEARCH 3"),
        ('TEXT "lịch công tác"', b"* SEARCH 3"),
        ("FROM ketoan", b"* SEARCH 2"),
        ("FROM snv.songlam", b"* SEARCH 2"),
        ('HEADER Message-ID "test.songlam.gov.vn"', b"* SEARCH 1 2 3"),
        ("SUBJECT khongcotu", b"* SEARCH"),
    ],
)
def test_text_search_folds_vietnamese(three, query, expected):
    lines = three.command(f"a SEARCH CHARSET UTF-8 {query}".encode())
    assert lines[0] == expected
    assert lines[-1] == b"a OK SEARCH completed"


def test_search_with_a_utf8_literal(three):
    needle = "điện tử".encode()
    three.send(b"a UID SEARCH CHARSET UTF-8 SUBJECT {%d}\r\n" % len(needle))
    assert three.line().startswith(b"+ ")
    three.send(needle + b"\r\n")
    assert three.read_until(b"a")[0] == b"* SEARCH 1"


def test_esearch_and_save(three):
    assert three.command("a SEARCH RETURN (MIN MAX COUNT) ALL")[0] == (
        b'* ESEARCH (TAG "a") MIN 1 MAX 3 COUNT 3'
    )
    assert three.command("b UID SEARCH RETURN () 2:3")[0] == b'* ESEARCH (TAG "b") UID ALL 2:3'
    assert three.command("c SEARCH RETURN (COUNT) SMALLER 1")[0] == (b'* ESEARCH (TAG "c") COUNT 0')
    assert three.command("d SEARCH RETURN (SAVE) FROM ketoan") == [b"d OK SEARCH completed"]
    assert three.command("e FETCH $ (UID)")[0] == b"* 2 FETCH (UID 2)"
