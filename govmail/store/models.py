"""SQLAlchemy models: domains, users, aliases, mailboxes, messages and entries, expunge
tombstones, search text, outbound queue, and the document register."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets 64-bit ids.
Id = BigInteger().with_variant(Integer(), "sqlite")

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """*moment* in UTC. SQLite keeps a datetime's wall time and drops its zone, so everything
    is stored in UTC and read back naive there: a naive datetime from the store is UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: dict[Any, Any] = {  # noqa: RUF012 (SQLAlchemy reads it from the class)
        datetime: DateTime(timezone=True),
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


class Domain(Base):
    __tablename__ = "domains"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    name: Mapped[str] = mapped_column(String(253), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The agency the domain belongs to, as its register books print it.
    agency_name: Mapped[str] = mapped_column(Text, default="", server_default="")
    parent_agency: Mapped[str] = mapped_column(Text, default="", server_default="")


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    address: Mapped[str] = mapped_column(String(254), unique=True)
    domain_id: Mapped[int] = mapped_column(ForeignKey("domains.id", ondelete="RESTRICT"))
    display_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The highest UIDVALIDITY ever given to this user's folders, deleted ones included: a folder
    # re-created under an old name must not get its predecessor's (RFC 3501 2.3.1.1).
    last_uidvalidity: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    # May read the register of the user's agency (CLI, and the register's IMAP folders).
    register_right: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")

    mailboxes: Mapped[list[Mailbox]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )


class Alias(Base):
    """An address that expands to members: one member is an alias, several a distribution list."""

    __tablename__ = "aliases"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    address: Mapped[str] = mapped_column(String(254), unique=True)
    domain_id: Mapped[int] = mapped_column(ForeignKey("domains.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    members: Mapped[list[AliasMember]] = relationship(
        back_populates="alias", cascade="all, delete-orphan", passive_deletes=True
    )


class AliasMember(Base):
    __tablename__ = "alias_members"
    __table_args__ = (UniqueConstraint("alias_id", "member"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    alias_id: Mapped[int] = mapped_column(ForeignKey("aliases.id", ondelete="CASCADE"))
    member: Mapped[str] = mapped_column(String(254))

    alias: Mapped[Alias] = relationship(back_populates="members")


class Mailbox(Base):
    """An IMAP folder of one user; names are NFC Unicode with "/" as the hierarchy separator."""

    __tablename__ = "mailboxes"
    __table_args__ = (UniqueConstraint("user_id", "name"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(500))
    special_use: Mapped[str | None] = mapped_column(String(20))
    uidvalidity: Mapped[int] = mapped_column(BigInteger)
    uidnext: Mapped[int] = mapped_column(BigInteger, default=1)
    highestmodseq: Mapped[int] = mapped_column(BigInteger, default=1)
    subscribed: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A folder the server fills (the register's books): clients may read it, never change it.
    read_only: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")

    user: Mapped[User] = relationship(back_populates="mailboxes")


class Message(Base):
    """One accepted message: its blob and what IMAP needs precomputed. Stored once for all
    recipients."""

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    blob_hash: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    internal_date: Mapped[datetime] = mapped_column(default=utcnow)
    mail_from: Mapped[str] = mapped_column(String(254), default="")
    recipients: Mapped[list[Any]] = mapped_column(default=list)
    client: Mapped[dict[str, Any]] = mapped_column(default=dict)
    message_id: Mapped[str | None] = mapped_column(String(998), index=True)
    subject: Mapped[str] = mapped_column(Text, default="")
    from_header: Mapped[str] = mapped_column(Text, default="")
    date_header: Mapped[datetime | None]
    imap_envelope: Mapped[list[Any]] = mapped_column(default=list)
    body_structure: Mapped[dict[str, Any]] = mapped_column(default=dict)
    defects: Mapped[list[Any]] = mapped_column(default=list)


class MailboxEntry(Base):
    """A message's place in a mailbox: its UID, flags and modification sequence."""

    __tablename__ = "mailbox_entries"
    __table_args__ = (
        UniqueConstraint("mailbox_id", "uid"),
        Index("ix_mailbox_entries_mailbox_id_modseq", "mailbox_id", "modseq"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    mailbox_id: Mapped[int] = mapped_column(ForeignKey("mailboxes.id", ondelete="CASCADE"))
    message_id: Mapped[int] = mapped_column(
        ForeignKey("messages.id", ondelete="RESTRICT"), index=True
    )
    uid: Mapped[int] = mapped_column(BigInteger)
    modseq: Mapped[int] = mapped_column(BigInteger)
    flags: Mapped[str] = mapped_column(Text, default="")


class Tombstone(Base):
    """A UID expunged from a mailbox, and the MODSEQ of its expunge (RFC 7162 QRESYNC)."""

    __tablename__ = "tombstones"
    __table_args__ = (Index("ix_tombstones_mailbox_id_modseq", "mailbox_id", "modseq"),)

    mailbox_id: Mapped[int] = mapped_column(
        ForeignKey("mailboxes.id", ondelete="CASCADE"), primary_key=True
    )
    uid: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    modseq: Mapped[int] = mapped_column(BigInteger)


class MessageText(Base):
    """A message's search text, folded (store/fold.py), one row shared by all its entries.

    The migration adds the substring index: an FTS5 trigram table on SQLite, pg_trgm GIN
    indexes on PostgreSQL (store/textindex.py queries them).
    """

    __tablename__ = "message_text"

    message_id: Mapped[int] = mapped_column(
        Id, ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    subject: Mapped[str] = mapped_column(Text, default="")
    from_addrs: Mapped[str] = mapped_column(Text, default="")
    to_addrs: Mapped[str] = mapped_column(Text, default="")
    cc_addrs: Mapped[str] = mapped_column(Text, default="")
    bcc_addrs: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    headers: Mapped[str] = mapped_column(Text, default="")


class QueueEntry(Base):
    """One remote recipient of one message, waiting for the relay worker."""

    __tablename__ = "queue"
    __table_args__ = (Index("ix_queue_status_next_attempt_at", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("messages.id", ondelete="RESTRICT"), index=True
    )
    mail_from: Mapped[str] = mapped_column(String(254))
    recipient: Mapped[str] = mapped_column(String(254))
    domain: Mapped[str] = mapped_column(String(253))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Document(Base):
    """One distinct attachment, by SHA-256 (its bytes are the blob of that name), and what
    extraction made of it: kept here so a reindex never extracts or OCRs again."""

    __tablename__ = "documents"
    __table_args__ = (Index("ix_documents_status_next_attempt_at", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(200))
    # pending → ok | partial | failed | unsupported
    status: Mapped[str] = mapped_column(String(16), default="pending")
    reason: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    pages: Mapped[list[Any]] = mapped_column(default=list)
    text: Mapped[str] = mapped_column(Text, default="")
    extracted_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RegisterEntry(Base):
    """One filing: a document as one agency's register book holds it, with the message it came
    in and its recognised metadata (columns for lookups; every field with its confidence and
    source in *fields*)."""

    __tablename__ = "register_entries"
    __table_args__ = (
        UniqueConstraint("agency", "book", "year", "serial"),
        Index("ix_register_entries_agency_book_year", "agency", "book", "year"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="RESTRICT"), index=True
    )
    message_id: Mapped[int | None] = mapped_column(
        ForeignKey("messages.id", ondelete="RESTRICT"), index=True
    )
    book: Mapped[str] = mapped_column(String(16))  # incoming | outgoing | internal | archive
    direction: Mapped[str] = mapped_column(String(16))  # incoming | outgoing | internal | import
    agency: Mapped[str] = mapped_column(String(253))
    year: Mapped[int] = mapped_column(Integer)
    serial: Mapped[int | None] = mapped_column(Integer)  # số đến, or the outgoing book's order
    filed_at: Mapped[datetime] = mapped_column(default=utcnow)
    filename: Mapped[str] = mapped_column(Text, default="")
    declared_type: Mapped[str] = mapped_column(String(200), default="")
    part: Mapped[str] = mapped_column(String(100), default="")
    source: Mapped[str] = mapped_column(Text, default="")  # an imported file's path
    message_id_header: Mapped[str | None] = mapped_column(String(998))
    mail_from: Mapped[str] = mapped_column(String(254), default="")
    recipients: Mapped[list[Any]] = mapped_column(default=list)
    subject: Mapped[str] = mapped_column(Text, default="")
    recognised_at: Mapped[datetime | None]
    number: Mapped[str | None] = mapped_column(String(100))
    number_key: Mapped[str | None] = mapped_column(String(100), index=True)
    doc_type: Mapped[str | None] = mapped_column(String(100))
    doc_date: Mapped[date | None] = mapped_column(Date, index=True)
    issuer: Mapped[str | None] = mapped_column(Text)
    issuer_folded: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[str | None] = mapped_column(Text)
    signer: Mapped[str | None] = mapped_column(Text)
    urgency: Mapped[str | None] = mapped_column(String(30))
    confidentiality: Mapped[str | None] = mapped_column(String(30))
    fields: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # [{"code": "damaged" | "confidential" | "duplicate" | "unreadable", "text": …}]
    warnings: Mapped[list[Any]] = mapped_column(default=list)


class RegisterCounter(Base):
    """The last number given in one agency's book for one year: numbers come from here, in the
    filing's transaction, so they run without gap or repeat."""

    __tablename__ = "register_counters"

    agency: Mapped[str] = mapped_column(String(253), primary_key=True)
    book: Mapped[str] = mapped_column(String(16), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class RegisterText(Base):
    """An entry's search text, folded: metadata and content apart so metadata can rank higher.
    The migration adds the word index (FTS5 on SQLite, a tsvector GIN index on PostgreSQL)."""

    __tablename__ = "register_text"

    entry_id: Mapped[int] = mapped_column(
        Id,
        ForeignKey("register_entries.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    )
    meta: Mapped[str] = mapped_column(Text, default="")
    content: Mapped[str] = mapped_column(Text, default="")


class RegisterView(Base):
    """The message that shows a register entry in the register's IMAP folders; a new one
    replaces it when the entry's metadata changes."""

    __tablename__ = "register_views"

    message_id: Mapped[int] = mapped_column(
        Id, ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("register_entries.id", ondelete="CASCADE"), index=True
    )


class RegisterEvent(Base):
    """The register's history: filings, recognitions, a clerk's corrections, and every access
    (who read, searched or exported what, and through which door)."""

    __tablename__ = "register_history"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("register_entries.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(20))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


DEFAULT_MAILBOXES: tuple[tuple[str, str | None], ...] = (
    ("INBOX", None),
    ("Sent", "\\Sent"),
    ("Drafts", "\\Drafts"),
    ("Trash", "\\Trash"),
    ("Junk", "\\Junk"),
    ("Archive", "\\Archive"),
)
