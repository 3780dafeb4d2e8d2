"""Hostile and broken SMTP input: each gets a clear reply or is stored intact; the server lives."""

from __future__ import annotations

import random
import socket
import time
from pathlib import Path

import pytest

from tests.support import inspect
from tests.support.mail import message, mx
from tests.support.server import GovmailServer

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "messages"


class Raw:
    """A bare socket SMTP client: sends exactly the bytes a test gives it."""

    def __init__(self, server: GovmailServer) -> None:
        self.sock = socket.create_connection(("127.0.0.1", server.ports["mx"]), timeout=30)
        self.buffer = b""
        assert self.reply().startswith("220 ")

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def reply(self) -> str:
        """One complete (possibly multi-line) reply."""
        lines = []
        while True:
            while b"\r\n" not in self.buffer:
                chunk = self.sock.recv(65536)
                if not chunk:
                    raise ConnectionError(f"closed after {lines!r}")
                self.buffer += chunk
            line, self.buffer = self.buffer.split(b"\r\n", 1)
            lines.append(line.decode("utf-8", "replace"))
            if len(line) < 4 or line[3:4] != b"-":
                return "\n".join(lines)

    def command(self, line: bytes) -> str:
        self.send(line + b"\r\n")
        return self.reply()

    def close(self) -> None:
        self.sock.close()


def still_serving(server: GovmailServer) -> None:
    with mx(server) as client:
        assert client.noop()[0] == 250


def deliver_raw(server: GovmailServer, data: bytes, recipient: str = "an@songlam.gov.vn") -> str:
    """MAIL, RCPT, DATA with *data* sent verbatim (it must already end with CRLF.CRLF)."""
    client = Raw(server)
    try:
        assert client.command(b"EHLO raw.client").startswith("250")
        assert client.command(b"MAIL FROM:<x@tinhkhac.gov.vn>").startswith("250")
        assert client.command(f"RCPT TO:<{recipient}>".encode()).startswith("250")
        assert client.command(b"DATA").startswith("354")
        client.send(data)
        return client.reply()
    finally:
        client.close()


def stored_body(server: GovmailServer) -> bytes:
    raw = inspect.raw_messages(server, "an@songlam.gov.vn")[-1]
    return raw.split(b"\r\n", 3)[3]  # our Received header is three lines on the MX door


def test_overlong_command_line_gets_500_and_the_session_continues(smtp_server):
    client = Raw(smtp_server)
    assert client.command(b"EHLO raw.client").startswith("250")
    assert client.command(b"MAIL FROM:<" + b"a" * 3000 + b"@x.vn>").startswith("500 5.5.2")
    assert client.command(b"NOOP").startswith("250")
    client.close()


def test_line_longer_than_the_buffer_is_refused_without_storing(smtp_server):
    before = inspect.message_count(smtp_server)
    reply = deliver_raw(smtp_server, b"Subject: x\r\n\r\n" + b"y" * 20000 + b"\r\n.\r\n")
    assert reply.startswith("500 5.5.2")
    assert inspect.message_count(smtp_server) == before


def test_disconnect_during_data_stores_nothing(smtp_server):
    before = inspect.message_count(smtp_server)
    client = Raw(smtp_server)
    client.command(b"EHLO raw.client")
    client.command(b"MAIL FROM:<x@tinhkhac.gov.vn>")
    client.command(b"RCPT TO:<an@songlam.gov.vn>")
    assert client.command(b"DATA").startswith("354")
    client.send(b"Subject: half\r\n\r\nthe client dies before the final dot\r\n")
    client.close()
    time.sleep(0.2)
    still_serving(smtp_server)
    assert inspect.message_count(smtp_server) == before


@pytest.mark.parametrize(
    "body",
    [
        b"NUL \x00 inside a line\r\nand \x00\x00 more\r\n",
        b"bare LF\nline endings\nhere\r\n",
        b"8-bit body: \xc4\x90\xc3\xa0 N\xe1\xba\xb5ng, and raw latin \xe9\r\n",
        b"..a leading dot is unstuffed\r\n",
    ],
)
def test_odd_bodies_are_stored_intact(smtp_server, body):
    original = b"Subject: odd\r\nFrom: x@tinhkhac.gov.vn\r\n\r\n" + body
    stuffed = original.replace(b"\r\n.", b"\r\n..")
    assert deliver_raw(smtp_server, stuffed + b".\r\n").startswith("250 2.0.0")
    assert stored_body(smtp_server) == original


