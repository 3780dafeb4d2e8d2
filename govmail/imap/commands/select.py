"""Opening and closing a mailbox: SELECT and EXAMINE (with CONDSTORE and QRESYNC, RFC 7162),
CLOSE, UNSELECT (RFC 3691) and EXPUNGE, UID EXPUNGE (RFC 4315)."""

from __future__ import annotations

from govmail.imap.protocol import commands as c
from govmail.imap.protocol.types import SequenceSet
from govmail.imap.selected import SelectedMailbox, format_flags, vanished
from govmail.imap.session import NONEXISTENT, Result, Session
from govmail.store import entries, folders
from govmail.store.flags import SYSTEM_FLAGS
from govmail.store.views import READ_ONLY_FOLDER as READ_ONLY_FOLDER_TEXT

READ_ONLY = Result("NO", "Mailbox is read-only / Thu muc chi doc", "READ-ONLY")
# RFC 5530 CANNOT: no client may ever change a folder the server fills.
READ_ONLY_FOLDER = Result("NO", READ_ONLY_FOLDER_TEXT, "CANNOT")


def refuse_changes(view: SelectedMailbox) -> Result | None:
    """Why the selected mailbox may not be changed, if it may not."""
    if view.folder_read_only:
        return READ_ONLY_FOLDER
    return READ_ONLY if view.readonly else None


async def select(session: Session, command: c.Select) -> Result:
    session.select(None)  # a failed SELECT leaves no mailbox selected (RFC 3501 6.3.1)
    name = session.names.decode(command.mailbox)
    user = session.require_user()
    if command.qresync is not None and not session.qresync:
        return Result("BAD", "QRESYNC must be enabled first (ENABLE QRESYNC)")
    if command.condstore:
        session.enabled.add("CONDSTORE")

    def load(s: object) -> tuple[folders.MailboxInfo, list[entries.EntryState]] | None:
        info = folders.get_mailbox(s, user.id, name)
        return None if info is None else entries.snapshot(s, info.id)

    loaded = await session.context.db.read(load)
    if loaded is None:
        return NONEXISTENT
    info, states = loaded
    view = SelectedMailbox.load(
        info.id,
        info.name,
        command.readonly,
        info.uidvalidity,
        info.uidnext,
        info.highestmodseq,
        states,
        info.read_only,
    )
    await session.send(_opening(view, states))
    if command.qresync is not None:
        await _resync(session, view, command.qresync)
    session.select(view)
    verb = "EXAMINE" if command.readonly else "SELECT"
    return Result("OK", f"{verb} completed", "READ-ONLY" if view.readonly else "READ-WRITE")


def _opening(view: SelectedMailbox, states: list[entries.EntryState]) -> bytes:
    keywords = sorted({f for s in states for f in s.flags if not f.startswith("\\")})
    flags = format_flags([*SYSTEM_FLAGS, *keywords])
    permanent = b"()" if view.readonly else format_flags([*SYSTEM_FLAGS, *keywords, "\\*"])
    lines = [
        b"* FLAGS " + flags,
        b"* OK [PERMANENTFLAGS " + permanent + b"] Flags permitted",
        b"* %d EXISTS" % view.exists,
        b"* 0 RECENT",
    ]
    first_unseen = next((i for i, s in enumerate(states, 1) if "\\Seen" not in s.flags), None)
    if first_unseen is not None:
        lines.append(b"* OK [UNSEEN %d] First unseen" % first_unseen)
    lines += [
        b"* OK [UIDVALIDITY %d] UIDs valid" % view.uidvalidity,
        b"* OK [UIDNEXT %d] Predicted next UID" % view.uidnext,
        b"* OK [HIGHESTMODSEQ %d] Highest" % view.modseq,
    ]
    return b"\r\n".join(lines) + b"\r\n"


async def _resync(
    session: Session, view: SelectedMailbox, qresync: tuple[int, int, SequenceSet | None]
) -> None:
    """RFC 7162 3.2.5: what changed since the client's MODSEQ, if its UIDVALIDITY still holds."""
    uidvalidity, modseq, _known = qresync
    if uidvalidity != view.uidvalidity:
        return
    changes = await session.context.db.read(
        lambda s: entries.changes_since(s, view.mailbox_id, modseq)
    )
    lines = []
    if changes.expunged:
        lines.append(vanished(changes.expunged, earlier=True))
    for entry in changes.changed:
        if view.seq_of(entry.uid) is not None:
            lines.append(view.flags_line(entry.uid, with_uid=True, modseq=True))
    if lines:
        await session.send(b"".join(lines))


async def close(session: Session, command: c.Close) -> Result:
    view = session.require_selected()
    if not view.readonly:
        # CLOSE expunges silently (RFC 3501 6.4.2).
        await session.context.db.write(lambda s: entries.expunge(s, view.mailbox_id))
    session.select(None)
    return Result("OK", "CLOSE completed")


async def unselect(session: Session, command: c.Unselect) -> Result:
    session.select(None)
    return Result("OK", "UNSELECT completed")


async def expunge(session: Session, command: c.Expunge) -> Result:
    view = session.require_selected()
    refusal = refuse_changes(view)
    if refusal is not None:
        return refusal
    uids = view.resolve(command.uids, uid=True) if command.uids is not None else None
    if uids == []:
        return Result("OK", "EXPUNGE completed")
    gone = await session.context.db.write(lambda s: entries.expunge(s, view.mailbox_id, uids))
    session.context.notifier.publish([view.mailbox_id])
    lines = view.remove(gone, session.qresync)
    if lines:
        await session.send(b"".join(lines))
    return Result("OK", "EXPUNGE completed")
