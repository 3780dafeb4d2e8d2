"""govmail register: search, show and correct the document register, reindex it, export its
books and import digitised archives. Every access is written to the register's history."""

from __future__ import annotations

import getpass
import json
import re
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress
from rich.table import Table
from sqlalchemy.orm import Session

from govmail.cli.common import fail, settings, with_db
from govmail.config import Settings
from govmail.register import entries, folders, records
from govmail.register.importer import ImportSummary, files_under, import_files
from govmail.register.search import Hit, Query
from govmail.register.search import search as run_search
from govmail.store.blobs import BlobStore
from govmail.store.db import Database

MARKED = re.compile(r"\*\*(.+?)\*\*")
app = typer.Typer(help="The document register (sổ văn bản đến/đi).", no_args_is_help=True)

JsonOption = Annotated[bool, typer.Option("--json", help="One JSON object per line.")]
BookOption = Annotated[str, typer.Option("--book", help="incoming, outgoing, internal, archive.")]


def _actor() -> str:
    return f"cli:{getpass.getuser()}"


@app.command("search")
def search(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="Words (diacritics optional) or a number.")] = "",
    as_json: JsonOption = False,
    direction: Annotated[str | None, typer.Option(help="incoming, outgoing, internal.")] = None,
    book: Annotated[str | None, typer.Option(help="The book.")] = None,
    doc_type: Annotated[str | None, typer.Option("--type", help="e.g. 'Chỉ thị'.")] = None,
    issuer: Annotated[str | None, typer.Option(help="Words of the issuing agency.")] = None,
    agency: Annotated[str | None, typer.Option(help="The agency (its domain).")] = None,
    year: Annotated[int | None, typer.Option(help="The book's year.")] = None,
    since: Annotated[str | None, typer.Option("--from", help="Document date, YYYY-MM-DD.")] = None,
    until: Annotated[str | None, typer.Option("--to", help="Document date, YYYY-MM-DD.")] = None,
    limit: Annotated[int, typer.Option(help="How many documents.")] = 20,
) -> None:
    """Find documents by content, metadata or number (Tìm văn bản)."""
    wanted = Query(
        text=query,
        direction=direction,
        book=book,
        doc_type=doc_type,
        issuer=issuer,
        agency=agency,
        year=year,
        date_from=_date(since, "--from"),
        date_to=_date(until, "--to"),
        limit=limit,
    )

    def work(session: Session) -> list[Hit]:
        hits = run_search(session, wanted)
        records.record(
            session, None, _actor(), "searched", {"query": query, "results": [h.id for h in hits]}
        )
        return hits

    hits = with_db(ctx, lambda db: db.write(work))
    if as_json:
        for hit in hits:
            typer.echo(json.dumps(hit.as_json(), ensure_ascii=False))
        return
    _print_hits(hits)


def _print_hits(hits: list[Hit]) -> None:
    if not hits:
        typer.echo("no documents found / không tìm thấy văn bản")
        return
    table = Table("id", "số, ký hiệu", "loại", "ngày", "cơ quan ban hành", "trích yếu", "sổ")
    for hit in hits:
        table.add_row(
            str(hit.id),
            hit.number or "",
            hit.type or "",
            hit.date.strftime("%d/%m/%Y") if hit.date else "",
            hit.issuer or "",
            _marked(hit),
            f"{hit.book} {hit.serial or ''}".strip(),
        )
    Console().print(table)


def _marked(hit: Hit) -> str:
    """The trích yếu, and under it the snippet with its matched words in bold."""
    text = escape(hit.subject)
    if hit.snippet != hit.subject:
        text += "\n" + MARKED.sub(r"[bold]\1[/bold]", escape(hit.snippet))
    return text


