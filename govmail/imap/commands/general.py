"""Commands valid in any state or right after login: CAPABILITY, NOOP, CHECK, LOGOUT, ID,
ENABLE (RFC 5161) and NAMESPACE (RFC 2342)."""

from __future__ import annotations

from govmail.imap.protocol import commands as c
from govmail.imap.protocol.response import untagged
from govmail.imap.protocol.types import Atom
from govmail.imap.session import Result, Session, State

# What a logged-in client may rely on; RFC numbers in docs/rfc-support.md.
EXTENSIONS = (
    "LITERAL+",
    "SASL-IR",
    "ID",
    "ENABLE",
    "IDLE",
    "NAMESPACE",
    "UIDPLUS",
    "MOVE",
    "UNSELECT",
    "CHILDREN",
    "SPECIAL-USE",
    "CREATE-SPECIAL-USE",
    "LIST-EXTENDED",
    "LIST-STATUS",
    "ESEARCH",
    "CONDSTORE",
    "QRESYNC",
    "UTF8=ACCEPT",
    "BINARY",
)
ENABLEABLE = frozenset({"CONDSTORE", "QRESYNC", "UTF8=ACCEPT"})


def capabilities(session: Session) -> list[str]:
    caps = ["IMAP4rev1", *EXTENSIONS]
    if session.state is State.NOT_AUTHENTICATED:
        if not session.tls:
            caps.append("STARTTLS")
        if session.may_login_in_clear:
            caps.append("AUTH=PLAIN")
        else:
            caps.append("LOGINDISABLED")
    return caps


async def capability(session: Session, command: c.Capability) -> Result:
    await session.send(untagged(Atom("CAPABILITY"), *(Atom(cap) for cap in capabilities(session))))
    return Result("OK", "CAPABILITY completed")


async def noop(session: Session, command: c.Noop | c.Check) -> Result:
    return Result("OK", f"{type(command).__name__.upper()} completed")


async def logout(session: Session, command: c.Logout) -> Result:
    await session.send(untagged(Atom("BYE"), Atom("govmail logging out / Tam biet")))
    session.state = State.LOGOUT
    return Result("OK", "LOGOUT completed")


async def id_(session: Session, command: c.Id) -> Result:
    await session.send(untagged(Atom("ID"), ["name", "govmail", "vendor", "govmail"]))
    return Result("OK", "ID completed")


async def enable(session: Session, command: c.Enable) -> Result:
    # RFC 5161: only what was not enabled before is listed; unknown names are ignored.
    new = [cap for cap in command.capabilities if cap in ENABLEABLE and cap not in session.enabled]
    if "QRESYNC" in new and "CONDSTORE" not in session.enabled:
        session.enabled.add("CONDSTORE")
    session.enabled.update(new)
    await session.send(untagged(Atom("ENABLED"), *(Atom(cap) for cap in new)))
    return Result("OK", "ENABLE completed")


async def namespace(session: Session, command: c.Namespace) -> Result:
    await session.send(untagged(Atom("NAMESPACE"), [["", "/"]], None, None))
    return Result("OK", "NAMESPACE completed")
