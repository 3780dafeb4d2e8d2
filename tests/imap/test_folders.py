"""Folder commands with exact responses: LIST (plain, extended, special-use, status), CREATE with
Vietnamese names in modified UTF-7, RENAME (INBOX too), DELETE, SUBSCRIBE, LSUB, STATUS."""

from __future__ import annotations

from govmail.imap.protocol import utf7
from tests.support.imap import RawImap, fresh_user

VAN_BAN_DEN = utf7.encode("Văn bản đến")


def test_list_shows_the_special_use_folders(imap_server):
    with RawImap(imap_server, login=fresh_user(imap_server)) as raw:
        lines = raw.command('a LIST "" "*"')
    assert lines == [
        b'* LIST (\\HasNoChildren) "/" "INBOX"',
        b'* LIST (\\HasNoChildren \\Archive) "/" "Archive"',
        b'* LIST (\\HasNoChildren \\Drafts) "/" "Drafts"',
        b'* LIST (\\HasNoChildren \\Junk) "/" "Junk"',
        b'* LIST (\\HasNoChildren \\Sent) "/" "Sent"',
        b'* LIST (\\HasNoChildren \\Trash) "/" "Trash"',
        b"a OK LIST completed",
    ]


def test_list_delimiter_and_percent(imap_server):
    with RawImap(imap_server, login=fresh_user(imap_server)) as raw:
        assert raw.command('a LIST "" ""')[0] == b'* LIST (\\Noselect) "/" ""'
        quarter = utf7.encode("Dự án/2026/Quý 1")
        assert raw.command(f'b CREATE "{quarter}"')[-1].startswith(b"b OK")
        top = raw.command('c LIST "" "%"')
        project = utf7.encode("Dự án")
        assert f'* LIST (\\Noselect \\HasChildren) "/" "{project}"'.encode() in top
        deeper = raw.command(f'd LIST "{project}/" "*"')
        assert f'* LIST (\\Noselect \\HasChildren) "/" "{project}/2026"'.encode() in deeper
        assert f'* LIST (\\HasNoChildren) "/" "{quarter}"'.encode() in deeper


def test_vietnamese_folder_round_trips_in_modified_utf7(imap_server):
    with RawImap(imap_server, login=fresh_user(imap_server)) as raw:
        assert raw.command(f'a CREATE "{VAN_BAN_DEN}"')[-1] == b"a OK Completed"
        assert raw.command(f'b CREATE "{VAN_BAN_DEN}"')[-1].startswith(b"b NO [ALREADYEXISTS]")
        listing = raw.command(f'c LIST "" "{VAN_BAN_DEN}"')
        assert listing[0] == f'* LIST (\\HasNoChildren) "/" "{VAN_BAN_DEN}"'.encode()
        selected = raw.command(f'd SELECT "{VAN_BAN_DEN}"')
        assert selected[-1] == b"d OK [READ-WRITE] SELECT completed"
        assert raw.command('e CREATE "&Jjo"')[-1].startswith(b"e BAD ")


def test_utf8_accept_lets_names_travel_as_utf8(imap_server):
    with RawImap(imap_server, login=fresh_user(imap_server)) as raw:
        assert raw.command("a ENABLE UTF8=ACCEPT")[0] == b"* ENABLED UTF8=ACCEPT"
        assert raw.command('b CREATE "Văn bản đi"'.encode())[-1].startswith(b"b OK")
        listing = raw.command('c LIST "" "V*"')
        assert '* LIST (\\HasNoChildren) "/" "Văn bản đi"'.encode() in listing


def test_create_special_use_and_list_return_special_use(imap_server):
    with RawImap(imap_server, login=fresh_user(imap_server)) as raw:
        created = raw.command(f'a CREATE "{utf7.encode("Lưu trữ 2025")}" (USE (\\Archive))')
        assert created[-1].startswith(b"a OK")
        assert raw.command('b CREATE "X" (USE (\\Bogus))')[-1].startswith(b"b NO [USEATTR]")
        special = raw.command('c LIST (SPECIAL-USE) "" "*"')
        names = [line.rsplit(b'"/" ', 1)[1] for line in special[:-1]]
        assert names == [
            b'"Archive"',
            b'"Drafts"',
            b'"Junk"',
            f'"{utf7.encode("Lưu trữ 2025")}"'.encode(),
            b'"Sent"',
            b'"Trash"',
        ]


