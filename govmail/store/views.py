"""What the IMAP store API (folders.py, entries.py) hands out: MailboxError and frozen rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from govmail.store.models import Mailbox


NO_SUCH_MAILBOX = "No such mailbox / Không có thư mục này"
READ_ONLY_FOLDER = "The server fills this mailbox: it is read-only / Thư mục này chỉ đọc"


class MailboxError(Exception):
    """A mailbox operation refused; str(exc) is one line fit for an IMAP NO response."""

    def __init__(self, code: str, text: str) -> None:
        super().__init__(text)
        self.code = code  # IMAP response code: NONEXISTENT, ALREADYEXISTS, CANNOT, LIMIT, TRYCREATE


@dataclass(frozen=True)
class MailboxInfo:
    id: int
    name: str
    special_use: str | None
    uidvalidity: int
    uidnext: int
    highestmodseq: int
    subscribed: bool
    read_only: bool  # filled by the server (the register's books), never by clients

    @classmethod
    def of(cls, mailbox: Mailbox) -> MailboxInfo:
        return cls(
            mailbox.id,
            mailbox.name,
            mailbox.special_use,
            mailbox.uidvalidity,
            mailbox.uidnext,
            mailbox.highestmodseq,
            mailbox.subscribed,
            mailbox.read_only,
        )


@dataclass(frozen=True)
class EntryState:
    """One message as a session sees it."""

    uid: int
    modseq: int
    flags: frozenset[str]


@dataclass(frozen=True)
class FetchRow:
    uid: int
    modseq: int
    flags: frozenset[str]
    internal_date: datetime
    size: int
    blob_hash: str
    imap_envelope: list[Any]
    body_structure: dict[str, Any]


@dataclass(frozen=True)
class Status:
    messages: int
    unseen: int
    uidnext: int
    uidvalidity: int
    highestmodseq: int
    size: int


@dataclass(frozen=True)
class Changes:
    highestmodseq: int
    changed: list[EntryState]  # entries with modseq > since, new ones included, by UID
    expunged: list[int]  # UIDs expunged with modseq > since, ascending
