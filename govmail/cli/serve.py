"""govmail serve: run every listener and worker in the foreground."""

from __future__ import annotations

import asyncio
import logging

import typer

from govmail.cli.common import fail, settings


def register(app: typer.Typer) -> None:
    app.command("serve")(serve_command)


def serve_command(ctx: typer.Context) -> None:
    """Run the server until SIGTERM or SIGINT."""
    # Here, not at the top: every other command would load all the listeners for nothing.
    from govmail.service import ServiceError, serve

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
