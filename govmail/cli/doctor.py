"""govmail doctor: check the database, the blobs and the mailbox counters."""

from __future__ import annotations

import typer

from govmail.cli.common import fail, settings, with_db
from govmail.store.blobs import BlobStore
from govmail.store.check import problems


def register(app: typer.Typer) -> None:
    app.command("doctor")(doctor)


def doctor(ctx: typer.Context) -> None:
    """Check the store for damage; exit 1 and list the problems if there are any."""
    blobs = BlobStore(settings(ctx).blob_dir)
    found = with_db(ctx, lambda db: problems(db, blobs))
    if found:
        for problem in found:
            typer.echo(problem, err=True)
        fail(f"{len(found)} problem(s) found")
    typer.echo("store is consistent / kho dữ liệu nhất quán")
