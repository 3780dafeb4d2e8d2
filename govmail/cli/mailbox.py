"""govmail mailbox: look into a user's folders from the server (IMAP is for the users)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from govmail.accounts.names import mailbox_key
from govmail.cli.common import fail, settings, with_db
from govmail.store import mailboxes
from govmail.store.blobs import BlobStore
from govmail.store.db import Database

app = typer.Typer(help="A user's folders and messages.", no_args_is_help=True)

FolderOption = Annotated[str, typer.Option("--folder", "-f", help="Folder name.")]


@app.command("list")
def list_(ctx: typer.Context, address: str) -> None:
    """List a user's folders with message counts."""

    rows = with_db(ctx, lambda db: db.read(lambda s: mailboxes.folders(s, mailbox_key(address))))
    if not rows:
        fail(f"no user {address}")
    table = Table("folder", "special use", "messages", "UIDVALIDITY", "UIDNEXT")
    for row in rows:
        table.add_row(
            row.name,
            row.special_use or "",
            str(row.messages),
            str(row.uidvalidity),
            str(row.uidnext),
        )
    Console().print(table)


@app.command("show")
def show(ctx: typer.Context, address: str, folder: FolderOption = "INBOX") -> None:
    """List the messages of one folder: UID, date, sender, subject, size."""
    rows = with_db(ctx, lambda db: _messages(db, address, folder))
    table = Table("UID", "received", "from", "subject", "size")
    for row in rows:
        table.add_row(
            str(row.uid),
            row.internal_date.strftime("%Y-%m-%d %H:%M"),
            row.from_header,
            row.subject,
            str(row.size),
        )
    Console().print(table)


@app.command("cat")
def cat(ctx: typer.Context, address: str, uid: int, folder: FolderOption = "INBOX") -> None:
    """Print one message exactly as stored."""
    blobs = BlobStore(settings(ctx).blob_dir)
    rows = with_db(ctx, lambda db: _messages(db, address, folder))
    found = next((row for row in rows if row.uid == uid), None)
    if found is None:
        fail(f"no message with UID {uid} in {folder} of {address}")
    typer.get_binary_stream("stdout").write(blobs.get(found.blob_hash))


async def _messages(db: Database, address: str, folder: str) -> list[mailboxes.MessageSummary]:
    return await db.read(lambda session: mailboxes.messages(session, mailbox_key(address), folder))
