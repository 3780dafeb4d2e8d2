"""COPY, MOVE (RFC 6851) and their UID forms, answered with COPYUID (RFC 4315)."""

from __future__ import annotations

from govmail.imap.commands.select import refuse_changes
from govmail.imap.protocol import commands as c
from govmail.imap.protocol.types import SequenceSet
from govmail.imap.session import TRYCREATE, Result, Session
from govmail.store import entries, folders
from govmail.store.views import READ_ONLY_FOLDER, MailboxError


async def copy(session: Session, command: c.Copy) -> Result:
    return await _transfer(session, command, move=False)


async def move(session: Session, command: c.Move) -> Result:
    # A move expunges from the source.
    refusal = refuse_changes(session.require_selected())
    if refusal is not None:
        return refusal
    return await _transfer(session, command, move=True)


async def _transfer(session: Session, command: c.Copy | c.Move, move: bool) -> Result:
    view = session.require_selected()
    user = session.require_user()
    if not command.uid and not view.valid_sequence(command.sequence):
        return Result("BAD", "Message sequence number out of range")
    name = session.names.decode(command.mailbox)
    uids = view.resolve(command.sequence, command.uid)
    transfer = entries.move_entries if move else entries.copy_entries

    def work(s: object) -> tuple[int, list[tuple[int, int]], int] | None:
        target = folders.get_mailbox(s, user.id, name)
        if target is None:
            return None
        if target.read_only:
            raise MailboxError("CANNOT", READ_ONLY_FOLDER)
        if not uids:
            return target.uidvalidity, [], target.id
        uidvalidity, pairs = transfer(s, view.mailbox_id, uids, target.id)
        return uidvalidity, pairs, target.id

    try:
        done = await session.context.db.write(work)
    except MailboxError as exc:
        return Result("NO", str(exc), exc.code)
    if done is None:
        return TRYCREATE
    uidvalidity, pairs, target_id = done
    verb = "MOVE" if move else "COPY"
    if not pairs:
        return Result("OK", f"{verb} completed, no messages")
    session.context.notifier.publish({view.mailbox_id, target_id})
    source = str(SequenceSet.from_values(p[0] for p in pairs))
    # The destination UIDs are listed in the order of the source UIDs (RFC 4315 4.3).
    destination = ",".join(str(p[1]) for p in pairs)
    code = f"COPYUID {uidvalidity} {source} {destination}"
    if not move:
        return Result("OK", f"{verb} completed", code)
    await session.send(b"* OK [" + code.encode() + b"] Moved\r\n")
    lines = view.remove([p[0] for p in pairs], session.qresync)
    if lines:
        await session.send(b"".join(lines))
    return Result("OK", f"{verb} completed")
