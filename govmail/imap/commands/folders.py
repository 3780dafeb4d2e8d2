"""Folder commands: CREATE (with USE, RFC 6154), DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE, LIST
(LIST-EXTENDED, LIST-STATUS, SPECIAL-USE, CHILDREN), LSUB and STATUS."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from govmail.imap.names import SEPARATOR, join_reference, parents, pattern_regex
from govmail.imap.protocol import commands as c
from govmail.imap.protocol.response import untagged
from govmail.imap.protocol.types import Atom
from govmail.imap.session import NONEXISTENT, Result, Session
from govmail.register.folders import is_register_name
from govmail.store import folders
from govmail.store.folders import MailboxError, MailboxInfo, Status

SPECIAL_USES = {
    use.lower(): use
    for use in ("\\All", "\\Archive", "\\Drafts", "\\Flagged", "\\Junk", "\\Sent", "\\Trash")
}
# The register's folders are the server's: no client makes one, or anything under them.
RESERVED = Result(
    "NO", "Only the server makes the register's folders / Chi may chu tao so van ban", "CANNOT"
)
STATUS_ITEMS = ("MESSAGES", "RECENT", "UIDNEXT", "UIDVALIDITY", "UNSEEN", "HIGHESTMODSEQ", "SIZE")


async def create(session: Session, command: c.Create) -> Result:
    uses = list(command.special_use)
    if len(uses) > 1 or any(use.lower() not in SPECIAL_USES for use in uses):
        return Result("NO", "Unsupported special use", "USEATTR")
    user = session.require_user()

    def work(name: str) -> Callable[[Any], Any]:
        special = SPECIAL_USES[uses[0].lower()] if uses else None
        return lambda s: folders.create_folder(s, user.id, name, special)

    # A trailing separator only says the client means to create children later.
    wire_name = command.mailbox.rstrip(SEPARATOR) or command.mailbox
    if is_register_name(session.names.decode(wire_name)):
        return RESERVED
    return await _change(session, wire_name, work)


async def delete(session: Session, command: c.Delete) -> Result:
    user = session.require_user()
    selected = session.selected
    result = await _change(
        session, command.mailbox, lambda name: lambda s: folders.delete_folder(s, user.id, name)
    )
    if (
        result.status == "OK"
        and selected
        and selected.name == session.names.decode(command.mailbox)
    ):
        session.select(None)
    return result


async def rename(session: Session, command: c.Rename) -> Result:
    user = session.require_user()
    new = session.names.decode(command.new)
    if is_register_name(new):
        return RESERVED
    return await _change(
        session, command.old, lambda old: lambda s: folders.rename_folder(s, user.id, old, new)
    )


async def subscribe(session: Session, command: c.Subscribe) -> Result:
    return await _subscription(session, command.mailbox, True)


async def unsubscribe(session: Session, command: c.Unsubscribe) -> Result:
    return await _subscription(session, command.mailbox, False)


async def _subscription(session: Session, mailbox: str, subscribed: bool) -> Result:
    user = session.require_user()
    return await _change(
        session,
        mailbox,
        lambda name: lambda s: folders.set_subscribed(s, user.id, name, subscribed),
    )


async def _change(
    session: Session, wire_name: str, work: Callable[[str], Callable[[Any], Any]]
) -> Result:
    name = session.names.decode(wire_name)
    try:
        await session.context.db.write(work(name))
    except MailboxError as exc:
        return Result("NO", str(exc), exc.code)
    return Result("OK", "Completed")


async def list_(session: Session, command: c.List) -> Result:
    if command.patterns == ("",):
        # RFC 3501: an empty pattern asks for the hierarchy delimiter.
        await session.send(untagged(Atom("LIST"), [Atom("\\Noselect")], SEPARATOR, ""))
        return Result("OK", "LIST completed")
    patterns = [
        pattern_regex(session.names.decode(join_reference(command.reference, p)))
        for p in command.patterns
    ]
    boxes = await _mailboxes(session)
    selection = set(command.select_options)
    returns = set(command.return_options)
    show_subscribed = bool({"SUBSCRIBED"} & (selection | returns))
    status_items = command.status_items or ()
    for name, info in _listing(boxes):
        if not any(p.fullmatch(name) for p in patterns):
            continue
        if "SUBSCRIBED" in selection and not (info and info.subscribed):
            continue
        if "SPECIAL-USE" in selection and not (info and info.special_use):
            continue
        attributes = _attributes(name, info, boxes, show_subscribed)
        await session.send(
            untagged(
                Atom("LIST"), attributes, SEPARATOR, session.names.encode(name), utf8=session.utf8
            )
        )
        if status_items and info is not None:
            await _send_status(session, info, status_items)
    return Result("OK", "LIST completed")


async def lsub(session: Session, command: c.Lsub) -> Result:
    pattern = pattern_regex(
        session.names.decode(join_reference(command.reference, command.pattern))
    )
    boxes = await _mailboxes(session)
    for name, info in boxes.items():
        if info.subscribed and pattern.fullmatch(name):
            attributes = [Atom(a) for a in _child_attributes(name, info, boxes)]
            await session.send(
                untagged(
                    Atom("LSUB"),
                    attributes,
                    SEPARATOR,
                    session.names.encode(name),
                    utf8=session.utf8,
                )
            )
    return Result("OK", "LSUB completed")


async def status(session: Session, command: c.Status) -> Result:
    unknown = [item for item in command.items if item not in STATUS_ITEMS]
    if unknown:
        return Result("BAD", f"Unknown STATUS item {unknown[0]}")
    name = session.names.decode(command.mailbox)
    boxes = await _mailboxes(session)
    info = boxes.get(name)
    if info is None:
        return NONEXISTENT
    await _send_status(session, info, command.items)
    return Result("OK", "STATUS completed")


async def _send_status(session: Session, info: MailboxInfo, items: tuple[str, ...]) -> None:
    counts: Status = await session.context.db.read(lambda s: folders.mailbox_status(s, info.id))
    if any(item == "HIGHESTMODSEQ" for item in items):
        session.enabled.add("CONDSTORE")
    values = {
        "MESSAGES": counts.messages,
        "RECENT": 0,
        "UIDNEXT": counts.uidnext,
        "UIDVALIDITY": counts.uidvalidity,
        "UNSEEN": counts.unseen,
        "HIGHESTMODSEQ": counts.highestmodseq,
        "SIZE": counts.size,
    }
    pairs: list[Any] = []
    for item in items:
        pairs += [Atom(item), values[item]]
    await session.send(
        untagged(Atom("STATUS"), session.names.encode(info.name), pairs, utf8=session.utf8)
    )


async def _mailboxes(session: Session) -> dict[str, MailboxInfo]:
    user = session.require_user()
    infos = await session.context.db.read(lambda s: folders.list_mailboxes(s, user.id))
    return {info.name: info for info in infos}


def _listing(boxes: dict[str, MailboxInfo]) -> list[tuple[str, MailboxInfo | None]]:
    """Every folder, plus the parents that exist only as part of a deeper name (\\Noselect)."""
    names: dict[str, MailboxInfo | None] = dict(boxes)
    for name in boxes:
        for parent in parents(name):
            names.setdefault(parent, None)
    return sorted(names.items(), key=lambda item: (item[0] != "INBOX", item[0]))


def _attributes(
    name: str, info: MailboxInfo | None, boxes: dict[str, MailboxInfo], subscribed: bool
) -> list[Atom]:
    attributes = [Atom(a) for a in _child_attributes(name, info, boxes)]
    if info is None:
        attributes.insert(0, Atom("\\Noselect"))
        return attributes
    if info.special_use:
        attributes.append(Atom(info.special_use))
    if subscribed and info.subscribed:
        attributes.append(Atom("\\Subscribed"))
    return attributes


def _child_attributes(
    name: str, info: MailboxInfo | None, boxes: dict[str, MailboxInfo]
) -> list[str]:
    prefix = name + SEPARATOR
    if any(other.startswith(prefix) for other in boxes):
        return ["\\HasChildren"]
    # No child can ever be made under a read-only leaf; \Noinferiors implies \HasNoChildren
    # (RFC 5258 3.4).
    return ["\\Noinferiors" if info is not None and info.read_only else "\\HasNoChildren"]
