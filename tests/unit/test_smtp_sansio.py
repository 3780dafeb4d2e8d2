"""Pure SMTP pieces: enhanced reply codes, SASL PLAIN decoding, the Received header."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govmail.pipeline.envelope import Client
from govmail.pipeline.trace import received_header, with_protocol
from govmail.smtp.replies import enhance
from govmail.smtp.sasl import SaslError, decode_plain


@pytest.mark.parametrize(
    ("builtin", "expected"),
    [
        ("552 Error: Too much mail data", "552 5.3.4 "),
        ("552 Error: message size exceeds fixed maximum message size", "552 5.3.4 "),
        ("500 Command line too long", "500 5.5.2 "),
        ('500 Error: command "FOO" not recognized', "500 5.5.1 "),
        ("503 Error: need RCPT command", "503 5.5.1 "),
        ("501 Syntax: MAIL FROM: <address>", "501 5.5.4 Syntax: MAIL FROM: <address>"),
        ("250 OK", "250 2.0.0 OK"),
    ],
)
def test_builtin_replies_get_enhanced_codes(builtin, expected):
    assert enhance(builtin).startswith(expected)


@pytest.mark.parametrize(
    "reply", ["250-SIZE 1000", "220 mail.example govmail ESMTP", "550 5.1.1 No such user", "334 "]
)
def test_other_replies_pass_unchanged(reply):
    assert enhance(reply) == reply


def test_plain_decodes_user_and_password():
    assert decode_plain(b"\x00an@songlam.gov.vn\x00m\xe1\xba\xadt kh\xe1\xba\xa9u") == (
        "an@songlam.gov.vn",
        "mật khẩu",
    )
    assert decode_plain(b"an@x.vn\x00an@x.vn\x00pw") == ("an@x.vn", "pw")


@pytest.mark.parametrize(
    "bad", [b"", b"user\x00pw", b"\x00\x00pw", b"\x00u\x00", b"other\x00u\x00pw", b"\x00u\x00\xff"]
)
def test_plain_refuses_malformed_messages(bad):
    with pytest.raises(SaslError):
        decode_plain(bad)


@settings(max_examples=500, deadline=None, derandomize=True)
@given(st.binary(max_size=2000))
def test_plain_never_fails_otherwise(data):
    try:
        user, password = decode_plain(data)
    except SaslError:
        return
    assert user and password


def test_received_header_names_client_tls_and_single_recipient():
    client = Client(
        ip="192.0.2.7",
        door="submission",
        helo="pc-vanthu",
        tls="TLSv1.3 with cipher TLS_AES_256_GCM_SHA384",
        auth_user="an@songlam.gov.vn",
    )
    when = datetime(2026, 11, 25, 8, 30, tzinfo=UTC)
    header = received_header(client, ["b@songlam.gov.vn"], "mail.songlam.gov.vn", "ABC", when)
    assert header == (
        b"Received: from pc-vanthu ([192.0.2.7])\r\n"
        b"\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384)\r\n"
        b"\tby mail.songlam.gov.vn (govmail) with ESMTPSA id ABC\r\n"
        b"\tfor <b@songlam.gov.vn>; Wed, 25 Nov 2026 08:30:00 +0000\r\n"
    )


def test_received_header_hides_recipients_of_many_and_cleans_the_helo():
    client = Client(ip="::1", door="mx", helo="bad (helo); x\\y")
    header = received_header(
        client, ["a@x.vn", "b@x.vn"], "mx.example", "Q1", datetime(2026, 1, 5, tzinfo=UTC)
    )
    assert b"for <" not in header
    assert header.startswith(b"Received: from bad??helo???x?y ([IPv6:::1])\r\n")
    assert b"with ESMTP id Q1;" in header


@pytest.mark.parametrize(
    ("esmtp", "tls", "auth", "utf8", "name"),
    [
        (False, None, None, False, "SMTP"),
        (True, None, None, False, "ESMTP"),
        (True, "TLS", None, False, "ESMTPS"),
        (True, "TLS", "u@x.vn", False, "ESMTPSA"),
        (True, "TLS", "u@x.vn", True, "UTF8SMTPSA"),
    ],
)
def test_with_protocol_names(esmtp, tls, auth, utf8, name):
    client = Client(ip="127.0.0.1", door="mx", esmtp=esmtp, tls=tls, auth_user=auth)
    assert with_protocol(client, utf8) == name
