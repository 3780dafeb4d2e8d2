"""SMTP listeners: aiosmtpd's protocol with govmail's TLS rules, limits and reply codes."""

from __future__ import annotations

import asyncio
import ipaddress
import ssl
from typing import Any

from aiosmtpd.smtp import SMTP

from govmail.config import Listen
from govmail.smtp.handler import SmtpEnvelope, SmtpHandler
from govmail.smtp.replies import enhance

IDENT = "govmail ESMTP"


class GovSMTP(SMTP):
    """aiosmtpd's SMTP with per-connection TLS facts and enhanced status codes."""

    # Lines past RFC 5322's 998 octets occur in real mail (HTML from office software);
    # accept up to 8 KiB rather than refuse the message.
    line_length_limit = 8192

    def __init__(
        self, handler: SmtpHandler, *, implicit_tls: bool, plaintext_auth_loopback: bool, **kw: Any
    ) -> None:
        super().__init__(handler, **kw)
        self.implicit_tls = implicit_tls
        self.plaintext_auth_loopback = plaintext_auth_loopback

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        assert self.session is not None
        # Port 465 is TLS from the first byte; elsewhere AUTH waits for STARTTLS unless the
        # administrator allowed it over loopback.
        if self.implicit_tls or (self.plaintext_auth_loopback and _is_loopback(self.session.peer)):
            self._auth_require_tls = False

    def _create_envelope(self) -> SmtpEnvelope:
        return SmtpEnvelope()

    async def push(self, status: str | bytes) -> None:
        await super().push(enhance(status) if isinstance(status, str) else status)


def _is_loopback(peer: Any) -> bool:
    try:
        return ipaddress.ip_address(peer[0]).is_loopback
    except (TypeError, ValueError, IndexError):
        return False


async def start_listener(
    listen: Listen,
    handler: SmtpHandler,
    *,
    hostname: str,
    max_message_size: int,
    timeout: int,
    tls: ssl.SSLContext,
    implicit_tls: bool,
    auth: bool,
    plaintext_auth_loopback: bool,
) -> asyncio.Server:
    """Listen on *listen*; MX when *auth* is False, submission when True."""

    def factory() -> GovSMTP:
        return GovSMTP(
            handler,
            implicit_tls=implicit_tls,
            plaintext_auth_loopback=plaintext_auth_loopback,
            hostname=hostname,
            ident=IDENT,
            data_size_limit=max_message_size,
            enable_SMTPUTF8=True,
            decode_data=False,
            tls_context=None if implicit_tls else tls,
            timeout=timeout,
            auth_required=auth,
            auth_require_tls=True,
            auth_exclude_mechanism=[] if auth else ["PLAIN", "LOGIN"],
        )

    host = None if listen.host == "*" else listen.host
    return await asyncio.get_running_loop().create_server(
        factory, host=host, port=listen.port, ssl=tls if implicit_tls else None, reuse_address=True
    )
