"""Session limits: connections per user, the autologout timer, and commands after LOGOUT."""

from __future__ import annotations

import contextlib

import pytest

from tests.conftest import new_server
from tests.support.imap import RawImap, fresh_user
from tests.support.server import PASSWORD, provision


def test_connections_per_user_are_capped(imap_server):
    user = fresh_user(imap_server)
    with contextlib.ExitStack() as stack:
        for _ in range(20):  # the server's max_connections_per_user
            stack.enter_context(RawImap(imap_server, login=user))
        with RawImap(imap_server, login=None) as extra:
            reply = extra.command(f"a LOGIN {user} {PASSWORD}")[-1]
            assert reply.startswith(b"a NO [LIMIT] ")
    # Closed connections give their places back.
    with RawImap(imap_server, login=None) as again:
        assert again.command(f"a LOGIN {user} {PASSWORD}")[-1].startswith(b"a OK ")


@pytest.fixture(scope="module")
def impatient_server(request, tmp_path_factory):
    server = new_server(
        tmp_path_factory.mktemp("impatient"), "sqlite", request, imap_idle_timeout=2
    )
    provision(server)
    server.start()
    yield server
    server.stop()


def test_an_idle_session_is_logged_out_with_bye(impatient_server):
    with RawImap(impatient_server) as raw:
        raw.sock.settimeout(30)
        assert raw.line().startswith(b"* BYE ")
        with pytest.raises((ConnectionError, OSError)):
            raw.command("a NOOP")


def test_idle_command_ends_at_the_autologout_timer(impatient_server):
    with RawImap(impatient_server) as raw:
        raw.command("s SELECT INBOX")
        raw.send(b"i IDLE\r\n")
        assert raw.line() == b"+ idling"
        raw.sock.settimeout(30)
        assert raw.line().startswith(b"* BYE ")
