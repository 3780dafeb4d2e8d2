"""aiosmtpd handler hooks: each turns an SMTP command into a pipeline question and answers it."""

from __future__ import annotations

import base64
import binascii
import logging
from typing import Any

from aiosmtpd.smtp import MISSING, SMTP, AuthResult, Envelope, Session

from govmail.accounts.directory import Lookup
from govmail.accounts.login import Authenticator, Outcome
from govmail.pipeline.accept import Pipeline
from govmail.pipeline.envelope import Client
from govmail.pipeline.envelope import Envelope as PipelineEnvelope
from govmail.smtp.sasl import SaslError, decode_plain, decode_text

log = logging.getLogger(__name__)

AUTH_OK = "235 2.7.0 Authentication successful"
AUTH_BAD = "535 5.7.8 Authentication credentials invalid / Sai tên đăng nhập hoặc mật khẩu"
AUTH_THROTTLED = "454 4.7.0 Too many failed logins, try again later / Thử lại sau"
AUTH_SYNTAX = "501 5.5.2 Malformed authentication data"
TOO_MANY_RECIPIENTS = "452 4.5.3 Too many recipients"


class SmtpEnvelope(Envelope):
    """aiosmtpd's envelope plus the routes the pipeline chose at RCPT time."""

    def __init__(self) -> None:
        super().__init__()
        self.routes: dict[str, Lookup] = {}


class SmtpHandler:
    """One per listener: *door* names it for the pipeline ("mx", "submission", "submissions")."""

    def __init__(
        self,
        pipeline: Pipeline,
        authenticator: Authenticator,
        door: str,
        max_recipients: int,
    ) -> None:
        self.pipeline = pipeline
        self.authenticator = authenticator
        self.door = door
        self.max_recipients = max_recipients

    async def handle_EHLO(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        hostname: str,
        responses: list[str],
    ) -> list[str]:
        session.host_name = hostname
        # aiosmtpd ends the list with "250 HELP"; it reads better as our own last line.
        lines = [line for line in responses if line not in ("250 HELP", "250-AUTH ")]
        lines += ["250-PIPELINING", "250-ENHANCEDSTATUSCODES"]
        return [*lines[:-1], "250 " + lines[-1][4:]]

    async def handle_MAIL(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        sender = "" if address == "<>" else address
        verdict = await self.pipeline.check_sender(_auth_user(session), sender)
        if verdict.ok:
            envelope.mail_from = address
            envelope.mail_options.extend(options)
        return verdict.smtp()

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: SmtpEnvelope,
        address: str,
        options: list[str],
    ) -> str:
        if len(envelope.rcpt_tos) >= self.max_recipients:
            return TOO_MANY_RECIPIENTS
        verdict, route = await self.pipeline.check_recipient(_auth_user(session), address)
        if verdict.ok:
            envelope.rcpt_tos.append(address)
            envelope.rcpt_options.extend(options)
            envelope.routes[address] = route
        return verdict.smtp()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: SmtpEnvelope) -> str:
        raw = envelope.original_content
        assert isinstance(raw, bytes), "aiosmtpd runs with decode_data=False"
        mail_from = "" if envelope.mail_from == "<>" else envelope.mail_from
        verdict = await self.pipeline.accept(
            PipelineEnvelope(
                mail_from=mail_from,
                recipients=list(envelope.rcpt_tos),
                client=self._client(server, session),
                smtputf8=envelope.smtp_utf8,
                options=list(envelope.mail_options),
                routes=envelope.routes,
            ),
            raw,
        )
        return verdict.smtp()

    async def auth_PLAIN(self, server: SMTP, args: list[str]) -> AuthResult:
        if len(args) == 1:
            response = await server.challenge_auth("")
        else:
            response = _b64(args[1])
        if response is MISSING:
            return AuthResult(success=False, handled=True)
        if response is None:
            return await _refuse(server, AUTH_SYNTAX)
        try:
            username, password = decode_plain(response)
        except SaslError:
            return await _refuse(server, AUTH_SYNTAX)
        return await self._login(server, username, password)

    async def auth_LOGIN(self, server: SMTP, args: list[str]) -> AuthResult:
        raw_user = await server.challenge_auth("Username:") if len(args) == 1 else _b64(args[1])
        if raw_user is MISSING:
            return AuthResult(success=False, handled=True)
        raw_password = await server.challenge_auth("Password:") if raw_user is not None else None
        if raw_password is MISSING:
            return AuthResult(success=False, handled=True)
        try:
            if raw_user is None or raw_password is None:
                raise SaslError("bad base64")
            username, password = decode_text(raw_user), decode_text(raw_password)
        except SaslError:
            return await _refuse(server, AUTH_SYNTAX)
        return await self._login(server, username, password)

    async def _login(self, server: SMTP, username: str, password: str) -> AuthResult:
        assert server.session is not None
        ip = _peer_ip(server.session)
        outcome, address = await self.authenticator.login(username, password, ip)
        if outcome is Outcome.THROTTLED:
            log.warning("AUTH throttled for %s from %s", username, ip)
            return await _refuse(server, AUTH_THROTTLED)
        if outcome is not Outcome.OK:
            log.warning("AUTH failed for %s from %s", username, ip)
            return await _refuse(server, AUTH_BAD)
        log.info("AUTH %s from %s", address, ip)
        return AuthResult(success=True, auth_data=address, message=AUTH_OK)

    def _client(self, server: SMTP, session: Session) -> Client:
        return Client(
            ip=_peer_ip(session),
            door=self.door,
            helo=session.host_name or "",
            esmtp=session.extended_smtp,
            tls=tls_description(server.transport),
            auth_user=_auth_user(session),
        )


def _auth_user(session: Session) -> str | None:
    return session.auth_data if session.authenticated else None


def _peer_ip(session: Session) -> str:
    peer = session.peer
    return str(peer[0]) if isinstance(peer, tuple) else str(peer)


def tls_description(transport: Any) -> str | None:
    ssl_object = transport.get_extra_info("ssl_object") if transport is not None else None
    if ssl_object is None:
        return None
    cipher = ssl_object.cipher()
    return f"{ssl_object.version()} with cipher {cipher[0] if cipher else 'unknown'}"


def _b64(text: str) -> bytes | None:
    if text == "=":  # RFC 4954: an empty initial response
        return b""
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        return None


async def _refuse(server: SMTP, reply: str) -> AuthResult:
    await server.push(reply)
    return AuthResult(success=False, handled=True)
