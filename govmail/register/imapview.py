"""The message that shows one register entry in the register's IMAP folders: its metadata in
headers and a bilingual text part, its document as the attachment. Pure: facts in, bytes out."""

from __future__ import annotations

import hashlib
import json
import mimetypes
import re
from dataclasses import asdict, dataclass
from datetime import date, datetime
from email.header import Header
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr

from govmail.register.numbering import VIETNAM
from govmail.store.models import as_utc

# The records office of an agency: the sender of what it imported, and the reader of its books.
CLERK = "vanthu"
FALLBACK_KIND = "application/octet-stream"
CRLF = "\r\n"
MAX_LINE = 78
_KIND = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*$")
BOOK_LABELS = {
    "incoming": "Sổ văn bản đến / Incoming documents",
    "outgoing": "Sổ văn bản đi / Outgoing documents",
    "internal": "Sổ văn bản nội bộ / Internal documents",
    "archive": "Lưu trữ / Archive",
}


@dataclass(frozen=True)
class EntryFacts:
    """What the view of one entry shows; every field is as the register holds it now."""

    id: int
    book: str
    agency: str
    agency_name: str
    year: int
    serial: int | None
    filed_at: datetime
    mail_from: str
    subject: str  # of the message the document came in, if any
    filename: str
    kind: str  # the document's sniffed content type
    number: str | None = None
    doc_type: str | None = None
    doc_date: date | None = None
    issuer: str | None = None
    summary: str | None = None
    signer: str | None = None
    urgency: str | None = None
    confidentiality: str | None = None
    warnings: tuple[str, ...] = ()

    @property
    def version(self) -> str:
        """Changes whenever anything the view shows changes."""
        facts = json.dumps(asdict(self), default=str, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(facts.encode()).hexdigest()[:20]


def render(facts: EntryFacts, document: bytes) -> bytes:
    """The RFC 5322 message (lines of at most 78 characters) that shows *facts*."""
    version = facts.version
    fields = [
        _field("Message-ID", f"<register.{facts.id}.{version}@{facts.agency}>"),
        _field("Date", format_datetime(as_utc(facts.filed_at).astimezone(VIETNAM))),
        _address("From", facts.issuer or "", _sender(facts)),
        _address("To", facts.agency_name, f"{CLERK}@{facts.agency}"),
        _field("Subject", _subject(facts)),
        *(_field(name, value) for name, value in _headers(facts) if value),
    ]
    return "".join(fields).encode("ascii") + _mime(facts, document, version)


def _mime(facts: EntryFacts, document: bytes, version: str) -> bytes:
    """The MIME headers and body: the metadata as text, then the document."""
    message = EmailMessage(policy=SMTP)
    message.set_content(_body(facts), subtype="plain", charset="utf-8", cte="quoted-printable")
    maintype, subtype = _kind(facts.kind).split("/")
    message.add_attachment(document, maintype=maintype, subtype=subtype, filename=_filename(facts))
    # Deterministic, so an unchanged entry renders to the same bytes (and blob); "=_" can occur
    # in neither quoted-printable nor base64 text.
    message.set_boundary(f"=_govmail_register_{version}")
    return message.as_bytes()


def _field(name: str, value: str) -> str:
    """One header field, RFC 2047-encoded when not ASCII. Written here rather than by the email
    package's policy, whose folding drops the space between two encoded words."""
    value = _one_line(value)
    charset = "us-ascii" if value.isascii() else "utf-8"
    folded = Header(value, charset, header_name=name).encode(linesep=CRLF, maxlinelen=MAX_LINE)
    return f"{name}: {folded}{CRLF}"


def _address(name: str, display: str, address: str) -> str:
    """An address field with its display name, the address on a line of its own if need be."""
    display = _one_line(display)
    if not display or display.isascii():
        return f"{name}: {formataddr((display, address))}{CRLF}"
    words = Header(display, "utf-8", header_name=name).encode(linesep=CRLF, maxlinelen=MAX_LINE)
    last = f"{name}: {words}".rsplit(CRLF, 1)[-1]
    glue = " " if len(last) + len(address) + 3 <= MAX_LINE else CRLF + " "
    return f"{name}: {words}{glue}<{address}>{CRLF}"


def _subject(facts: EntryFacts) -> str:
    """ "<number> <type>: <summary>", with what is known of it."""
    label = " ".join(part for part in (facts.number, facts.doc_type) if part)
    summary = facts.summary or facts.subject or facts.filename or f"#{facts.id}"
    return _one_line(f"{label}: {summary}" if label else summary)


def _headers(facts: EntryFacts) -> list[tuple[str, str | None]]:
    """The metadata fields, in the order a reader wants them."""
    return [
        ("X-Govmail-Register-Entry", str(facts.id)),
        ("X-Govmail-Register-Book", facts.book),
        ("X-Govmail-Register-Serial", None if facts.serial is None else str(facts.serial)),
        ("X-Govmail-Document-Number", facts.number),
        ("X-Govmail-Document-Type", facts.doc_type),
        ("X-Govmail-Document-Date", facts.doc_date.isoformat() if facts.doc_date else None),
        ("X-Govmail-Document-Issuer", facts.issuer),
        ("X-Govmail-Document-Summary", facts.summary),
        ("X-Govmail-Document-Signer", facts.signer),
        ("X-Govmail-Document-Urgency", facts.urgency),
        ("X-Govmail-Document-Confidentiality", facts.confidentiality),
        ("X-Govmail-Document-Warnings", "; ".join(facts.warnings)),
    ]


def _body(facts: EntryFacts) -> str:
    filed = as_utc(facts.filed_at).astimezone(VIETNAM)
    rows = [
        ("Sổ / Book", f"{BOOK_LABELS.get(facts.book, facts.book)}, {facts.year}"),
        ("Cơ quan / Agency", facts.agency_name or facts.agency),
        ("Số đến / Serial", None if facts.serial is None else str(facts.serial)),
        ("Số, ký hiệu / Number", facts.number),
        ("Loại văn bản / Type", facts.doc_type),
        ("Ngày văn bản / Date", facts.doc_date.strftime("%d/%m/%Y") if facts.doc_date else None),
        ("Cơ quan ban hành / Issuer", facts.issuer),
        ("Trích yếu / Summary", facts.summary),
        ("Người ký / Signer", facts.signer),
        ("Độ khẩn / Urgency", facts.urgency),
        ("Độ mật / Confidentiality", facts.confidentiality),
        ("Ngày vào sổ / Filed", filed.strftime("%d/%m/%Y %H:%M")),
        ("Tệp / File", _filename(facts)),
    ]
    lines = [f"{label}: {_one_line(value)}" for label, value in rows if value]
    lines += [f"Cảnh báo / Warning: {_one_line(warning)}" for warning in facts.warnings]
    return "\n".join(lines) + "\n"


def _sender(facts: EntryFacts) -> str:
    """The original sender, or the agency's records office for imports and odd addresses
    (an address the SMTP policy cannot write would make the whole view unwritable)."""
    sender = facts.mail_from
    if sender and sender.isascii() and sender.count("@") == 1 and " " not in sender:
        return sender
    return f"{CLERK}@{facts.agency}"


def _kind(kind: str) -> str:
    bare = kind.split(";", 1)[0].strip().lower()
    return bare if _KIND.match(bare) else FALLBACK_KIND


def _filename(facts: EntryFacts) -> str:
    if facts.filename:
        return facts.filename
    extension = mimetypes.guess_extension(_kind(facts.kind)) or ""
    return f"van-ban-{facts.id}{extension}"


def _one_line(value: str | None) -> str:
    return " ".join((value or "").split())
