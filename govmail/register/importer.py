"""Digitised archives: files from disk (scans, images, office files) filed into a book like the
attachments of a message, once each, so an interrupted import simply runs again."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from govmail.register.extract import sniff
from govmail.register.filing import (
    Attachment,
    Filing,
    Route,
    StoredAttachment,
    ToFile,
    file_rows,
    safe_filename,
)
from govmail.store.blobs import BlobStore
from govmail.store.db import Database
from govmail.store.models import Document, RegisterEntry, utcnow

MAX_FILE = 200 * 2**20
BOOKS = ("incoming", "outgoing", "archive")


@dataclass
class ImportSummary:
    filed: list[Path] = field(default_factory=list)
    already: list[Path] = field(default_factory=list)
    refused: list[tuple[Path, str]] = field(default_factory=list)


def files_under(paths: Iterable[Path]) -> list[Path]:
    """The regular files named or found under the named folders, in a stable order; hidden
    files and folders are skipped."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                sorted(
                    item
                    for item in path.rglob("*")
                    if item.is_file()
                    and not any(part.startswith(".") for part in item.relative_to(path).parts)
                )
            )
        elif path.is_file():
            found.append(path)
        else:
            raise FileNotFoundError(f"{path}: no such file or folder")
    return list(dict.fromkeys(found))


async def import_files(
    db: Database,
    blobs: BlobStore,
    files: list[Path],
    book: str,
    agency: str,
    advance: Callable[[Path], None] = lambda _: None,
) -> ImportSummary:
    """File each file in *agency*'s *book* unless the book already holds its bytes; each file
    commits on its own, so stopping half way loses nothing and repeats nothing."""
    if book not in BOOKS:
        raise ValueError(f"book must be one of {', '.join(BOOKS)}, not {book!r}")
    summary = ImportSummary()
    route = Route(book, "import", agency)
    for path in files:
        outcome = await _import_one(db, blobs, path, route)
        if outcome is None:
            summary.filed.append(path)
        elif outcome == "":
            summary.already.append(path)
        else:
            summary.refused.append((path, outcome))
        advance(path)
    return summary


async def _import_one(db: Database, blobs: BlobStore, path: Path, route: Route) -> str | None:
    """None when filed, "" when the book already had it, else why it was refused."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE:
            return f"larger than {MAX_FILE // 2**20} MiB"
        data = await asyncio.to_thread(path.read_bytes)
    except OSError as exc:
        return exc.strerror or str(exc)
    digest = blobs.digest(data)
    if await db.read(lambda session: _already_filed(session, digest, route)):
        return ""
    await asyncio.to_thread(blobs.put, data)
    name = safe_filename(path.name)
    attachment = Attachment(data=data, filename=name, declared="", part="")
    stored = StoredAttachment(attachment, digest, sniff(data, None, name))
    filing = Filing(attachments=[attachment], routes=[route], source=str(path))
    await db.write(lambda session: file_rows(session, [ToFile(None, filing, [stored], utcnow())]))
    return None


def _already_filed(session: Session, digest: str, route: Route) -> bool:
    return (
        session.scalar(
            select(RegisterEntry.id)
            .join(Document, Document.id == RegisterEntry.document_id)
            .where(
                Document.sha256 == digest,
                RegisterEntry.agency == route.agency,
                RegisterEntry.book == route.book,
            )
            .limit(1)
        )
        is not None
    )
