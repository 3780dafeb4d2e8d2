"""The register's rows after filing: extraction results, recognised metadata with confidence and
source, warnings (duplicate, confidential, damaged, unreadable) and the history of each entry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from govmail.register.extract import Extraction
from govmail.register.notation import notation_key
from govmail.register.recognise import Recognised
from govmail.register.textindex import issuer_key, text_row
from govmail.store.entries import store_flags
from govmail.store.models import (
    Document,
    MailboxEntry,
    RegisterEntry,
    RegisterEvent,
    RegisterText,
    utcnow,
)

# Recognised field → RegisterEntry column; the other fields live in RegisterEntry.fields only.
COLUMNS = {
    "number": "number",
    "type": "doc_type",
    "date": "doc_date",
    "issuer": "issuer",
    "summary": "summary",
    "signer": "signer",
    "urgency": "urgency",
    "confidentiality": "confidentiality",
}
# Who may set a field, weakest first: a clerk's correction outranks the text, and an edXML
# package outranks both for what it states.
SOURCES = ("text", "clerk", "edxml")
CONFIDENTIAL_FLAGS = frozenset({"\\Flagged", "$Confidential"})
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
)


@dataclass(frozen=True)
class Pending:
    """A document waiting for extraction: where its bytes are and what it was declared as."""

    id: int
    sha256: str
    kind: str
    attempts: int
    filename: str


def claim_documents(session: Session, limit: int, now: datetime) -> list[Pending]:
    """Up to *limit* pending documents whose next attempt is due, oldest first."""
    rows = session.execute(
        select(Document.id, Document.sha256, Document.kind, Document.attempts)
        .where(Document.status == "pending", Document.next_attempt_at <= now)
        .order_by(Document.id)
        .limit(limit)
    ).all()
    names = dict(
        session.execute(
            select(RegisterEntry.document_id, func.min(RegisterEntry.filename))
            .where(RegisterEntry.document_id.in_([row.id for row in rows]))
            .group_by(RegisterEntry.document_id)
        ).all()
    )
    return [
        Pending(row.id, row.sha256, row.kind, row.attempts, names.get(row.id, "")) for row in rows
    ]


def save_extraction(session: Session, document_id: int, result: Extraction) -> None:
    session.execute(
        update(Document)
        .where(Document.id == document_id)
        .values(
            status=result.status,
            reason=result.reason,
            kind=result.kind[:200],
            pages=[
                {
                    "number": page.number,
                    "text": page.text,
                    "method": page.method,
                    "confidence": page.confidence,
                }
                for page in result.pages
            ],
            text=result.text,
            extracted_at=utcnow(),
            attempts=Document.attempts + 1,
        )
    )


def defer_document(
    session: Session, document_id: int, attempts: int, error: str, max_attempts: int
) -> None:
    """Count a failed attempt: try again later, or give up with the reason after the last."""
    if attempts + 1 >= max_attempts:
        values: dict[str, Any] = {
            "status": "failed",
            "reason": f"extraction failed {attempts + 1} times: {error}"[:2000],
            "extracted_at": utcnow(),
        }
    else:
        delay = RETRY_DELAYS[min(attempts, len(RETRY_DELAYS) - 1)]
        values = {"next_attempt_at": utcnow() + delay, "reason": error[:2000]}
    session.execute(
        update(Document)
        .where(Document.id == document_id)
        .values(attempts=Document.attempts + 1, **values)
    )


@dataclass(frozen=True)
class Read:
    """What extraction made of a document: its status, why if it failed, and its text."""

    status: str
    reason: str | None
    text: str


@dataclass(frozen=True)
class Unrecognised:
    """An entry whose document is extracted but whose metadata is not yet read from it."""

    entry_id: int
    read: Read


def unrecognised(session: Session, limit: int) -> list[Unrecognised]:
    rows = session.execute(
        select(RegisterEntry.id, Document.status, Document.reason, Document.text)
        .join(Document, Document.id == RegisterEntry.document_id)
        .where(RegisterEntry.recognised_at.is_(None), Document.status != "pending")
        .order_by(RegisterEntry.id)
        .limit(limit)
    ).all()
    return [Unrecognised(row.id, Read(row.status, row.reason, row.text)) for row in rows]


def extracted(session: Session, document_id: int) -> Read:
    row = session.execute(
        select(Document.status, Document.reason, Document.text).where(Document.id == document_id)
    ).one()
    return Read(row.status, row.reason, row.text)


def apply_recognition(
    session: Session, entry_id: int, read: Read, recognised: Recognised, actor: str = "govmail"
) -> set[int]:
    """Store what the text says (never over a clerk's or a package's value), refresh the
    entry's warnings and search text; returns the mailboxes whose flags changed."""
    entry = session.get(RegisterEntry, entry_id)
    assert entry is not None, "entries are never deleted under a worker"
    fields = dict(entry.fields)
    for name, found in recognised.fields.items():
        fields = set_field(fields, name, found.value, found.confidence, "text")
    entry.fields = fields
    entry.recognised_at = utcnow()
    sync_columns(entry)
    entry.warnings = warnings(session, entry, read)
    refresh_text(session, entry, read.text)
    session.add(
        RegisterEvent(
            entry_id=entry.id,
            actor=actor,
            action="recognised",
            detail={name: value["value"] for name, value in fields.items()},
        )
    )
    if entry.confidentiality and entry.message_id is not None:
        return flag_confidential(session, entry.message_id)
    return set()


