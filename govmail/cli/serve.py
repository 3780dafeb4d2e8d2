"""govmail serve: run every listener and worker in the foreground."""

from __future__ import annotations

import asyncio
import logging

import typer

from govmail.cli.common import fail, settings
from govmail.service import ServiceError, serve


def register(app: typer.Typer) -> None:
    app.command("serve")(serve_command)


def serve_command(ctx: typer.Context) -> None:
    """Run the server until SIGTERM or SIGINT."""
    config = settings(ctx)
    logging.basicConfig(
        level=config.server.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # aiosmtpd's per-command chatter and alembic's schema probe are not news for the log.
    for noisy in ("mail.log", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        asyncio.run(serve(config))
    except (ServiceError, OSError) as exc:
        fail(str(exc))
