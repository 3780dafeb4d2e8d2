"""One frozen dataclass per IMAP command, as the parser hands them to the session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from govmail.imap.protocol.types import FetchItem, SearchKey, SequenceSet


@dataclass(frozen=True)
class Capability:
    tag: str


@dataclass(frozen=True)
class Noop:
    tag: str


@dataclass(frozen=True)
class Logout:
    tag: str


@dataclass(frozen=True)
class StartTls:
    tag: str


@dataclass(frozen=True)
class Check:
    tag: str


@dataclass(frozen=True)
class Close:
    tag: str


@dataclass(frozen=True)
class Unselect:
    tag: str


@dataclass(frozen=True)
class Idle:
    tag: str


@dataclass(frozen=True)
class Namespace:
    tag: str


@dataclass(frozen=True)
class Login:
    tag: str
    user: str
    password: str


@dataclass(frozen=True)
class Authenticate:
    tag: str
    mechanism: str  # upper-cased
    initial: str | None  # SASL-IR (RFC 4959) initial response as sent: base64 text or "="


@dataclass(frozen=True)
class Select:
    """SELECT, or EXAMINE with readonly=True."""

    tag: str
    mailbox: str
    condstore: bool = False
    # QRESYNC (RFC 7162): (uidvalidity, modseq, known_uids or None); seq-match-data is dropped.
    qresync: tuple[int, int, SequenceSet | None] | None = None
    readonly: bool = False


@dataclass(frozen=True)
class Create:
    tag: str
    mailbox: str
    special_use: tuple[str, ...] = ()  # CREATE ... (USE (\Archive)) (RFC 6154), as sent


@dataclass(frozen=True)
class Delete:
    tag: str
    mailbox: str


@dataclass(frozen=True)
class Rename:
    tag: str
    old: str
    new: str


@dataclass(frozen=True)
class Subscribe:
    tag: str
    mailbox: str


@dataclass(frozen=True)
class Unsubscribe:
    tag: str
    mailbox: str


@dataclass(frozen=True)
class List:
    """LIST, with the LIST-EXTENDED (RFC 5258) options upper-cased."""

    tag: str
    reference: str
    patterns: tuple[str, ...]
    select_options: tuple[str, ...] = ()  # SUBSCRIBED, REMOTE, RECURSIVEMATCH, SPECIAL-USE
    return_options: tuple[str, ...] = ()  # SUBSCRIBED, CHILDREN, SPECIAL-USE, STATUS
    status_items: tuple[str, ...] = ()  # from RETURN (STATUS (...)) (RFC 5819)


@dataclass(frozen=True)
class Lsub:
    tag: str
    reference: str
    pattern: str


@dataclass(frozen=True)
class Status:
    tag: str
    mailbox: str
    # upper-cased: MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN HIGHESTMODSEQ SIZE
    items: tuple[str, ...]


@dataclass(frozen=True)
class Append:
    tag: str
    mailbox: str
    flags: tuple[str, ...]
    internal_date: datetime | None  # timezone-aware
    message: bytes


@dataclass(frozen=True)
class Search:
    """SEARCH; return_options None is the plain form, a tuple the ESEARCH form (RFC 4731)."""

    tag: str
    key: SearchKey
    charset: str | None = None  # as sent
    return_options: tuple[str, ...] | None = None  # upper-cased: MIN MAX COUNT ALL SAVE
    uid: bool = False


@dataclass(frozen=True)
class Fetch:
    tag: str
    sequence: SequenceSet
    items: tuple[FetchItem, ...]
    changed_since: int | None = None  # CHANGEDSINCE (RFC 7162)
    vanished: bool = False  # VANISHED (RFC 7162): only with UID FETCH and CHANGEDSINCE
    uid: bool = False


@dataclass(frozen=True)
class Store:
    tag: str
    sequence: SequenceSet
    mode: str  # "+", "-" or "" (replace)
    silent: bool
    flags: tuple[str, ...]
    unchanged_since: int | None = None  # UNCHANGEDSINCE (RFC 7162)
    uid: bool = False


@dataclass(frozen=True)
class Copy:
    tag: str
    sequence: SequenceSet
    mailbox: str
    uid: bool = False


@dataclass(frozen=True)
class Move:
    tag: str
    sequence: SequenceSet
    mailbox: str
    uid: bool = False


@dataclass(frozen=True)
class Expunge:
    tag: str
    uids: SequenceSet | None = None  # UID EXPUNGE (RFC 4315)
    uid: bool = False


@dataclass(frozen=True)
class Enable:
    tag: str
    capabilities: tuple[str, ...]  # upper-cased


@dataclass(frozen=True)
class Id:
    tag: str
    params: tuple[tuple[str, str | None], ...] | None  # None for "ID NIL"


Command = (
    Capability
    | Noop
    | Logout
    | StartTls
    | Check
    | Close
    | Unselect
    | Idle
    | Namespace
    | Login
    | Authenticate
    | Select
    | Create
    | Delete
    | Rename
    | Subscribe
    | Unsubscribe
    | List
    | Lsub
    | Status
    | Append
    | Search
    | Fetch
    | Store
    | Copy
    | Move
    | Expunge
    | Enable
    | Id
)
