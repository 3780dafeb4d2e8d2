"""The govmail command line: one module per command group."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from govmail.cli import (
    alias,
    dkim,
    doctor,
    domain,
    mailbox,
    register,
    serve,
    setup,
    status,
    user,
)

app = typer.Typer(
    name="govmail",
    help="govmail: mail and document exchange for a province's agencies.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _options(
    ctx: typer.Context,
    config: Annotated[
        Path, typer.Option("--config", "-c", help="Configuration file.", envvar="GOVMAIL_CONFIG")
    ] = Path("govmail.toml"),
) -> None:
    ctx.obj = {"config": config}


setup.register(app)
serve.register(app)
status.register(app)
doctor.register(app)
app.add_typer(user.app, name="user")
app.add_typer(domain.app, name="domain")
app.add_typer(alias.app, name="alias")
app.add_typer(dkim.app, name="dkim")
app.add_typer(mailbox.app, name="mailbox")
app.add_typer(register.app, name="register")


def main() -> None:
    app()
