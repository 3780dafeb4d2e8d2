"""The IMAP listeners: sockets, implicit TLS and STARTTLS, timeouts, and the loop that feeds a
session the commands its connection reads."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl

from govmail.config import Listen
from govmail.imap.commands import execute
from govmail.imap.commands.general import capabilities
from govmail.imap.commands.idle import AUTOLOGOUT
from govmail.imap.protocol.reader import (
    CommandReader,
    CommandReady,
    LiteralRequest,
    Malformed,
    TooLarge,
)
from govmail.imap.protocol.response import continuation, tagged
from govmail.imap.session import ImapContext, Session, State

log = logging.getLogger(__name__)

READ_SIZE = 64 * 1024
# A client that sends nothing but errors is not an IMAP client.
MAX_ERRORS = 20


class Connection:
    """A session's socket: reads bytes into the command reader, writes responses."""

    def __init__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, context: ImapContext
    ) -> None:
        self.reader = reader
        self.writer = writer
        self.limits = context.limits
        self.commands = self._new_reader()

    def _new_reader(self) -> CommandReader:
        return CommandReader(max_line=self.limits.max_line, max_literal=self.limits.max_literal)

    async def send(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()

    async def read_line(self) -> bytes | None:
        while True:
            line = self.commands.read_line()
            if line is not None:
                return line
            if not await self._fill():
                return None

    async def next_event(self) -> object | None:
        """The next event of the command reader; None when the client has gone."""
        while True:
            event = self.commands.next_event()
            if event is not None:
                return event
            if not await self._fill():
                return None

    async def _fill(self) -> bool:
        data = await self.reader.read(READ_SIZE)
        if not data:
            return False
        self.commands.feed(data)
        return True

    async def start_tls(self, context: ssl.SSLContext) -> None:
        await self.writer.start_tls(context)
        # Anything the client pipelined before the handshake must not count as sent over TLS.
        self.commands = self._new_reader()


async def serve_connection(
    context: ImapContext,
    tls_context: ssl.SSLContext,
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
) -> None:
    peer = writer.get_extra_info("peername")
    ip = str(peer[0]) if isinstance(peer, tuple) else "unknown"
    connection = Connection(reader, writer, context)
    session = Session(context, ip, writer.get_extra_info("ssl_object") is not None, connection)
    try:
        await _greet(session)
        await _loop(session, connection, tls_context)
    except (ConnectionError, ssl.SSLError, asyncio.IncompleteReadError):
        pass
    except TimeoutError:
        with contextlib.suppress(ConnectionError):
            await connection.send(AUTOLOGOUT)
    finally:
        if session.user is not None:
            context.connections[session.user.address] -= 1
        writer.close()


async def _greet(session: Session) -> None:
    caps = " ".join(capabilities(session))
    await session.send(
        b"* OK [CAPABILITY " + caps.encode() + b"] govmail IMAP4rev1 ready / San sang\r\n"
    )


async def _loop(session: Session, connection: Connection, tls_context: ssl.SSLContext) -> None:
    limits = session.context.limits
    errors = 0
    while session.state is not State.LOGOUT:
        timeout = (
            limits.login_timeout
            if session.state is State.NOT_AUTHENTICATED
            else limits.idle_timeout
        )
        event = await asyncio.wait_for(connection.next_event(), timeout)
        if event is None:
            return
        if isinstance(event, CommandReady):
            errors = 0
            await execute(session, event.command)
            if session.starttls_requested:
                session.starttls_requested = False
                await connection.start_tls(tls_context)
                session.tls = True
        elif isinstance(event, LiteralRequest):
            await session.send(continuation("Ready for literal"))
        elif isinstance(event, Malformed | TooLarge):
            errors += 1
            await session.send(_refusal(event))
            if errors >= MAX_ERRORS:
                await _bye(connection, "Too many errors / Qua nhieu loi")
                return


def _refusal(event: Malformed | TooLarge) -> bytes:
    if isinstance(event, TooLarge) and event.literal and event.tag is not None:
        return tagged(event.tag, "NO", event.text, "TOOBIG")
    if event.tag is None:
        return b"* BAD " + event.text.encode("utf-8", "replace") + b"\r\n"
    return tagged(event.tag, "BAD", event.text)


async def _bye(connection: Connection, text: str) -> None:
    with contextlib.suppress(ConnectionError):
        await connection.send(b"* BYE " + text.encode() + b"\r\n")


async def start_listener(
    listen: Listen, context: ImapContext, tls_context: ssl.SSLContext, implicit_tls: bool
) -> asyncio.Server:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await serve_connection(context, tls_context, reader, writer)

    host = None if listen.host == "*" else listen.host
    return await asyncio.start_server(
        handle,
        host=host,
        port=listen.port,
        ssl=tls_context if implicit_tls else None,
        ssl_handshake_timeout=30 if implicit_tls else None,
        reuse_address=True,
        limit=READ_SIZE,
    )
