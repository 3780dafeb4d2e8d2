"""One register entry as a clerk sees it, a clerk's corrections (kept in the history), the
register right of users, and the agency details a book's cover prints."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from govmail.accounts.admin import AdminError
from govmail.register import records
from govmail.register.notation import parse_notation
from govmail.register.recognise import FIELDS
from govmail.store.models import Document, Domain, RegisterEntry, RegisterEvent, User

# Fields a clerk may correct: every recognised field.
CORRECTABLE = FIELDS


@dataclass(frozen=True)
class EntryView:
    entry: dict[str, Any]
    document: dict[str, Any]
    history: list[dict[str, Any]]


def show(session: Session, entry_id: int, actor: str, door: str) -> EntryView:
    """An entry with its document and history; the access itself goes into the history."""
    entry = _entry(session, entry_id)
    document = session.get(Document, entry.document_id)
    assert document is not None
    records.record(session, entry.id, actor, "viewed", {"via": door})
    session.flush()
    events = session.scalars(
        select(RegisterEvent).where(RegisterEvent.entry_id == entry.id).order_by(RegisterEvent.id)
    )
    return EntryView(
        entry=_entry_dict(entry),
        document={
            "sha256": document.sha256,
            "size": document.size,
            "kind": document.kind,
            "status": document.status,
            "reason": document.reason,
            "pages": len(document.pages),
            "methods": sorted({page["method"] for page in document.pages}),
        },
        history=[
            {
                "at": event.at.isoformat(),
                "actor": event.actor,
                "action": event.action,
                "detail": event.detail,
            }
            for event in events
        ],
    )


def listing(
    session: Session, agency: str | None, book: str | None, year: int | None
) -> list[dict[str, Any]]:
    """Every entry of the chosen books in book and number order, with its document's sha256
    and extraction status."""
    query = select(RegisterEntry, Document.sha256, Document.status).join(
        Document, Document.id == RegisterEntry.document_id
    )
    for column, value in (
        (RegisterEntry.agency, agency),
        (RegisterEntry.book, book),
        (RegisterEntry.year, year),
    ):
        if value is not None:
            query = query.where(column == value)
    rows = session.execute(
        query.order_by(
            RegisterEntry.agency,
            RegisterEntry.book,
            RegisterEntry.year,
            RegisterEntry.serial,
            RegisterEntry.id,
        )
    )
    return [
        _entry_dict(entry) | {"sha256": sha256, "extraction": status}
        for entry, sha256, status in rows
    ]


def correct(session: Session, entry_id: int, name: str, value: str, actor: str) -> dict[str, Any]:
    """Set one field as a clerk says; the old and new values go into the history."""
    if name not in CORRECTABLE:
        raise AdminError(f"unknown field {name!r}; fields: {', '.join(CORRECTABLE)}")
    value = _checked(name, value)
    entry = _entry(session, entry_id)
    old = entry.fields.get(name, {}).get("value")
    entry.fields = records.set_field(entry.fields, name, value, 1.0, "clerk")
    records.sync_columns(entry)
    read = records.extracted(session, entry.document_id)
    entry.warnings = records.warnings(session, entry, read)
    records.refresh_text(session, entry, read.text)
    records.record(session, entry.id, actor, "corrected", {"field": name, "old": old, "new": value})
    return _entry_dict(entry)


def _checked(name: str, value: str) -> str:
    value = " ".join(value.split())
    if name == "number":
        notation = parse_notation(value)
        if notation is None:
            raise AdminError(f"{value!r} is not a number and notation such as 11/CT-UBND")
        return notation.printed
    if name == "date":
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            raise AdminError(f"{value!r} is not a date as YYYY-MM-DD") from None
    return value


def _entry(session: Session, entry_id: int) -> RegisterEntry:
    entry = session.get(RegisterEntry, entry_id)
    if entry is None:
        raise AdminError(f"no register entry {entry_id}")
    return entry


def _entry_dict(entry: RegisterEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "book": entry.book,
        "direction": entry.direction,
        "agency": entry.agency,
        "year": entry.year,
        "serial": entry.serial,
        "filed_at": entry.filed_at.isoformat(),
        "filename": entry.filename,
        "part": entry.part,
        "source": entry.source,
        "message_id": entry.message_id_header,
        "mail_from": entry.mail_from,
        "recipients": entry.recipients,
        "subject": entry.subject,
        "recognised": entry.recognised_at is not None,
        "fields": entry.fields,
        "warnings": entry.warnings,
    }


def set_register_right(session: Session, address: str, allowed: bool) -> None:
    done = session.execute(
        update(User).where(User.address == address.lower()).values(register_right=allowed)
    )
    if not done.rowcount:
        raise AdminError(f"no user {address}")


def agency_names(session: Session, agency: str) -> tuple[str, str]:
    """(parent agency, agency) as the cover of *agency*'s books prints them."""
    row = session.execute(
        select(Domain.parent_agency, Domain.agency_name).where(Domain.name == agency)
    ).first()
    if row is None:
        return "", agency
    return row.parent_agency, row.agency_name or agency