@app.command("list")
def list_(
    ctx: typer.Context,
    book: Annotated[str | None, typer.Option(help="The book.")] = None,
    agency: Annotated[str | None, typer.Option(help="The agency (its domain).")] = None,
    year: Annotated[int | None, typer.Option(help="The book's year.")] = None,
    as_json: JsonOption = False,
) -> None:
    """List the entries of the register's books in number order."""

    def work(session: Session) -> list[dict[str, Any]]:
        rows = entries.listing(session, agency, book, year)
        detail = {"book": book, "agency": agency, "year": year, "rows": len(rows)}
        records.record(session, None, _actor(), "listed", detail)
        return rows

    rows = with_db(ctx, lambda db: db.write(work))
    if as_json:
        for row in rows:
            typer.echo(json.dumps(row, ensure_ascii=False))
        return
    table = Table("id", "sổ", "số", "số, ký hiệu", "trích yếu", "tệp", "cảnh báo")
    for row in rows:
        fields = row["fields"]
        table.add_row(
            str(row["id"]),
            f"{row['agency']} {row['book']} {row['year']}",
            str(row["serial"] or ""),
            fields.get("number", {}).get("value", ""),
            fields.get("summary", {}).get("value", ""),
            row["filename"],
            ", ".join(warning["code"] for warning in row["warnings"]),
        )
    Console().print(table)


@app.command("show")
def show(ctx: typer.Context, entry_id: int, as_json: JsonOption = False) -> None:
    """Show one entry: its metadata with confidence, warnings, document and history."""
    view = with_db(ctx, lambda db: db.write(lambda s: entries.show(s, entry_id, _actor(), "cli")))
    if as_json:
        typer.echo(
            json.dumps(
                {"entry": view.entry, "document": view.document, "history": view.history},
                ensure_ascii=False,
            )
        )
        return
    entry = view.entry
    number = f" số {entry['serial']}" if entry["serial"] else ""
    typer.echo(f"#{entry['id']} {entry['book']}{number}/{entry['year']} {entry['agency']}")
    typer.echo(f"  file: {entry['filename']} ({view.document['kind']}, {view.document['size']} B)")
    typer.echo(f"  extraction: {view.document['status']} {view.document['reason'] or ''}".rstrip())
    for name, value in entry["fields"].items():
        typer.echo(f"  {name}: {value['value']}  [{value['source']} {value['confidence']:.2f}]")
    for warning in entry["warnings"]:
        typer.echo(f"  ! {warning['code']}: {warning['text']}")
    for event in view.history:
        typer.echo(f"  {event['at']} {event['actor']} {event['action']}")


@app.command("correct")
def correct(ctx: typer.Context, entry_id: int, field: str, value: str) -> None:
    """Correct a recognised field (kept in the history; the text never overrides it)."""
    blobs = BlobStore(settings(ctx).blob_dir)

    async def work(db: Database) -> None:
        await db.write(lambda s: entries.correct(s, entry_id, field, value, _actor()))
        await folders.publish(db, blobs, [entry_id])

    with_db(ctx, work)
    typer.echo(f"#{entry_id} {field} = {value}")


@app.command("reindex")
def reindex(
    ctx: typer.Context,
    extract: Annotated[
        bool, typer.Option("--extract", help="Extract (and OCR) the documents again too.")
    ] = False,
) -> None:
    """Recognise every entry again from the kept text, and rebuild the search index."""
    config = settings(ctx)

    async def work(db: Database) -> int:
        count = await db.write(lambda s: records.reset_recognition(s, extract))
        await _drain(config, db, count, "reindex")
        return count

    count = with_db(ctx, work)
    typer.echo(f"{count} entries reindexed")


@app.command("process")
def process(ctx: typer.Context) -> None:
    """Extract and recognise what is waiting now (what a running server does by itself)."""
    config = settings(ctx)

    async def work(db: Database) -> int:
        waiting = await db.read(records.waiting)
        await _drain(config, db, waiting, "processing")
        return waiting

    typer.echo(f"{with_db(ctx, work)} entries processed")


