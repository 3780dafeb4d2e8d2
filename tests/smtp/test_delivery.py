"""Delivery over the three SMTP doors with real clients (smtplib, swaks), SQLite and PostgreSQL."""

from __future__ import annotations

import re
import shutil
import smtplib
import subprocess

import pytest

from tests.support import inspect
from tests.support.mail import message, mx, reply, submission, submissions
from tests.support.server import PASSWORD


def received_once_then(raw: bytes, original: bytes) -> None:
    """*raw* is *original* with exactly one Received header prepended."""
    assert raw.startswith(b"Received: from ")
    header_end = raw.index(b"\r\n", raw.index(b"\tby ")) + 2
    while raw[header_end : header_end + 1] == b"\t":
        header_end = raw.index(b"\r\n", header_end) + 2
    assert raw[header_end:] == original
    assert raw.count(b"Received: ") == 1


def test_mx_delivers_byte_for_byte_with_one_received_header(smtp_server):
    _, raw = message()
    with mx(smtp_server) as client:
        refused = client.sendmail("vanthu@tinhkhac.gov.vn", ["an@songlam.gov.vn"], raw)
    assert refused == {}
    stored = inspect.raw_messages(smtp_server, "an@songlam.gov.vn")[-1]
    received_once_then(stored, raw)
    assert b"with ESMTPS" not in stored and b"with ESMTP id" in stored
    assert b"for <an@songlam.gov.vn>" in stored


def test_new_user_has_the_special_use_folders(smtp_server):
    assert inspect.folder_names(smtp_server, "binh@songlam.gov.vn") == {
        "INBOX": None,
        "Sent": "\\Sent",
        "Drafts": "\\Drafts",
        "Trash": "\\Trash",
        "Junk": "\\Junk",
        "Archive": "\\Archive",
    }


def test_one_message_to_several_users_is_stored_once(smtp_server):
    before = inspect.message_count(smtp_server)
    _, raw = message(to="an@songlam.gov.vn, binh@songlam.gov.vn")
    with mx(smtp_server) as client:
        client.sendmail("x@tinhkhac.gov.vn", ["an@songlam.gov.vn", "binh@songlam.gov.vn"], raw)
    assert inspect.message_count(smtp_server) == before + 1
    first = inspect.entries(smtp_server, "an@songlam.gov.vn")[-1]
    second = inspect.entries(smtp_server, "binh@songlam.gov.vn")[-1]
    assert first.blob_hash == second.blob_hash
    assert b"\tfor <" not in inspect.raw_messages(smtp_server, "binh@songlam.gov.vn")[-1]


def test_distribution_list_expands_to_its_members(smtp_server):
    before = inspect.message_count(smtp_server)
    _, raw = message(to="lanhdao@songlam.gov.vn", subject="Báo cáo tuần")
    with mx(smtp_server) as client:
        client.sendmail("x@tinhkhac.gov.vn", ["lanhdao@songlam.gov.vn"], raw)
    assert inspect.message_count(smtp_server) == before + 1
    for member in ("an@songlam.gov.vn", "giamdoc@stttt.songlam.gov.vn"):
        assert inspect.entries(smtp_server, member)[-1].subject == "Báo cáo tuần"


def test_uids_grow_by_one_per_delivery(smtp_server):
    with mx(smtp_server) as client:
        for _ in range(3):
            client.sendmail("x@tinhkhac.gov.vn", ["binh@songlam.gov.vn"], message()[1])
    uids = [entry.uid for entry in inspect.entries(smtp_server, "binh@songlam.gov.vn")]
    assert uids == list(range(1, len(uids) + 1))


def test_ehlo_on_mx_advertises_extensions_but_not_auth(smtp_server):
    with mx(smtp_server) as client:
        features = client.esmtp_features
    for name in ("size", "8bitmime", "smtputf8", "pipelining", "enhancedstatuscodes", "starttls"):
        assert name in features, name
    assert features["size"] == "1000000"
    assert "auth" not in features


@pytest.mark.parametrize(
    ("sender", "recipient", "code", "status"),
    [
        ("x@tinhkhac.gov.vn", "khongco@songlam.gov.vn", 550, "5.1.1"),
        ("x@tinhkhac.gov.vn", "ai@gmail.com", 554, "5.7.1"),
        ("x@tinhkhac.gov.vn", "nghihuu@songlam.gov.vn", 550, "5.2.1"),
        ("x@tinhkhac.gov.vn", "khongco@stttt.songlam.gov.vn", 550, "5.1.1"),
    ],
)
def test_mx_refuses_at_rcpt(smtp_server, sender, recipient, code, status):
    with mx(smtp_server) as client:
        assert client.mail(sender)[0] == 250
        got_code, text = client.rcpt(recipient)
    assert (got_code, text.decode().split()[0]) == (code, status)


def test_relay_attempt_leaves_nothing_queued(smtp_server):
    with mx(smtp_server) as client, pytest.raises(smtplib.SMTPRecipientsRefused) as caught:
        client.sendmail("x@tinhkhac.gov.vn", ["ai@gmail.com"], message(to="ai@gmail.com")[1])
    assert caught.value.recipients["ai@gmail.com"][0] == 554
    assert all(rcpt != "ai@gmail.com" for _, rcpt in inspect.queue(smtp_server))


def test_declared_size_over_the_limit_is_refused_at_mail(smtp_server):
    with mx(smtp_server) as client:
        code, text = client.mail("x@tinhkhac.gov.vn", ["SIZE=2000000"])
    assert (code, text.decode().split()[0]) == (552, "5.3.4")


