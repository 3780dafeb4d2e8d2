"""APPEND (RFC 3501 6.3.11) with flags and internal date, answered with APPENDUID (RFC 4315);
the message takes the same pipeline as mail that arrives over SMTP."""

from __future__ import annotations

from govmail.imap.commands.select import READ_ONLY_FOLDER
from govmail.imap.commands.store import canonical_flags
from govmail.imap.protocol import commands as c
from govmail.imap.session import TRYCREATE, Result, Session
from govmail.store import folders
from govmail.store.flags import render
from govmail.store.folders import MailboxError


async def append(session: Session, command: c.Append) -> Result:
    user = session.require_user()
    name = session.names.decode(command.mailbox)
    flags = canonical_flags(command.flags)
    if flags is None:
        return Result("BAD", "Only system flags and keywords can be appended")
    if not command.message:
        return Result("NO", "An empty message cannot be appended")
    target = await session.context.db.read(lambda s: folders.get_mailbox(s, user.id, name))
    if target is None:
        return TRYCREATE
    if target.read_only:
        return READ_ONLY_FOLDER
    try:
        uidvalidity, uid = await session.context.pipeline.append(
            user.address, target.id, render(flags), command.internal_date, command.message
        )
    except MailboxError as exc:
        return Result("NO", str(exc), exc.code)
    session.context.notifier.publish([target.id])
    return Result("OK", "APPEND completed", f"APPENDUID {uidvalidity} {uid}")
