"""govmail alias: aliases and distribution lists (an alias with several members)."""

from __future__ import annotations

from typing import Annotated

import typer

from govmail.accounts import admin
from govmail.cli.common import with_db

app = typer.Typer(help="Aliases and distribution lists.", no_args_is_help=True)


@app.command("add")
def add(
    ctx: typer.Context,
    address: str,
    members: Annotated[list[str], typer.Argument(help="Addresses the alias delivers to.")],
) -> None:
    """Create an alias, or add members to an existing one."""
    created = with_db(ctx, lambda db: admin.add_alias(db, address, members))
    typer.echo(f"alias {created} → {', '.join(members)}")


@app.command("list")
def list_(ctx: typer.Context) -> None:
    """List aliases with their members."""
    for address, members in with_db(ctx, admin.list_aliases).items():
        typer.echo(f"{address}: {', '.join(members)}")


@app.command("delete")
def delete(ctx: typer.Context, address: str) -> None:
    """Delete an alias."""
    with_db(ctx, lambda db: admin.delete_alias(db, address))
    typer.echo(f"alias {address} deleted")
