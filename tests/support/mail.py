"""SMTP client helpers for tests: messages with unique ids, TLS contexts that trust the test CA."""

from __future__ import annotations

import smtplib
import ssl
import uuid
from pathlib import Path

from tests.support.server import PASSWORD, GovmailServer


def message(
    sender: str = "vanthu@tinhkhac.gov.vn",
    to: str = "an@songlam.gov.vn",
    subject: str = "Giấy mời họp",
    body: str = "Kính gửi các đồng chí,\r\nMời họp lúc 8 giờ.\r\n",
) -> tuple[str, bytes]:
    """A UTF-8 message and its Message-ID."""
    message_id = f"<{uuid.uuid4().hex}@test.songlam.gov.vn>"
    raw = (
        f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: {message_id}\r\n"
        "Date: Wed, 25 Nov 2026 09:00:00 +0700\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + body
    ).encode()
    return message_id, raw


def tls_context(server: GovmailServer) -> ssl.SSLContext:
    """Trusts the server's self-signed certificate and checks it names 127.0.0.1."""
    return ssl.create_default_context(cafile=str(Path(server.root) / "data" / "tls" / "cert.pem"))


def mx(server: GovmailServer) -> smtplib.SMTP:
    client = smtplib.SMTP("127.0.0.1", server.ports["mx"], timeout=30)
    client.ehlo("test.client")
    return client


def submission(
    server: GovmailServer, user: str | None = "an@songlam.gov.vn", source: str = "127.0.0.1"
) -> smtplib.SMTP:
    """Port 587 after STARTTLS, logged in as *user*, connecting from loopback address *source*."""
    client = smtplib.SMTP(
        "127.0.0.1", server.ports["submission"], timeout=30, source_address=(source, 0)
    )
    client.ehlo("pc-an")
    client.starttls(context=tls_context(server))
    client.ehlo("pc-an")
    if user is not None:
        client.login(user, PASSWORD)
    return client


def submissions(server: GovmailServer, user: str = "an@songlam.gov.vn") -> smtplib.SMTP_SSL:
    client = smtplib.SMTP_SSL(
        "127.0.0.1", server.ports["submissions"], timeout=30, context=tls_context(server)
    )
    client.ehlo("phone-an")
    client.login(user, PASSWORD)
    return client


def reply(client: smtplib.SMTP, command: str) -> tuple[int, str]:
    code, text = client.docmd(command)
    return code, text.decode()
