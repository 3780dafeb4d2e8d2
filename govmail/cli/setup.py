"""govmail init and govmail migrate: prepare the data directory and the database schema."""

from __future__ import annotations

import typer

from govmail.accounts.admin import add_domain, list_domains
from govmail.cli.common import database, run, settings
from govmail.config import Settings
from govmail.mailauth.dkim_keys import generate
from govmail.store.migrate import upgrade
from govmail.tls import write_self_signed


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("migrate")(migrate)


def init(ctx: typer.Context) -> None:
    """Create the data directory, the database, a TLS certificate and DKIM keys (idempotent)."""
    config = settings(ctx)
    config.server.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    run(_init(config))


async def _init(config: Settings) -> None:
    async with database(config, require_current=False) as db:
        await upgrade(db)
        present = set(await list_domains(db))
        for name in config.server.domains:
            if name not in present:
                typer.echo(f"domain {await add_domain(db, name)}")
    if not config.tls_cert.exists():
        write_self_signed(
            config.tls_cert, config.tls_key, config.server.hostname, config.server.domains
        )
        typer.echo(f"self-signed TLS certificate {config.tls_cert}")
    for name in _organisational(config.server.domains):
        for key in generate(config.dkim_dir, name, config.dkim.selector):
            typer.echo(f"DKIM key {key.selector}._domainkey.{name} ({key.algorithm})")
    typer.echo(f"ready: {config.server.data_dir} / Đã sẵn sàng")


def _organisational(domains: list[str]) -> list[str]:
    """Domains not under another listed domain: one DKIM key serves a domain and its subdomains
    under relaxed DMARC alignment."""
    return [d for d in domains if not any(d.endswith("." + other) for other in domains)]


def migrate(ctx: typer.Context) -> None:
    """Apply database schema migrations."""
    config = settings(ctx)

    async def go() -> None:
        async with database(config, require_current=False) as db:
            await upgrade(db)

    run(go())
    typer.echo("database schema is current")