async def _drain(config: Settings, db: Database, total: int, label: str) -> None:
    # Here, not at the top: the extractors' libraries would slow every other command's start.
    from govmail.register.worker import RegisterWorker

    worker = RegisterWorker(db, BlobStore(config.blob_dir), config.register)
    with Progress(transient=False) as progress:
        task = progress.add_task(label, total=max(total, 1))
        try:
            while await worker.drain_once():
                left = await db.read(records.waiting)
                progress.update(task, completed=max(total - left, 0))
        finally:
            await worker.stop()
        progress.update(task, completed=max(total, 1))


@app.command("export")
def export(
    ctx: typer.Context,
    book: BookOption,
    year: Annotated[int, typer.Option(help="The calendar year.")],
    agency: Annotated[str, typer.Option(help="The agency (its domain).")],
    fmt: Annotated[str, typer.Option("--format", help="csv, xlsx or pdf.")] = "pdf",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write.")] = None,
) -> None:
    """Print a register book in the layout of Decree 30, Appendix IV."""
    # Here, not at the top: reportlab and openpyxl would slow every other command's start.
    from govmail.register import bookrows
    from govmail.register.books import export as export_book

    if book not in ("incoming", "outgoing"):
        raise typer.BadParameter("--book must be incoming or outgoing")
    if fmt not in ("csv", "xlsx", "pdf"):
        raise typer.BadParameter("--format must be csv, xlsx or pdf")

    def work(session: Session) -> tuple[bookrows.Cover, bookrows.Rows]:
        cover, rows = bookrows.book(session, agency, book, year)
        records.record(
            session,
            None,
            _actor(),
            "exported",
            {"book": book, "year": year, "agency": agency, "format": fmt, "rows": len(rows)},
        )
        return cover, rows

    cover, rows = with_db(ctx, lambda db: db.write(work))
    data = export_book(cover, rows, fmt)
    target = output or Path(f"so-{book}-{agency}-{year}.{fmt}")
    target.write_bytes(data)
    typer.echo(f"{target}: {len(rows)} entries / văn bản")


@app.command("import")
def import_(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to file.")],
    book: BookOption,
    agency: Annotated[str, typer.Option(help="The agency (its domain).")],
) -> None:
    """File scanned archives and office files into a book (resumable: run it again)."""
    config = settings(ctx)
    try:
        files = files_under(paths)
    except OSError as exc:
        fail(str(exc))

    async def work(db: Database) -> tuple[ImportSummary, list[tuple[str, str]]]:
        blobs = BlobStore(config.blob_dir)
        with Progress() as progress:
            task = progress.add_task("filing", total=len(files))
            summary = await import_files(
                db, blobs, files, book, agency, lambda _: progress.advance(task)
            )
        await _drain(config, db, await db.read(records.waiting), "reading")
        unreadable = await db.read(lambda s: records.unreadable(s, [str(p) for p in summary.filed]))
        return summary, unreadable

    summary, unreadable = with_db(ctx, work)
    typer.echo(
        f"filed {len(summary.filed)}, already in the book {len(summary.already)}, "
        f"refused {len(summary.refused)}, unreadable {len(unreadable)}"
    )
    for path, why in summary.refused:
        typer.echo(f"  refused {path}: {why}")
    for source, why in unreadable:
        typer.echo(f"  unreadable {source}: {why}")
    if summary.refused:
        raise typer.Exit(1)


@app.command("grant")
def grant(ctx: typer.Context, address: str) -> None:
    """Let a user read the register of their agency (CLI and IMAP folders)."""
    blobs = BlobStore(settings(ctx).blob_dir)

    async def work(db: Database) -> None:
        await db.write(lambda s: entries.set_register_right(s, address, True))
        await folders.backfill(db, blobs, address)

    with_db(ctx, work)
    typer.echo(f"{address} may read the register")


@app.command("revoke")
def revoke(ctx: typer.Context, address: str) -> None:
    """Take the register right away from a user, and their register folders with it."""

    def work(session: Session) -> None:
        entries.set_register_right(session, address, False)
        folders.remove(session, address)

    with_db(ctx, lambda db: db.write(work))
    typer.echo(f"{address} may no longer read the register")


def _date(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{option} takes a date as YYYY-MM-DD, not {text!r}") from None