def test_raw_8bit_header_without_smtputf8_is_stored_intact(smtp_server):
    original = "Subject: Báo cáo tuần\r\nFrom: Văn thư <x@tinhkhac.gov.vn>\r\n\r\nx\r\n".encode()
    assert deliver_raw(smtp_server, original + b".\r\n").startswith("250 2.0.0")
    assert stored_body(smtp_server) == original
    assert inspect.entries(smtp_server, "an@songlam.gov.vn")[-1].subject == "Báo cáo tuần"


@pytest.mark.parametrize(
    "line",
    [
        b"MAIL FROM:<a\x00b@tinhkhac.gov.vn>",
        b"MAIL FROM:<a@b@tinhkhac.gov.vn>",
        b"MAIL FROM:<@>",
        b"MAIL FROM:<x@-bad-.vn>",
        b"MAIL FROM:x@tinhkhac.gov.vn SIZE=abc",
        b"MAIL FROM:<x@tinhkhac.gov.vn> FOO=BAR",
        b"RCPT TO:<an@songlam.gov.vn>",
        b"DATA",
        b"\x00\x01\x02",
        b"\xff\xfe EHLO",
        b"EHLO",
    ],
)
def test_malformed_commands_get_a_5xx_and_the_session_continues(smtp_server, line):
    client = Raw(smtp_server)
    assert client.command(b"EHLO raw.client").startswith("250")
    answer = client.command(line)
    assert answer[:1] == "5", answer
    assert answer[4:5].isdigit() and answer[5:6] == ".", f"no enhanced status code: {answer}"
    assert client.command(b"NOOP").startswith("250")
    client.close()


def test_too_many_recipients_get_452(smtp_server):
    client = Raw(smtp_server)
    client.command(b"EHLO raw.client")
    client.command(b"MAIL FROM:<x@tinhkhac.gov.vn>")
    for _ in range(50):
        assert client.command(b"RCPT TO:<an@songlam.gov.vn>").startswith("250")
    assert client.command(b"RCPT TO:<an@songlam.gov.vn>").startswith("452 4.5.3")
    client.close()


def test_pipelined_transaction(smtp_server):
    _, raw = message(subject="pipelined")
    client = Raw(smtp_server)
    client.command(b"EHLO raw.client")
    client.send(
        b"MAIL FROM:<x@tinhkhac.gov.vn>\r\nRCPT TO:<an@songlam.gov.vn>\r\n"
        b"RCPT TO:<khongco@songlam.gov.vn>\r\nDATA\r\n"
    )
    replies = [client.reply() for _ in range(4)]
    assert [r[:3] for r in replies] == ["250", "250", "550", "354"]
    client.send(raw + b".\r\n")
    assert client.reply().startswith("250 2.0.0")
    client.close()
    assert inspect.entries(smtp_server, "an@songlam.gov.vn")[-1].subject == "pipelined"


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.eml")), ids=lambda p: p.name[:2])
def test_corpus_messages_are_stored_byte_for_byte(smtp_server, path):
    original = path.read_bytes()
    # SMTP ends the data with CRLF.CRLF: a cut-off file (05) gets the CRLF any client adds.
    data = original if original.endswith(b"\r\n") else original + b"\r\n"
    stuffed = data.replace(b"\r\n.", b"\r\n..")
    if stuffed.startswith(b"."):
        stuffed = b"." + stuffed
    assert deliver_raw(smtp_server, stuffed + b".\r\n").startswith("250 2.0.0")
    assert stored_body(smtp_server) == data


def test_random_garbage_never_kills_the_server(smtp_server):
    rng = random.Random(20261125)
    for _ in range(30):
        client = Raw(smtp_server)
        junk = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 400)))
        junk = junk.replace(b"\r\n", b"") + b"\r\n"
        client.send(junk)
        try:
            answer = client.reply()
            assert answer[:1] in ("2", "5"), answer
        except ConnectionError:
            pass  # an abusive session may be dropped; the server must live on
        client.close()
    still_serving(smtp_server)
