"""IDLE (RFC 2177): push changes of the selected mailbox to the client until it says DONE."""

from __future__ import annotations

import asyncio
import contextlib

from govmail.imap.protocol import commands as c
from govmail.imap.protocol.response import continuation
from govmail.imap.session import Result, Session, State

# Changes made by another process (a second server on the same PostgreSQL database, the CLI)
# publish nothing here: look for them this often as well. Each look is a query, and thousands
# of phones may idle at once.
POLL_SECONDS = 60.0
AUTOLOGOUT = b"* BYE Autologout; idle for too long / Het thoi gian cho\r\n"


async def idle(session: Session, command: c.Idle) -> Result:
    await session.send(continuation("idling"))
    view = session.selected
    subscription = session.context.notifier.subscribe(view.mailbox_id) if view else None
    line_task = asyncio.ensure_future(session.connection.read_line())
    deadline = asyncio.get_running_loop().time() + session.context.limits.idle_timeout
    try:
        while not line_task.done():
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                await session.send(AUTOLOGOUT)
                session.state = State.LOGOUT
                return Result("NO", "Idle for too long, logging out")
            wake = asyncio.ensure_future(
                subscription.wait(min(POLL_SECONDS, remaining))
                if subscription
                else asyncio.sleep(min(POLL_SECONDS, remaining))
            )
            await asyncio.wait({line_task, wake}, return_when=asyncio.FIRST_COMPLETED)
            wake.cancel()
            if session.state is State.SELECTED and not line_task.done():
                await session.report_changes(allow_expunge=True)
    finally:
        if subscription is not None:
            subscription.close()
        if not line_task.done():
            line_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await line_task
    line = line_task.result()
    if line is None:
        session.state = State.LOGOUT
        return Result("BAD", "Connection closed during IDLE")
    if line.strip().upper() != b"DONE":
        return Result("BAD", "Expected DONE to end IDLE")
    return Result("OK", "IDLE terminated")
