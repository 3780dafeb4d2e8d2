"""Filing: which attachments of a message go into which agency's book, and the rows that file
them in the message's own commit transaction (documents once per SHA-256, numbered entries)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from govmail.accounts.names import split_address
from govmail.mime.message import ParsedMessage
from govmail.mime.part import Part
from govmail.register.numbering import VIETNAM, take_numbers
from govmail.register.textindex import text_row
from govmail.store.models import Document, RegisterEntry, RegisterEvent, RegisterText, as_utc

# Books whose entries are numbered (số đến; the outgoing register's order).
NUMBERED_BOOKS = frozenset({"incoming", "outgoing"})
MAX_FILENAME = 255


@dataclass(frozen=True)
class Attachment:
    """One attachment's bytes and what the message said of them."""

    data: bytes
    filename: str
    declared: str
    part: str
    damaged: str | None = None


@dataclass(frozen=True)
class Route:
    """One agency's book that a message's attachments are filed in."""

    book: str  # incoming | outgoing | internal | archive
    direction: str  # incoming | outgoing | internal | import
    agency: str


@dataclass(frozen=True)
class Filing:
    """What commit needs to file one message's attachments (or one imported file)."""

    attachments: list[Attachment]
    routes: list[Route]
    mail_from: str = ""
    recipients: tuple[str, ...] = ()
    subject: str = ""
    message_id_header: str | None = None
    source: str = ""


@dataclass(frozen=True)
class StoredAttachment:
    """An attachment whose blob is on disk: its digest and sniffed kind."""

    attachment: Attachment
    digest: str
    kind: str


def attachments(parsed: ParsedMessage, raw: bytes) -> list[Attachment]:
    """Every part a mail client lists as an attachment, with its IMAP part number. A part cut
    off by the end of a truncated message is marked damaged, not dropped."""
    truncated = any("truncated" in defect for defect in parsed.defects)
    found = []
    for number, part in _numbered(parsed.body, ""):
        if not part.is_attachment():
            continue
        damaged = None
        if truncated and part.body_end >= len(raw.rstrip()):
            damaged = "truncated: the message ends inside this attachment"
        found.append(
            Attachment(
                data=part.decoded(raw),
                filename=safe_filename(part.filename or ""),
                declared=part.content_type,
                part=number,
                damaged=damaged,
            )
        )
    return found


def _numbered(part: Part, prefix: str) -> Iterator[tuple[str, Part]]:
    """(IMAP part number, part) for the leaves under *part* (RFC 3501 6.4.5 numbering)."""
    if part.type != "multipart":
        yield (prefix or "1"), part
        return
    for index, child in enumerate(part.children, start=1):
        yield from _numbered(child, f"{prefix}.{index}" if prefix else str(index))


def safe_filename(name: str) -> str:
    """A file name for display only: NFC, no directories, no control characters, bounded."""
    name = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(char for char in name if unicodedata.category(char)[0] != "C").strip()
    return "" if name in (".", "..") else name[:MAX_FILENAME]


def routes(sender_agency: str | None, receiving: list[str], remote: bool) -> list[Route]:
    """The books a message is filed in. Mail from outside is incoming for every receiving
    agency; mail an agency's user sends is outgoing for that agency (internal when it stays on
    this server) and incoming for the other local agencies it reaches."""
    others = sorted(set(receiving) - {sender_agency} if sender_agency else set(receiving))
    if sender_agency is None:
        return [Route("incoming", "incoming", agency) for agency in others]
    found = [Route("incoming", "internal", agency) for agency in others]
    if remote:
        found.insert(0, Route("outgoing", "outgoing", sender_agency))
    elif others:
        found.insert(0, Route("outgoing", "internal", sender_agency))
    elif sender_agency in receiving:
        found.append(Route("internal", "internal", sender_agency))
    return found


def agency_of(address: str) -> str:
    """The agency an address belongs to: its domain."""
    return split_address(address)[1]