def test_rename_moves_children_and_inbox_rename_empties_inbox(imap_server, deliver):
    user = fresh_user(imap_server)
    deliver(user, subject="Trước khi đổi tên")
    with RawImap(imap_server, login=user) as raw:
        old, new = utf7.encode("Cũ"), utf7.encode("Mới")
        assert raw.command(f'a CREATE "{old}"')[-1].startswith(b"a OK")
        assert raw.command(f'a CREATE "{old}/Con"')[-1].startswith(b"a OK")
        assert raw.command(f'b RENAME "{old}" "{new}"')[-1].startswith(b"b OK")
        listing = b"\n".join(raw.command('c LIST "" "*"'))
        assert f'"{new}/Con"'.encode() in listing and old.encode() not in listing
        assert raw.command("e RENAME INBOX Saved")[-1].startswith(b"e OK")
        assert raw.command("f STATUS INBOX (MESSAGES)")[0] == b'* STATUS "INBOX" (MESSAGES 0)'
        assert raw.command("g STATUS Saved (MESSAGES)")[0] == b'* STATUS "Saved" (MESSAGES 1)'
        assert raw.command("h RENAME Nowhere Else")[-1].startswith(b"h NO [NONEXISTENT]")
        assert raw.command("i RENAME Saved Trash")[-1].startswith(b"i NO [ALREADYEXISTS]")


def test_delete_rules(imap_server):
    with RawImap(imap_server, login=fresh_user(imap_server)) as raw:
        assert raw.command("a DELETE INBOX")[-1].startswith(b"a NO")
        assert raw.command("b DELETE Nowhere")[-1].startswith(b"b NO [NONEXISTENT]")
        assert raw.command("c CREATE Tmp")[-1].startswith(b"c OK")
        assert raw.command("d SELECT Tmp")[-1].startswith(b"d OK")
        assert raw.command("e DELETE Tmp")[-1].startswith(b"e OK")
        assert raw.command('f LIST "" Tmp') == [b"f OK LIST completed"]


def test_subscribe_lsub_and_list_subscribed(imap_server):
    with RawImap(imap_server, login=fresh_user(imap_server)) as raw:
        raw.command("a CREATE Rieng")
        assert raw.command("b UNSUBSCRIBE Rieng")[-1].startswith(b"b OK")
        lsub = raw.command('c LSUB "" "*"')
        assert not any(b'"Rieng"' in line for line in lsub)
        assert b'* LSUB (\\HasNoChildren) "/" "INBOX"' in lsub
        raw.command("d SUBSCRIBE Rieng")
        subscribed = raw.command('e LIST (SUBSCRIBED) "" "R*"')
        assert subscribed[0] == b'* LIST (\\HasNoChildren \\Subscribed) "/" "Rieng"'


def test_status_counts(imap_server, deliver):
    user = fresh_user(imap_server)
    deliver(user, subject="một")
    deliver(user, subject="hai")
    with RawImap(imap_server, login=user) as raw:
        lines = raw.command("a STATUS INBOX (MESSAGES UNSEEN UIDNEXT RECENT)")
        assert lines[0] == b'* STATUS "INBOX" (MESSAGES 2 UNSEEN 2 UIDNEXT 3 RECENT 0)'
        assert raw.command("b STATUS INBOX (BOGUS)")[-1].startswith(b"b BAD")
        listed = raw.command('c LIST "" "INBOX" RETURN (STATUS (MESSAGES UIDVALIDITY))')
        assert listed[0] == b'* LIST (\\HasNoChildren) "/" "INBOX"'
        assert listed[1].startswith(b'* STATUS "INBOX" (MESSAGES 2 UIDVALIDITY ')


def test_namespace_and_id(imap_server):
    with RawImap(imap_server) as raw:
        assert raw.command("a NAMESPACE")[0] == b'* NAMESPACE (("" "/")) NIL NIL'
        assert (
            raw.command('b ID ("name" "Thunderbird")')[0]
            == b'* ID ("name" "govmail" "vendor" "govmail")'
        )
