"""Getting in over IMAP: greeting, STARTTLS, TLS, LOGIN and AUTHENTICATE PLAIN, refusals,
rate limits, and that one user never sees another's mailboxes."""

from __future__ import annotations

import base64
import socket

from govmail.imap.protocol import utf7
from tests.support.imap import RawImap, imap_starttls, imaps
from tests.support.server import PASSWORD


def plain_lines(server, *commands: bytes) -> list[bytes]:
    """Send *commands* over the cleartext port and return every line read until each tag."""
    with socket.create_connection(("127.0.0.1", server.ports["imap"]), timeout=30) as sock:
        stream = sock.makefile("rwb")
        lines = [stream.readline()]
        for command in commands:
            stream.write(command + b"\r\n")
            stream.flush()
            tag = command.split(b" ")[0]
            while True:
                line = stream.readline()
                lines.append(line)
                if line.startswith(tag + b" ") or not line:
                    break
        return lines


def test_greeting_offers_starttls_and_refuses_login_in_clear(imap_server):
    lines = plain_lines(imap_server, b"a LOGIN an@songlam.gov.vn " + PASSWORD.encode())
    greeting = lines[0]
    assert greeting.startswith(b"* OK [CAPABILITY IMAP4rev1 ")
    assert b" STARTTLS" in greeting and b" LOGINDISABLED" in greeting
    assert b"AUTH=PLAIN" not in greeting
    assert lines[-1].startswith(b"a NO [PRIVACYREQUIRED] ")


def test_authenticate_in_clear_is_refused_too(imap_server):
    initial = base64.b64encode(b"\0an@songlam.gov.vn\0" + PASSWORD.encode())
    lines = plain_lines(imap_server, b"a AUTHENTICATE PLAIN " + initial)
    assert lines[-1].startswith(b"a NO [PRIVACYREQUIRED] ")


def test_starttls_then_login(imap_server):
    client = imap_starttls(imap_server)
    try:
        typ, caps = client.capability()
        assert typ == "OK"
        names = caps[0].split()
        assert b"STARTTLS" not in names and b"LOGINDISABLED" not in names
        assert {b"IDLE", b"UIDPLUS", b"MOVE", b"CONDSTORE", b"SPECIAL-USE"} <= set(names)
    finally:
        client.logout()


def test_implicit_tls_login_and_capability_in_the_ok(imap_server):
    with RawImap(imap_server, login=None) as raw:
        assert raw.greeting.startswith(b"* OK [CAPABILITY IMAP4rev1 ")
        assert b"AUTH=PLAIN" in raw.greeting and b"STARTTLS" not in raw.greeting
        lines = raw.command(f"a1 LOGIN an@songlam.gov.vn {PASSWORD}")
        assert lines[-1].startswith(b"a1 OK [CAPABILITY IMAP4rev1 ")


def test_authenticate_plain_with_and_without_initial_response(imap_server):
    credentials = base64.b64encode(b"\0binh@songlam.gov.vn\0" + PASSWORD.encode())
    with RawImap(imap_server, login=None) as raw:
        lines = raw.command(b"a1 AUTHENTICATE PLAIN " + credentials)
        assert lines[-1].startswith(b"a1 OK ")
    with RawImap(imap_server, login=None) as raw:
        raw.send(b"a2 AUTHENTICATE PLAIN\r\n")
        assert raw.line() == b"+ "
        raw.send(credentials + b"\r\n")
        assert raw.read_until(b"a2")[-1].startswith(b"a2 OK ")
    with RawImap(imap_server, login=None) as raw:
        assert raw.command(b"a3 AUTHENTICATE PLAIN %%%")[-1].startswith(b"a3 BAD ")
        assert raw.command(b"a4 AUTHENTICATE CRAM-MD5")[-1].startswith(b"a4 NO ")


def login_reply(server, user: str, password: str, source: str) -> bytes:
    with RawImap(server, login=None, source=source) as raw:
        return raw.command(f"a LOGIN {user} {password}")[-1]


def test_wrong_password_is_refused_without_telling_which_part(imap_server):
    # Each test that fails logins comes from its own loopback address: failures count per IP.
    wrong = login_reply(imap_server, "binh@songlam.gov.vn", "not-the-password", "127.0.0.11")
    unknown = login_reply(imap_server, "noone@songlam.gov.vn", PASSWORD, "127.0.0.11")
    expected = b"a NO [AUTHENTICATIONFAILED] Invalid credentials / Sai ten dang nhap hoac mat khau"
    assert wrong == unknown == expected


def test_repeated_failures_are_throttled_per_account(imap_server):
    # The test server allows 3 failures in its window, per account and per client IP.
    for n in range(3):
        reply = login_reply(
            imap_server, "giamdoc@stttt.songlam.gov.vn", "guess", f"127.0.0.{20 + n}"
        )
        assert reply.startswith(b"a NO [AUTHENTICATIONFAILED]")
    good = login_reply(imap_server, "giamdoc@stttt.songlam.gov.vn", PASSWORD, "127.0.0.30")
    assert good.startswith(b"a NO [UNAVAILABLE]")


def test_repeated_failures_are_throttled_per_ip(imap_server):
    for user in ("x1@songlam.gov.vn", "x2@songlam.gov.vn", "x3@songlam.gov.vn"):
        login_reply(imap_server, user, "guess", "127.0.0.40")
    blocked = login_reply(imap_server, "an@songlam.gov.vn", PASSWORD, "127.0.0.40")
    assert blocked.startswith(b"a NO [UNAVAILABLE]")
    assert login_reply(imap_server, "an@songlam.gov.vn", PASSWORD, "127.0.0.41").startswith(
        b"a OK "
    )


def test_disabled_user_cannot_log_in(imap_server):
    reply = login_reply(imap_server, "nghihuu@songlam.gov.vn", PASSWORD, "127.0.0.50")
    assert reply.startswith(b"a NO [AUTHENTICATIONFAILED]")


def test_commands_before_login_are_bad(imap_server):
    with RawImap(imap_server, login=None) as raw:
        assert raw.command("a SELECT INBOX")[-1].startswith(b"a BAD ")
        assert raw.command('b LIST "" *')[-1].startswith(b"b BAD ")


def test_another_users_mailboxes_stay_invisible(imap_server):
    secret = utf7.encode("Bí mật")
    owner = imaps(imap_server, user="binh@songlam.gov.vn")
    assert owner.create(f'"{secret}"')[0] == "OK"
    owner.logout()
    other = imaps(imap_server)
    try:
        typ, listing = other.list()
        assert typ == "OK"
        assert not any(secret.encode() in line for line in listing)
        for attempt in (secret, "../binh@songlam.gov.vn/INBOX", "binh@songlam.gov.vn/INBOX"):
            typ, _ = other.select(f'"{attempt}"')
            assert typ == "NO"
            typ, _ = other.status(f'"{attempt}"', "(MESSAGES)")
            assert typ == "NO"
    finally:
        other.logout()


def test_logout_says_bye(imap_server):
    with RawImap(imap_server) as raw:
        lines = raw.command("z LOGOUT")
        assert lines[0].startswith(b"* BYE ")
        assert lines[-1].startswith(b"z OK ")
