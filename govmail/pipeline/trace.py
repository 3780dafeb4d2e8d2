"""The Received: trace header (RFC 5321 4.4) that acceptance prepends once."""

from __future__ import annotations

import re
from datetime import datetime
from email.utils import format_datetime

from govmail.pipeline.envelope import Client

_UNSAFE = re.compile(r"[^\x21-\x27\x2a-\x3a\x3c-\x5b\x5d-\x7e]")  # no space ( ) ; \ or non-ASCII


def with_protocol(client: Client, smtputf8: bool) -> str:
    """RFC 3848 / RFC 6531 protocol name: ESMTP plus S for TLS and A for AUTH."""
    if not client.esmtp:
        return "SMTP"
    base = "UTF8SMTP" if smtputf8 else "ESMTP"
    return base + ("S" if client.tls else "") + ("A" if client.auth_user else "")


def received_header(
    client: Client,
    recipients: list[str],
    hostname: str,
    queue_id: str,
    when: datetime,
    smtputf8: bool = False,
) -> bytes:
    helo = _UNSAFE.sub("?", client.helo)[:255] or "unknown"
    literal = f"IPv6:{client.ip}" if ":" in client.ip else client.ip
    lines = [f"Received: from {helo} ([{literal}])"]
    if client.tls:
        lines.append(f"\t(using {client.tls})")  # from the ssl module, never the client
    lines.append(f"\tby {hostname} (govmail) with {with_protocol(client, smtputf8)} id {queue_id}")
    # Naming the recipient of a multi-recipient message would disclose the others.
    if len(recipients) == 1 and recipients[0].isascii():
        lines.append(f"\tfor <{recipients[0]}>")
    lines[-1] += f"; {format_datetime(when)}"
    return ("\r\n".join(lines) + "\r\n").encode("ascii")
