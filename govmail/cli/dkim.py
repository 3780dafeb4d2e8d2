"""govmail dkim: signing keys per domain and the DNS records that publish them."""

from __future__ import annotations

from typing import Annotated

import typer

from govmail.accounts.names import normalize_domain
from govmail.cli.common import fail, run, settings
from govmail.mailauth.dkim_keys import dns_record, existing, generate, zone_text

app = typer.Typer(help="DKIM keys.", no_args_is_help=True)


@app.command("keygen")
def keygen(
    ctx: typer.Context,
    domain: str,
    selector: Annotated[
        str | None, typer.Option(help="Selector base name (default: [dkim] selector).")
    ] = None,
) -> None:
    """Create an RSA-2048 and an Ed25519 key for DOMAIN (selectors BASE-rsa, BASE-ed25519)."""
    config = settings(ctx)

    async def go() -> None:
        name = normalize_domain(domain)
        for key in generate(config.dkim_dir, name, selector or config.dkim.selector):
            typer.echo(f"{key.path} ({key.algorithm}, selector {key.selector})")

    run(go())


@app.command("dns")
def dns(ctx: typer.Context, domain: str) -> None:
    """Print the TXT records to publish for DOMAIN's keys."""
    config = settings(ctx)

    async def go() -> list[tuple[str, str]]:
        return [dns_record(key) for key in existing(config.dkim_dir, normalize_domain(domain))]

    records = run(go())
    if not records:
        fail(f"no DKIM key for {domain}: run `govmail dkim keygen {domain}`")
    for owner, value in records:
        typer.echo(f"{owner}. IN TXT {zone_text(value)}")
