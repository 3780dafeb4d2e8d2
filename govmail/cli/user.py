"""govmail user: add, list, change the password of, disable, enable and delete users."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from govmail.accounts import admin
from govmail.cli.common import read_password, with_db

app = typer.Typer(help="Users and their mailboxes.", no_args_is_help=True)

PasswordOption = Annotated[str | None, typer.Option("--password", help="The new password.")]
StdinOption = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from standard input.")
]


@app.command("add")
def add(
    ctx: typer.Context,
    address: str,
    password: PasswordOption = None,
    password_stdin: StdinOption = False,
    name: Annotated[str, typer.Option("--name", help="Display name.")] = "",
) -> None:
    """Create a user with INBOX, Sent, Drafts, Trash, Junk and Archive."""
    secret = read_password(password, password_stdin)
    created = with_db(ctx, lambda db: admin.add_user(db, address, secret, name))
    typer.echo(f"user {created} created / đã tạo")


@app.command("list")
def list_(ctx: typer.Context) -> None:
    """List users with their message counts."""
    rows = with_db(ctx, admin.list_users)
    table = Table("address", "name", "state", "messages")
    for row in rows:
        table.add_row(
            row.address,
            row.display_name,
            "disabled" if row.disabled else "active",
            str(row.messages),
        )
    Console().print(table)


@app.command("passwd")
def passwd(
    ctx: typer.Context,
    address: str,
    password: PasswordOption = None,
    password_stdin: StdinOption = False,
) -> None:
    """Set a user's password."""
    secret = read_password(password, password_stdin)
    with_db(ctx, lambda db: admin.set_password(db, address, secret))
    typer.echo(f"password of {address} changed / đã đổi mật khẩu")


@app.command("disable")
def disable(ctx: typer.Context, address: str) -> None:
    """Refuse the user's logins and mail to them, keeping their mail."""
    with_db(ctx, lambda db: admin.set_disabled(db, address, True))
    typer.echo(f"{address} disabled / đã khóa")


@app.command("enable")
def enable(ctx: typer.Context, address: str) -> None:
    """Undo disable."""
    with_db(ctx, lambda db: admin.set_disabled(db, address, False))
    typer.echo(f"{address} enabled / đã mở khóa")


@app.command("delete")
def delete(
    ctx: typer.Context,
    address: str,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete a user and all their mailboxes."""
    if not yes:
        typer.confirm(f"Delete {address} and all their mail?", abort=True)
    with_db(ctx, lambda db: admin.delete_user(db, address))
    typer.echo(f"user {address} deleted / đã xóa")
