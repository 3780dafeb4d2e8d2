"""The IMAP session state machine (RFC 3501 3): which commands each state allows, the login,
the selected mailbox and the untagged updates owed to the client. It knows no socket."""

from __future__ import annotations

import enum
import logging
import unicodedata
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from govmail.accounts.login import Authenticator
from govmail.imap.names import MailboxNames
from govmail.imap.protocol.response import tagged
from govmail.imap.selected import SelectedMailbox
from govmail.pipeline.accept import Pipeline
from govmail.store.blobs import BlobStore
from govmail.store.db import Database
from govmail.store.entries import changes_since
from govmail.store.notify import Notifier

log = logging.getLogger(__name__)


class State(enum.Enum):
    NOT_AUTHENTICATED = "not authenticated"
    AUTHENTICATED = "authenticated"
    SELECTED = "selected"
    LOGOUT = "logout"


@dataclass(frozen=True)
class Limits:
    max_literal: int = 50 * 1024 * 1024
    max_line: int = 64 * 1024
    idle_timeout: float = 30 * 60.0
    login_timeout: float = 60.0
    max_connections_per_user: int = 20


@dataclass
class ImapContext:
    """What every session of one server shares."""

    db: Database
    blobs: BlobStore
    authenticator: Authenticator
    pipeline: Pipeline
    notifier: Notifier
    limits: Limits = field(default_factory=Limits)
    plaintext_auth_loopback: bool = False
    connections: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True)
class Result:
    """A command's tagged completion. Response text is 7-bit (RFC 3501 9, TEXT-CHAR): the
    Vietnamese half of a message is written without diacritics."""

    status: str  # OK, NO or BAD
    text: str
    code: str | None = None


NONEXISTENT = Result("NO", "No such mailbox / Khong co thu muc nay", "NONEXISTENT")
TRYCREATE = Result("NO", "No such mailbox / Khong co thu muc nay", "TRYCREATE")


@dataclass(frozen=True)
class User:
    id: int
    address: str


Handler = Callable[["Session", Any], Awaitable[Result]]


def seven_bit(text: str) -> str:
    """Text for a client that reads only 7-bit responses: Vietnamese without its diacritics,
    anything else that is not ASCII as "?"."""
    if text.isascii():
        return text
    bare = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return bare.replace("đ", "d").replace("Đ", "D").encode("ascii", "replace").decode("ascii")


class Connection(Protocol):
    """The socket side of a session, as the server provides it."""

    async def send(self, data: bytes) -> None: ...

    async def read_line(self) -> bytes | None:
        """One raw line from the client (IDLE's DONE, SASL responses); None when it has gone."""
        ...


class Session:
    """One client connection's IMAP state. The server feeds it parsed commands; it answers
    through its connection."""

    def __init__(
        self, context: ImapContext, client_ip: str, tls: bool, connection: Connection
    ) -> None:
        self.context = context
        self.client_ip = client_ip
        self.tls = tls
        self.connection = connection
        self.state = State.NOT_AUTHENTICATED
        self.user: User | None = None
        self.selected: SelectedMailbox | None = None
        self.enabled: set[str] = set()
        self.starttls_requested = False

    async def send(self, data: bytes) -> None:
        await self.connection.send(data)

    @property
    def utf8(self) -> bool:
        return "UTF8=ACCEPT" in self.enabled

    @property
    def qresync(self) -> bool:
        return "QRESYNC" in self.enabled

    @property
    def condstore(self) -> bool:
        return "CONDSTORE" in self.enabled or self.qresync

    @property
    def names(self) -> MailboxNames:
        return MailboxNames(self.utf8)

    @property
    def may_login_in_clear(self) -> bool:
        return self.tls or (
            self.context.plaintext_auth_loopback and self.client_ip in ("127.0.0.1", "::1")
        )

    async def finish(self, tag: str, result: Result) -> None:
        text = result.text if self.utf8 else seven_bit(result.text)
        await self.send(tagged(tag, result.status, text, result.code))

    async def report_changes(self, allow_expunge: bool = True) -> None:
        """Tell the client what other sessions and deliveries changed in the selected mailbox."""
        view = self.selected
        if view is None:
            return
        changes = await self.context.db.read(
            lambda session: changes_since(session, view.mailbox_id, view.modseq)
        )
        lines = view.apply(changes, allow_expunge, self.qresync)
        if lines:
            await self.send(b"".join(lines))

    def select(self, view: SelectedMailbox | None) -> None:
        self.selected = view
        self.state = State.SELECTED if view is not None else State.AUTHENTICATED

    def require_user(self) -> User:
        assert self.user is not None, "the command table admits this command only after login"
        return self.user

    def require_selected(self) -> SelectedMailbox:
        assert self.selected is not None, "the command table admits this command only in SELECTED"
        return self.selected
