"""Getting in: STARTTLS (RFC 3501 6.2.1), LOGIN and AUTHENTICATE PLAIN with SASL-IR (RFC 4959),
refused in clear text, rate-limited, and capped per user."""

from __future__ import annotations

import base64
import binascii

from sqlalchemy import select

from govmail.accounts.login import Outcome
from govmail.imap.commands.general import capabilities
from govmail.imap.protocol import commands as c
from govmail.imap.protocol.response import continuation
from govmail.imap.session import Result, Session, State, User
from govmail.smtp.sasl import SaslError, decode_plain
from govmail.store.models import User as UserRow

PRIVACY = Result("NO", "Use STARTTLS or port 993 first / Can ma hoa TLS truoc", "PRIVACYREQUIRED")
FAILED = Result(
    "NO",
    "Invalid credentials / Sai ten dang nhap hoac mat khau",
    "AUTHENTICATIONFAILED",
)
THROTTLED = Result("NO", "Too many failed logins, try later / Thu lai sau", "UNAVAILABLE")
TOO_MANY = Result("NO", "Too many connections for this user / Qua nhieu ket noi", "LIMIT")


async def starttls(session: Session, command: c.StartTls) -> Result:
    if session.tls:
        return Result("BAD", "TLS is already active")
    session.starttls_requested = True
    return Result("OK", "Begin TLS negotiation now")


async def login(session: Session, command: c.Login) -> Result:
    if not session.may_login_in_clear:
        return PRIVACY
    return await _check(session, command.user, command.password)


async def authenticate(session: Session, command: c.Authenticate) -> Result:
    if command.mechanism.upper() != "PLAIN":
        return Result("NO", f"Mechanism {command.mechanism} is not supported; use PLAIN")
    if not session.may_login_in_clear:
        return PRIVACY
    if command.initial is not None:
        response = command.initial
    else:
        await session.send(continuation(""))
        line = await session.connection.read_line()
        if line is None:
            return Result("BAD", "Connection closed during AUTHENTICATE")
        response = line.decode("ascii", "replace").strip()
    if response == "*":
        return Result("BAD", "AUTHENTICATE cancelled")
    try:
        message = b"" if response == "=" else base64.b64decode(response, validate=True)
        username, password = decode_plain(message)
    except (binascii.Error, ValueError, SaslError):
        return Result("BAD", "Malformed PLAIN response")
    return await _check(session, username, password)


async def _check(session: Session, username: str, password: str) -> Result:
    context = session.context
    outcome, address = await context.authenticator.login(username, password, session.client_ip)
    if outcome is Outcome.THROTTLED:
        return THROTTLED
    if outcome is not Outcome.OK or address is None:
        return FAILED
    if context.connections[address] >= context.limits.max_connections_per_user:
        return TOO_MANY
    user_id = await context.db.read(
        lambda s: s.scalar(select(UserRow.id).where(UserRow.address == address))
    )
    if user_id is None:
        return FAILED
    context.connections[address] += 1
    session.user = User(user_id, address)
    session.state = State.AUTHENTICATED
    code = "CAPABILITY " + " ".join(capabilities(session))
    return Result("OK", "Logged in / Da dang nhap", code)
