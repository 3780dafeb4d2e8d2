"""govmail domain: the mail domains this server is the destination for."""

from __future__ import annotations

from typing import Annotated

import typer

from govmail.accounts import admin
from govmail.cli.common import with_db

app = typer.Typer(help="Local mail domains.", no_args_is_help=True)


@app.command("add")
def add(ctx: typer.Context, name: str) -> None:
    """Serve mail for a domain."""
    typer.echo(f"domain {with_db(ctx, lambda db: admin.add_domain(db, name))} added")


@app.command("agency")
def agency(
    ctx: typer.Context,
    name: str,
    agency_name: Annotated[str, typer.Argument(help="e.g. 'SỞ THÔNG TIN VÀ TRUYỀN THÔNG'.")],
    parent: Annotated[str, typer.Option(help="e.g. 'UBND TỈNH SÔNG LAM'.")] = "",
) -> None:
    """Name the agency a domain belongs to, as its register books print it."""
    domain = with_db(ctx, lambda db: admin.set_agency(db, name, agency_name, parent))
    typer.echo(f"domain {domain}: {agency_name}")


@app.command("list")
def list_(ctx: typer.Context) -> None:
    """List local domains."""
    for name in with_db(ctx, admin.list_domains):
        typer.echo(name)
