"""A register book from the entries: the cover and the rows of one agency's incoming or
outgoing book for one year, in number order, as Appendix IV lays them out."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from govmail.register.books import Cover, IncomingRow, OutgoingRow, Rows
from govmail.register.entries import agency_names
from govmail.register.numbering import VIETNAM
from govmail.store.models import RegisterEntry, as_utc


def book(session: Session, agency: str, name: str, year: int) -> tuple[Cover, Rows]:
    """(cover, rows) of *agency*'s book *name* ("incoming" or "outgoing") for *year*."""
    entries = list(
        session.scalars(
            select(RegisterEntry)
            .where(
                RegisterEntry.agency == agency,
                RegisterEntry.book == name,
                RegisterEntry.year == year,
            )
            .order_by(RegisterEntry.serial, RegisterEntry.id)
        )
    )
    parent, agency_name = agency_names(session, agency)
    days = [_day(entry) for entry in entries]
    serials = [entry.serial for entry in entries if entry.serial is not None]
    cover = Cover(
        parent_agency=parent,
        agency=agency_name,
        book=name,
        year=year,
        first_date=min(days, default=None),
        last_date=max(days, default=None),
        first_number=min(serials, default=None),
        last_number=max(serials, default=None),
    )
    if name == "incoming":
        return cover, [_incoming(entry) for entry in entries]
    return cover, [_outgoing(entry) for entry in entries]


def _day(entry: RegisterEntry) -> date:
    return as_utc(entry.filed_at).astimezone(VIETNAM).date()


def _type_and_summary(entry: RegisterEntry) -> str:
    parts = [part for part in (entry.doc_type, entry.summary) if part]
    return ": ".join(parts) if parts else entry.subject or entry.filename


def _note(entry: RegisterEntry) -> str:
    return "; ".join(warning["text"] for warning in entry.warnings)


def _incoming(entry: RegisterEntry) -> IncomingRow:
    recipients = [r for r in entry.recipients if r.lower().endswith("@" + entry.agency)]
    return IncomingRow(
        arrival_date=_day(entry),
        arrival_number=entry.serial or 0,
        issuer=entry.issuer or entry.mail_from,
        number=entry.number or "",
        document_date=entry.doc_date,
        type_and_summary=_type_and_summary(entry),
        recipient=", ".join(recipients),
        handed_on=None,
        signature="",
        note=_note(entry),
    )


def _outgoing(entry: RegisterEntry) -> OutgoingRow:
    return OutgoingRow(
        number=entry.number or "",
        document_date=entry.doc_date,
        type_and_summary=_type_and_summary(entry),
        signer=entry.signer or "",
        recipients=", ".join(entry.recipients),
        file_copy="",
        copies=len(entry.recipients) or None,
        handed_on=_day(entry),
        signature="",
        note=_note(entry),
    )
