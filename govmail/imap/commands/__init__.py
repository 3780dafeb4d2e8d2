"""IMAP command handlers, one module per command family, and the table of the states in which
each command may be used."""

from __future__ import annotations

import logging
from typing import Any

from govmail.imap.commands import append, auth, copy, fetch, folders, general, idle, search
from govmail.imap.commands import select as select_
from govmail.imap.commands import store as store_
from govmail.imap.names import BadName
from govmail.imap.protocol import commands as c
from govmail.imap.session import Handler, Result, Session, State

log = logging.getLogger(__name__)

ANY = frozenset(State)
NOT_AUTHENTICATED = frozenset({State.NOT_AUTHENTICATED})
AUTHENTICATED = frozenset({State.AUTHENTICATED, State.SELECTED})
SELECTED = frozenset({State.SELECTED})

_TABLE: dict[type, tuple[Handler, frozenset[State]]] = {
    c.Capability: (general.capability, ANY),
    c.Noop: (general.noop, ANY),
    c.Logout: (general.logout, ANY),
    c.Id: (general.id_, ANY),
    c.StartTls: (auth.starttls, NOT_AUTHENTICATED),
    c.Login: (auth.login, NOT_AUTHENTICATED),
    c.Authenticate: (auth.authenticate, NOT_AUTHENTICATED),
    c.Enable: (general.enable, AUTHENTICATED),
    c.Namespace: (general.namespace, AUTHENTICATED),
    c.Idle: (idle.idle, AUTHENTICATED),
    c.Select: (select_.select, AUTHENTICATED),
    c.Create: (folders.create, AUTHENTICATED),
    c.Delete: (folders.delete, AUTHENTICATED),
    c.Rename: (folders.rename, AUTHENTICATED),
    c.Subscribe: (folders.subscribe, AUTHENTICATED),
    c.Unsubscribe: (folders.unsubscribe, AUTHENTICATED),
    c.List: (folders.list_, AUTHENTICATED),
    c.Lsub: (folders.lsub, AUTHENTICATED),
    c.Status: (folders.status, AUTHENTICATED),
    c.Append: (append.append, AUTHENTICATED),
    c.Check: (general.noop, SELECTED),
    c.Close: (select_.close, SELECTED),
    c.Unselect: (select_.unselect, SELECTED),
    c.Expunge: (select_.expunge, SELECTED),
    c.Search: (search.search, SELECTED),
    c.Fetch: (fetch.fetch, SELECTED),
    c.Store: (store_.store, SELECTED),
    c.Copy: (copy.copy, SELECTED),
    c.Move: (copy.move, SELECTED),
}


# Commands after which an EXPUNGE may not be sent (RFC 3501 7.4.1): the client may be using
# sequence numbers it has just been given.
_NO_EXPUNGE_AFTER = (c.Fetch, c.Store, c.Search)


async def execute(session: Session, command: Any) -> None:
    """Run one command, send its responses and the updates owed, then its tagged completion."""
    handler, states = _TABLE[type(command)]
    if session.state not in states:
        await session.finish(command.tag, _wrong_state(command, session.state))
        return
    try:
        result = await handler(session, command)
    except BadName as exc:
        result = Result("BAD", str(exc))
    except Exception:
        log.exception("IMAP %s failed for %s", type(command).__name__, session.user)
        result = Result("NO", "Server error, try again / Loi may chu, xin thu lai", "SERVERBUG")
    if session.state is State.SELECTED and result.status != "BAD":
        await session.report_changes(allow_expunge=not _forbids_expunge(command))
    await session.finish(command.tag, result)


def _forbids_expunge(command: Any) -> bool:
    return isinstance(command, _NO_EXPUNGE_AFTER) and not command.uid


def _wrong_state(command: Any, state: State) -> Result:
    name = type(command).__name__.upper()
    if state is State.NOT_AUTHENTICATED:
        return Result("BAD", f"{name} needs a login first / Can dang nhap truoc")
    if state is State.AUTHENTICATED:
        return Result("BAD", f"{name} needs a selected mailbox (SELECT first)")
    return Result("BAD", f"{name} is not allowed now")
