"""STORE and UID STORE (RFC 3501 6.4.6): replace, add or remove flags, .SILENT, and
UNCHANGEDSINCE with the MODIFIED response code (RFC 7162 3.1.3)."""

from __future__ import annotations

from govmail.imap.commands.select import refuse_changes
from govmail.imap.protocol import commands as c
from govmail.imap.protocol.types import SequenceSet
from govmail.imap.session import Result, Session
from govmail.store import entries
from govmail.store import flags as stored_flags

_SYSTEM = frozenset(flag.lower() for flag in stored_flags.SYSTEM_FLAGS)


def canonical_flags(flags: tuple[str, ...]) -> frozenset[str] | None:
    """The flags in stored form; None when one cannot be set by a client (\\Recent, or an
    unknown system flag)."""
    if any(flag.startswith("\\") and flag.lower() not in _SYSTEM for flag in flags):
        return None
    return stored_flags.canonical(flags)


async def store(session: Session, command: c.Store) -> Result:
    view = session.require_selected()
    refusal = refuse_changes(view)
    if refusal is not None:
        return refusal
    if not command.uid and not view.valid_sequence(command.sequence):
        return Result("BAD", "Message sequence number out of range")
    flags = canonical_flags(command.flags)
    if flags is None:
        return Result(
            "BAD", "Only \\Answered \\Flagged \\Deleted \\Seen \\Draft and keywords can be stored"
        )
    if command.unchanged_since is not None:
        session.enabled.add("CONDSTORE")
    uids = view.resolve(command.sequence, command.uid)
    changed, refused = await session.context.db.write(
        lambda s: entries.store_flags(
            s, view.mailbox_id, uids, command.mode, flags, command.unchanged_since
        )
    )
    if changed:
        session.context.notifier.publish([view.mailbox_id])
    lines = []
    for entry in changed:
        if entry.uid not in view.flags:
            continue
        view.keep(entry.uid, entry.flags, entry.modseq)
        if not command.silent or session.condstore:
            lines.append(view.flags_line(entry.uid, command.uid, modseq=session.condstore))
    if lines:
        await session.send(b"".join(lines))
    if refused:
        refused_ids = refused if command.uid else [view.seq_of(u) or 0 for u in refused]
        modified = str(SequenceSet.from_values(sorted(refused_ids)))
        return Result("OK", "Conditional STORE failed for some messages", f"MODIFIED {modified}")
    return Result("OK", "STORE completed")
