"""IMAP client helpers for tests: imaplib sessions over STARTTLS or TLS, raw protocol lines."""

from __future__ import annotations

import asyncio
import contextlib
import imaplib
import socket
import ssl

from govmail.accounts.admin import add_user
from govmail.config import database_url, load
from govmail.store.db import Database
from tests.support.mail import tls_context
from tests.support.server import PASSWORD, GovmailServer


def imaps(server: GovmailServer, user: str | None = "an@songlam.gov.vn") -> imaplib.IMAP4_SSL:
    client = imaplib.IMAP4_SSL(
        "127.0.0.1", server.ports["imaps"], ssl_context=tls_context(server), timeout=30
    )
    if user is not None:
        client.login(user, PASSWORD)
    return client


def imap_starttls(server: GovmailServer, user: str | None = "an@songlam.gov.vn") -> imaplib.IMAP4:
    client = imaplib.IMAP4("127.0.0.1", server.ports["imap"], timeout=30)
    client.starttls(ssl_context=tls_context(server))
    if user is not None:
        client.login(user, PASSWORD)
    return client


class RawImap:
    """A TLS connection that sends protocol lines as written and reads responses up to a tag:
    for exact-response tests and hostile input that imaplib would not send."""

    def __init__(
        self,
        server: GovmailServer,
        login: str | None = "an@songlam.gov.vn",
        source: str = "127.0.0.1",
    ) -> None:
        plain = socket.create_connection(
            ("127.0.0.1", server.ports["imaps"]), timeout=30, source_address=(source, 0)
        )
        self.sock = tls_context(server).wrap_socket(plain, server_hostname="127.0.0.1")
        self.buffer = b""
        self.greeting = self.line()
        if login is not None:
            self.command(f"L LOGIN {login} {PASSWORD}")

    def send(self, data: bytes | str) -> None:
        self.sock.sendall(data.encode() if isinstance(data, str) else data)

    def line(self) -> bytes:
        while b"\r\n" not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("server closed the connection")
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\r\n")
        return line

    def read_until(self, tag: bytes) -> list[bytes]:
        """Lines up to and including the tagged one; literals stay inside their line."""
        lines = []
        while True:
            line = self.line()
            while line.endswith(b"}") and b"{" in line:
                size = int(line[line.rindex(b"{") + 1 : -1].rstrip(b"+"))
                while len(self.buffer) < size:
                    chunk = self.sock.recv(65536)
                    if not chunk:
                        raise ConnectionError("server closed the connection")
                    self.buffer += chunk
                literal, self.buffer = self.buffer[:size], self.buffer[size:]
                line += b"\r\n" + literal + self.line()
            lines.append(line)
            if line.startswith(tag + b" "):
                return lines

    def command(self, text: str | bytes) -> list[bytes]:
        data = text.encode() if isinstance(text, str) else text
        tag = data.split(b" ", 1)[0]
        self.send(data + b"\r\n")
        return self.read_until(tag)

    def close(self) -> None:
        with contextlib.suppress(ssl.SSLError):
            self.sock.close()

    def __enter__(self) -> RawImap:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_users = iter(range(1, 1_000_000))


def fresh_user(server: GovmailServer) -> str:
    """A new user with the default folders and nothing else, for a test that owns its mailbox.
    Added in-process (as `govmail user add` does) rather than by starting the CLI each time."""
    address = f"nguoi{next(_users)}@songlam.gov.vn"

    async def add() -> None:
        db = Database(database_url(load(server.config)))
        try:
            await add_user(db, address, PASSWORD)
        finally:
            await db.close()

    asyncio.run(add())
    return address
