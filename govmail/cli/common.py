"""What every CLI command shares: the configuration, the database, one-line errors."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import typer
from sqlalchemy.exc import DBAPIError

from govmail.accounts.admin import AdminError
from govmail.accounts.names import InvalidName
from govmail.config import ConfigError, Settings, database_url, load
from govmail.store.db import Database
from govmail.store.migrate import is_current

T = TypeVar("T")

# Failures a clerk or administrator can act on: shown as one line, exit status 1.
EXPECTED = (AdminError, InvalidName, ConfigError, ValueError, OSError)


def fail(message: str) -> NoReturn:
    typer.echo(f"govmail: error: {message}", err=True)
    raise typer.Exit(1)


def settings(ctx: typer.Context) -> Settings:
    path: Path = ctx.find_root().obj["config"]
    try:
        return load(path)
    except ConfigError as exc:
        fail(str(exc))


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run an async operation; expected failures become a one-line error and exit status 1."""
    try:
        return asyncio.run(coroutine)
    except EXPECTED as exc:
        fail(str(exc))
    except DBAPIError as exc:
        fail(f"database error ({exc.orig}); is it initialised? run `govmail init`")


@asynccontextmanager
async def database(config: Settings, *, require_current: bool = True) -> AsyncIterator[Database]:
    db = Database(database_url(config))
    try:
        if require_current and not await is_current(db):
            raise AdminError("the database is not initialised or not current: run `govmail init`")
        yield db
    finally:
        await db.close()


def with_db(ctx: typer.Context, action: Callable[[Database], Awaitable[T]]) -> T:
    """Open the configured database, run *action* on it, close it."""
    config = settings(ctx)

    async def go() -> T:
        async with database(config) as db:
            return await action(db)

    return run(go())


def read_password(password: str | None, password_stdin: bool) -> str:
    if password is not None and password_stdin:
        raise typer.BadParameter("give --password or --password-stdin, not both")
    if password_stdin:
        return typer.get_text_stream("stdin").readline().rstrip("\r\n")
    if password is not None:
        return password
    return typer.prompt("Password / Mật khẩu", hide_input=True, confirmation_prompt=True)
