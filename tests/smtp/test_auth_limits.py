"""AUTH failures: exact replies, throttling per client and account, plaintext over loopback."""

from __future__ import annotations

import base64
import smtplib
from collections.abc import Iterator

import pytest

from tests.conftest import new_server
from tests.support.mail import reply, submission
from tests.support.server import PASSWORD, GovmailServer, provision


@pytest.fixture(scope="module")
def server(request, tmp_path_factory) -> Iterator[GovmailServer]:
    root = tmp_path_factory.mktemp("auth")
    server = new_server(root, "sqlite", request, max_failures=3, allow_plaintext_loopback=True)
    provision(server)
    server.start()
    yield server
    server.stop()


def plain(user: str, password: str) -> str:
    return base64.b64encode(f"\0{user}\0{password}".encode()).decode()


def test_plaintext_auth_over_loopback_when_configured(server):
    with smtplib.SMTP("127.0.0.1", server.ports["submission"], timeout=30) as client:
        client.ehlo("pc")
        assert "auth" in client.esmtp_features
        code, _ = reply(client, f"AUTH PLAIN {plain('an@songlam.gov.vn', PASSWORD)}")
    assert code == 235


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("AUTH PLAIN !!!notbase64", "501 5.5.2"),
        (f"AUTH PLAIN {base64.b64encode(b'no-nul-here').decode()}", "501 5.5.2"),
        ("AUTH CRAM-MD5", "504 5.5.4"),
    ],
)
def test_malformed_auth_gets_a_clear_reply(server, command, expected):
    with submission(server, user=None) as client:
        code, text = reply(client, command)
        assert f"{code} {text.split()[0]}" == expected
        assert client.noop()[0] == 250


def test_disabled_user_cannot_log_in(server):
    with submission(server, user=None) as client:
        code, text = reply(client, f"AUTH PLAIN {plain('nghihuu@songlam.gov.vn', PASSWORD)}")
    assert (code, text.split()[0]) == (535, "5.7.8")


def attempt(server: GovmailServer, source: str, user: str, password: str) -> str:
    with submission(server, user=None, source=source) as client:
        code, text = reply(client, f"AUTH PLAIN {plain(user, password)}")
    return f"{code} {text.split()[0]}"


def test_failures_for_one_account_from_many_clients_block_that_account(server):
    sources = ("127.0.0.2", "127.0.0.3", "127.0.0.4")
    for source in sources:
        assert attempt(server, source, "binh@songlam.gov.vn", "wrong-password") == "535 5.7.8"
    assert attempt(server, "127.0.0.5", "binh@songlam.gov.vn", PASSWORD) == "454 4.7.0"
    assert attempt(server, "127.0.0.5", "an@songlam.gov.vn", PASSWORD) == "235 2.7.0"


def test_failures_from_one_client_for_many_accounts_block_that_client(server):
    for user in (
        "giamdoc@stttt.songlam.gov.vn",
        "vanthu@tanphu.songlam.gov.vn",
        "an@songlam.gov.vn",
    ):
        assert attempt(server, "127.0.0.6", user, "wrong-password") == "535 5.7.8"
    assert attempt(server, "127.0.0.6", "an@songlam.gov.vn", PASSWORD) == "454 4.7.0"
    assert attempt(server, "127.0.0.7", "an@songlam.gov.vn", PASSWORD) == "235 2.7.0"
