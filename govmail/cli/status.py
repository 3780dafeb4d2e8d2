"""govmail status: what is configured, what is stored, which listeners answer."""

from __future__ import annotations

import socket
from typing import Any

import typer
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from govmail.cli.common import database, run, settings
from govmail.config import Listen, Settings, database_url
from govmail.register.records import waiting
from govmail.store.migrate import head_revision
from govmail.store.models import Domain, Message, QueueEntry, RegisterEntry, User


def register(app: typer.Typer) -> None:
    app.command("status")(status)


def status(ctx: typer.Context) -> None:
    """Show the configuration, the database and the listeners at a glance."""
    config = settings(ctx)
    facts = run(_facts(config))
    typer.echo(f"config       {config.path}")
    typer.echo(f"data         {config.server.data_dir}")
    typer.echo(f"database     {_masked(database_url(config))}")
    revision = facts["revision"] or "none (run govmail init)"
    current = " (current)" if facts["revision"] == head_revision() else " (run govmail migrate)"
    typer.echo(f"schema       {revision}{current if facts['revision'] else ''}")
    for key in ("domains", "users", "messages"):
        typer.echo(f"{key:<12} {facts.get(key, '-')}")
    if "register" in facts:
        entries, waiting = facts["register"]
        typer.echo(f"register     {entries} entries, {waiting} waiting")
    queue = facts.get("queue", {})
    typer.echo("queue        " + (", ".join(f"{n} {s}" for s, n in queue.items()) or "empty"))
    smtp, imap = config.smtp, config.imap
    for name, listen in (
        ("mx", smtp.mx),
        ("submission", smtp.submission),
        ("submissions", smtp.submissions),
        ("imap", imap.imap),
        ("imaps", imap.imaps),
    ):
        if listen is not None:
            typer.echo(f"{name:<12} {listen} {'up' if _answers(listen) else 'down'}")


async def _facts(config: Settings) -> dict[str, Any]:
    async with database(config, require_current=False) as db:
        facts: dict[str, Any] = {"revision": await db.schema_revision()}
        if facts["revision"] is None:
            return facts
        return facts | await db.read(_counts)


def _counts(session: Session) -> dict[str, Any]:
    counts: dict[str, Any] = {
        key: session.scalar(select(func.count()).select_from(model))
        for key, model in (("domains", Domain), ("users", User), ("messages", Message))
    }
    counts["register"] = (
        session.scalar(select(func.count()).select_from(RegisterEntry)),
        waiting(session),
    )
    rows = session.execute(select(QueueEntry.status, func.count()).group_by(QueueEntry.status))
    counts["queue"] = {status: count for status, count in rows}
    return counts


def _answers(listen: Listen) -> bool:
    host = "127.0.0.1" if listen.host == "*" else listen.host
    try:
        with socket.create_connection((host, listen.port), timeout=1):
            return True
    except OSError:
        return False


def _masked(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not at or ":" not in credentials:
        return url
    return f"{scheme}{sep}{credentials.split(':', 1)[0]}:***@{host}"