def test_data_over_the_limit_is_refused_and_not_stored(smtp_server):
    before = inspect.message_count(smtp_server)
    _, raw = message(body=("x" * 998 + "\r\n") * 1100)
    with mx(smtp_server) as client:
        client.mail("x@tinhkhac.gov.vn")  # no SIZE= declared: the limit bites during DATA
        client.rcpt("an@songlam.gov.vn")
        code, text = client.data(raw)
    assert (code, text.decode().split()[0]) == (552, "5.3.4")
    assert inspect.message_count(smtp_server) == before


def test_submission_starttls_auth_plain_local_and_remote(smtp_server):
    _, raw = message(sender="an@songlam.gov.vn", to="binh@songlam.gov.vn, ai@bocongan.gov.vn")
    with submission(smtp_server) as client:
        assert "auth" in client.esmtp_features
        assert client.esmtp_features["auth"].split() == ["LOGIN", "PLAIN"]
        client.sendmail("an@songlam.gov.vn", ["binh@songlam.gov.vn", "ai@bocongan.gov.vn"], raw)
    stored = inspect.raw_messages(smtp_server, "binh@songlam.gov.vn")[-1]
    assert re.search(rb"with ESMTPSA id \w+", stored)
    assert b"(using TLSv1." in stored
    assert ("an@songlam.gov.vn", "ai@bocongan.gov.vn") in inspect.queue(smtp_server)


def test_submission_auth_login(smtp_server):
    with submission(smtp_server, user=None) as client:
        client.user, client.password = "giamdoc@stttt.songlam.gov.vn", PASSWORD
        code, _ = client.auth("LOGIN", client.auth_login)
        assert code == 235
        client.sendmail("giamdoc@stttt.songlam.gov.vn", ["an@songlam.gov.vn"], message()[1])


def test_implicit_tls_submission(smtp_server):
    _, raw = message(sender="an@songlam.gov.vn", subject="Gửi từ điện thoại")
    with submissions(smtp_server) as client:
        client.sendmail("an@songlam.gov.vn", ["binh@songlam.gov.vn"], raw)
    assert inspect.entries(smtp_server, "binh@songlam.gov.vn")[-1].subject == "Gửi từ điện thoại"


def test_submission_without_auth_is_refused(smtp_server):
    with submission(smtp_server, user=None) as client:
        code, text = client.mail("an@songlam.gov.vn")
    assert (code, text.decode().split()[0]) == (530, "5.7.0")


def test_auth_before_starttls_is_refused(smtp_server):
    with smtplib.SMTP("127.0.0.1", smtp_server.ports["submission"], timeout=30) as client:
        client.ehlo("pc")
        assert "auth" not in client.esmtp_features
        code, text = reply(client, "AUTH PLAIN AGFuQHNvbmdsYW0uZ292LnZuAHg=")
    assert (code, text.split()[0]) == (538, "5.7.11")


@pytest.mark.parametrize("sender", ["binh@songlam.gov.vn", "ai@gmail.com", "<>"])
def test_submission_sender_must_be_owned(smtp_server, sender):
    with submission(smtp_server) as client:
        code, text = reply(client, f"MAIL FROM:<{sender.strip('<>')}>")
    assert (code, text.split()[0]) == (553, "5.7.1")


def test_submission_may_send_as_an_alias_the_user_belongs_to(smtp_server):
    with submission(smtp_server) as client:
        assert client.mail("vanphong@songlam.gov.vn")[0] == 250


swaks = shutil.which("swaks")


def run_swaks(*args: str) -> subprocess.CompletedProcess[str]:
    assert swaks, "swaks is missing: run `make test`, which installs it"
    return subprocess.run(
        [swaks, "--server", "127.0.0.1", "--timeout", "30", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_swaks_over_mx(smtp_server):
    result = run_swaks(
        "--port",
        str(smtp_server.ports["mx"]),
        "--from",
        "x@tinhkhac.gov.vn",
        "--to",
        "an@songlam.gov.vn",
        "--header",
        "Subject: swaks mx",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"<-  250 2\.0\.0 OK: queued as \w+", result.stdout)
    assert inspect.entries(smtp_server, "an@songlam.gov.vn")[-1].subject == "swaks mx"


def test_swaks_starttls_with_auth(smtp_server):
    result = run_swaks(
        "--port",
        str(smtp_server.ports["submission"]),
        "--tls",
        "--auth",
        "PLAIN",
        "--auth-user",
        "an@songlam.gov.vn",
        "--auth-password",
        PASSWORD,
        "--from",
        "an@songlam.gov.vn",
        "--to",
        "binh@songlam.gov.vn",
        "--header",
        "Subject: swaks starttls",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "235 2.7.0 Authentication successful" in result.stdout
    assert inspect.entries(smtp_server, "binh@songlam.gov.vn")[-1].subject == "swaks starttls"


def test_swaks_implicit_tls_with_auth(smtp_server):
    result = run_swaks(
        "--port",
        str(smtp_server.ports["submissions"]),
        "--tlsc",
        "--auth",
        "LOGIN",
        "--auth-user",
        "an@songlam.gov.vn",
        "--auth-password",
        PASSWORD,
        "--from",
        "an@songlam.gov.vn",
        "--to",
        "binh@songlam.gov.vn",
        "--header",
        "Subject: swaks tlsc",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert inspect.entries(smtp_server, "binh@songlam.gov.vn")[-1].subject == "swaks tlsc"


def test_swaks_relay_refusal_exact_reply(smtp_server):
    result = run_swaks(
        "--port",
        str(smtp_server.ports["mx"]),
        "--from",
        "x@tinhkhac.gov.vn",
        "--to",
        "ai@gmail.com",
    )
    assert result.returncode != 0
    assert "<** 554 5.7.1 Relay access denied" in result.stdout