@dataclass(frozen=True)
class ToFile:
    """One message's (or imported file's) filing, its stored attachments and when it came."""

    message_id: int | None
    filing: Filing
    stored: list[StoredAttachment]
    filed_at: datetime


def file_rows(session: Session, filings: list[ToFile]) -> list[int]:
    """File what one transaction carries; returns the new entry ids. Numbers are taken here, so
    the entries and their numbers commit together."""
    documents = _document_ids(session, [item for each in filings for item in each.stored])
    planned = [
        (each, item, route, as_utc(each.filed_at).astimezone(VIETNAM).year)
        for each in filings
        for route in each.filing.routes
        for item in each.stored
    ]
    numbers = take_numbers(
        session,
        [(route.agency, route.book, year) for _, _, route, year in planned if _counted(route)],
    )
    rows = [
        _entry_row(
            each,
            item,
            route,
            year,
            next(numbers[route.agency, route.book, year]) if _counted(route) else None,
            documents,
        )
        for each, item, route, year in planned
    ]
    if not rows:
        return []
    conn = session.connection()
    ids = list(
        conn.scalars(
            insert(RegisterEntry.__table__).returning(
                RegisterEntry.__table__.c.id, sort_by_parameter_order=True
            ),
            rows,
        )
    )
    conn.execute(
        insert(RegisterText.__table__),
        [
            text_row(
                {
                    "filename": row["filename"],
                    "subject": row["subject"],
                    "mail_from": row["mail_from"],
                },
                "",
            )
            | {"entry_id": entry_id}
            for row, entry_id in zip(rows, ids, strict=True)
        ],
    )
    conn.execute(
        insert(RegisterEvent.__table__),
        [
            {"entry_id": entry_id, "actor": "govmail", "action": "filed", "detail": _filed(row)}
            for row, entry_id in zip(rows, ids, strict=True)
        ],
    )
    return ids


def _counted(route: Route) -> bool:
    return route.book in NUMBERED_BOOKS


def _filed(row: dict[str, Any]) -> dict[str, Any]:
    return {key: row[key] for key in ("book", "agency", "year", "serial", "filename")}


def _entry_row(
    each: ToFile,
    item: StoredAttachment,
    route: Route,
    year: int,
    serial: int | None,
    documents: dict[str, int],
) -> dict[str, Any]:
    filing = each.filing
    attachment = item.attachment
    warnings = []
    if attachment.damaged:
        warnings.append({"code": "damaged", "text": attachment.damaged})
    return {
        "document_id": documents[item.digest],
        "message_id": each.message_id,
        "book": route.book,
        "direction": route.direction,
        "agency": route.agency,
        "year": year,
        "serial": serial,
        "filed_at": as_utc(each.filed_at),
        "filename": attachment.filename,
        "declared_type": attachment.declared[:200],
        "part": attachment.part,
        "source": filing.source,
        "message_id_header": filing.message_id_header,
        "mail_from": filing.mail_from,
        "recipients": list(filing.recipients),
        "subject": filing.subject,
        "issuer_folded": "",
        "fields": {},
        "warnings": warnings,
    }


def _document_ids(session: Session, stored: list[StoredAttachment]) -> dict[str, int]:
    """The document id of each digest, adding the documents not yet known (once each, however
    many messages or transactions carry the same bytes)."""
    distinct = {item.digest: item for item in stored}
    if not distinct:
        return {}
    conn = session.connection()
    values = [
        {
            "sha256": digest,
            "size": len(item.attachment.data),
            "kind": item.kind[:200],
            "status": "pending",
            "attempts": 0,
            "pages": [],
            "text": "",
        }
        for digest, item in distinct.items()
    ]
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    conn.execute(dialect.insert(Document.__table__).on_conflict_do_nothing(), values)
    found = conn.execute(
        select(Document.id, Document.sha256).where(Document.sha256.in_(list(distinct)))
    )
    return {digest: id_ for id_, digest in found}