def set_field(
    fields: dict[str, Any], name: str, value: str, confidence: float, source: str
) -> dict[str, Any]:
    """*fields* with *name* set, unless a stronger source already set it."""
    current = fields.get(name)
    if current is not None and SOURCES.index(current["source"]) > SOURCES.index(source):
        return fields
    return fields | {name: {"value": value, "confidence": confidence, "source": source}}


def sync_columns(entry: RegisterEntry) -> None:
    fields = entry.fields
    for name, column in COLUMNS.items():
        value = fields.get(name, {}).get("value")
        if column == "doc_date":
            entry.doc_date = _date(value)
        else:
            setattr(entry, column, value)
    entry.number_key = notation_key(entry.number) if entry.number else None
    entry.issuer_folded = issuer_key(entry.issuer or "")


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def warnings(session: Session, entry: RegisterEntry, read: Read) -> list[dict[str, Any]]:
    kept = [w for w in entry.warnings if w["code"] == "damaged"]
    if read.status in ("failed", "unsupported", "partial"):
        kept.append({"code": "unreadable", "text": read.reason or read.status})
    if entry.confidentiality:
        kept.append(
            {
                "code": "confidential",
                "text": f"{entry.confidentiality}: không được gửi qua thư điện tử "
                "(Quyết định 28/2018/QĐ-TTg) / outside e-mail exchange",
            }
        )
    others = duplicates(session, entry)
    if others:
        kept.append(
            {
                "code": "duplicate",
                "text": f"số, ký hiệu {entry.number} của {entry.issuer or '?'} đã vào sổ: "
                + ", ".join(f"#{other}" for other in others),
                "entries": others,
            }
        )
    return kept


def duplicates(session: Session, entry: RegisterEntry) -> list[int]:
    """Other entries of the same agency's book with the same number, notation and issuer
    (Decree 30, Appendix VI)."""
    if not entry.number_key:
        return []
    same_issuer = (
        RegisterEntry.issuer.is_(None)
        if entry.issuer is None
        else RegisterEntry.issuer == entry.issuer
    )
    return list(
        session.scalars(
            select(RegisterEntry.id)
            .where(
                RegisterEntry.number_key == entry.number_key,
                RegisterEntry.agency == entry.agency,
                RegisterEntry.book == entry.book,
                RegisterEntry.id != entry.id,
                same_issuer,
            )
            .order_by(RegisterEntry.id)
        )
    )


def refresh_text(session: Session, entry: RegisterEntry, content: str) -> None:
    meta = {name: value["value"] for name, value in entry.fields.items()}
    meta |= {"filename": entry.filename, "subject": entry.subject, "mail_from": entry.mail_from}
    row = text_row(meta, content)
    session.execute(update(RegisterText).where(RegisterText.entry_id == entry.id).values(**row))


def flag_confidential(session: Session, message_id: int) -> set[int]:
    """Mark every mailbox copy of a message that carries a confidential document."""
    changed = set()
    rows = session.execute(
        select(MailboxEntry.mailbox_id, MailboxEntry.uid).where(
            MailboxEntry.message_id == message_id
        )
    ).all()
    by_mailbox: dict[int, list[int]] = {}
    for mailbox_id, uid in rows:
        by_mailbox.setdefault(mailbox_id, []).append(uid)
    for mailbox_id, uids in by_mailbox.items():
        done, _ = store_flags(session, mailbox_id, uids, "+", CONFIDENTIAL_FLAGS, None)
        if done:
            changed.add(mailbox_id)
    return changed


def record(
    session: Session, entry_id: int | None, actor: str, action: str, detail: dict[str, Any]
) -> None:
    """Write one line of the register's history (access or change)."""
    session.add(RegisterEvent(entry_id=entry_id, actor=actor, action=action, detail=detail))


def reset_recognition(session: Session, extract: bool = False) -> int:
    """Mark every entry for recognition again; the kept extraction is reused unless *extract*
    asks for the documents to be read (and OCR'd) again. Returns how many entries."""
    if extract:
        session.execute(
            update(Document).values(status="pending", attempts=0, next_attempt_at=utcnow())
        )
    return session.execute(update(RegisterEntry).values(recognised_at=None)).rowcount or 0


def waiting(session: Session) -> int:
    """How many entries still wait for extraction or recognition."""
    return (
        session.scalar(
            select(func.count())
            .select_from(RegisterEntry)
            .where(RegisterEntry.recognised_at.is_(None))
        )
        or 0
    )


def unreadable(session: Session, sources: list[str]) -> list[tuple[str, str]]:
    """(source, reason) of the imported files among *sources* whose text could not be read."""
    rows = session.execute(
        select(RegisterEntry.source, Document.status, Document.reason)
        .join(Document, Document.id == RegisterEntry.document_id)
        .where(
            RegisterEntry.source.in_(sources),
            Document.status.in_(("failed", "unsupported", "partial")),
        )
        .order_by(RegisterEntry.source)
    ).all()
    return [(source, reason or status) for source, status, reason in rows]
