"""Folders for IMAP on SQLite and PostgreSQL: names, create, delete, rename, subscriptions,
STATUS."""

from __future__ import annotations

import unicodedata

import pytest

from govmail.store import entries, folders
from govmail.store.blobs import BlobStore
from govmail.store.db import Database
from govmail.store.folders import MailboxError, mailbox_name
from tests.store.helpers import deliver, mailbox_id, new_message, run, user_id


async def refusal(db: Database, work) -> str:
    """The MailboxError code *work* raises in a write transaction."""
    with pytest.raises(MailboxError) as raised:
        await db.write(work)
    return raised.value.code


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("", "CANNOT"),
        ("a\x00b", "CANNOT"),
        ("a\r\nb", "CANNOT"),
        ("a\nb", "CANNOT"),
        ("/a", "CANNOT"),
        ("a/", "CANNOT"),
        ("a//b", "CANNOT"),
        ("x" * 501, "LIMIT"),
    ],
)
def test_bad_names_are_refused(name: str, code: str):
    with pytest.raises(MailboxError) as raised:
        mailbox_name(name)
    assert raised.value.code == code
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize(
    ("name", "stored"),
    [
        ("inbox", "INBOX"),
        ("InBox", "INBOX"),
        ("inbox/Việc", "INBOX/Việc"),
        ("Inboxes", "Inboxes"),
        (unicodedata.normalize("NFD", "Lưu trữ"), "Lưu trữ"),
        ("x" * 500, "x" * 500),
    ],
)
def test_names_are_stored_nfc_with_inbox_upper_case(name: str, stored: str):
    assert mailbox_name(name) == stored


def test_create_list_and_find_folders(make_store):
    async def test(db: Database, _: BlobStore) -> None:
        owner = await user_id(db, "an@songlam.gov.vn")
        other = await user_id(db, "binh@songlam.gov.vn")
        made = await db.write(lambda s: folders.create_folder(s, owner, "Dự án/2026", "\\Flagged"))
        assert made.name == "Dự án/2026" and made.special_use == "\\Flagged"
        assert (made.uidnext, made.highestmodseq, made.subscribed) == (1, 1, True)
        names = [m.name for m in await db.read(lambda s: folders.list_mailboxes(s, owner))]
        assert names == sorted(names) and "Dự án/2026" in names and "INBOX" in names
        nfd = unicodedata.normalize("NFD", "Dự án/2026")
        assert await db.read(lambda s: folders.get_mailbox(s, owner, nfd)) == made
        assert await db.read(lambda s: folders.get_mailbox(s, other, "Dự án/2026")) is None
        assert await db.read(lambda s: folders.get_mailbox(s, owner, "a//b")) is None
        inbox = await db.read(lambda s: folders.get_mailbox(s, owner, "iNbOx"))
        assert inbox is not None and inbox.name == "INBOX"
        code = await refusal(db, lambda s: folders.create_folder(s, owner, "Dự án/2026"))
        assert code == "ALREADYEXISTS"
        assert await refusal(db, lambda s: folders.create_folder(s, owner, "inbox")) == (
            "ALREADYEXISTS"
        )
        # Another user may use the same name.
        await db.write(lambda s: folders.create_folder(s, other, "Dự án/2026"))

    run(make_store, test)


def test_a_recreated_folder_gets_a_greater_uidvalidity(make_store):
    async def test(db: Database, _: BlobStore) -> None:
        owner = await user_id(db, "an@songlam.gov.vn")
        seen = []
        for _round in range(3):  # within one second: the clock alone would repeat itself
            made = await db.write(lambda s: folders.create_folder(s, owner, "Tạm"))
            seen.append(made.uidvalidity)
            await db.write(lambda s: folders.delete_folder(s, owner, "Tạm"))
        assert seen == sorted(set(seen))

    run(make_store, test)


def test_folder_count_is_capped(make_store, monkeypatch):
    monkeypatch.setattr(folders, "MAX_FOLDERS", 8)

    async def test(db: Database, _: BlobStore) -> str:
        owner = await user_id(db, "an@songlam.gov.vn")  # six default folders
        await db.write(lambda s: folders.create_folder(s, owner, "a"))
        await db.write(lambda s: folders.create_folder(s, owner, "b"))
        return await refusal(db, lambda s: folders.create_folder(s, owner, "c"))

    assert run(make_store, test) == "LIMIT"


def test_delete_rules(make_store):
    async def test(db: Database, blobs: BlobStore) -> None:
        owner = await user_id(db, "an@songlam.gov.vn")
        assert await refusal(db, lambda s: folders.delete_folder(s, owner, "inbox")) == "CANNOT"
        assert await refusal(db, lambda s: folders.delete_folder(s, owner, "Nope")) == (
            "NONEXISTENT"
        )
        await db.write(lambda s: folders.create_folder(s, owner, "Cha/Con"))
        await db.write(lambda s: folders.create_folder(s, owner, "Cha"))
        assert await refusal(db, lambda s: folders.delete_folder(s, owner, "Cha")) == "CANNOT"
        # A sibling whose name merely starts alike is not a child.
        await db.write(lambda s: folders.create_folder(s, owner, "Chat"))
        await db.write(lambda s: folders.delete_folder(s, owner, "Chat"))
        await db.write(lambda s: folders.delete_folder(s, owner, "Cha/Con"))
        # Entries go with the folder; the message stays for the other mailbox holding it.
        [message] = await deliver(db, blobs, [new_message([owner])])
        inbox = await mailbox_id(db, owner)
        cha = await mailbox_id(db, owner, "Cha")
        await db.write(lambda s: entries.copy_entries(s, inbox, [1], cha))
        await db.write(lambda s: folders.delete_folder(s, owner, "Cha"))
        assert await db.read(lambda s: folders.get_mailbox(s, owner, "Cha")) is None
        rows = await db.read(lambda s: entries.fetch_rows(s, inbox, [1]))
        assert [row.uid for row in rows] == [1] and message

    run(make_store, test)


def test_rename_moves_children_and_keeps_uids(make_store):
    async def test(db: Database, blobs: BlobStore) -> None:
        owner = await user_id(db, "an@songlam.gov.vn")
        for name in ("Dự án", "Dự án/A", "Dự án/A/B", "Dự ánX"):
            await db.write(lambda s, name=name: folders.create_folder(s, owner, name))
        before = await db.read(lambda s: folders.get_mailbox(s, owner, "Dự án/A"))
        await db.write(lambda s: folders.rename_folder(s, owner, "Dự án", "Lưu trữ/Dự án"))
        names = {m.name for m in await db.read(lambda s: folders.list_mailboxes(s, owner))}
        assert {"Lưu trữ/Dự án", "Lưu trữ/Dự án/A", "Lưu trữ/Dự án/A/B", "Dự ánX"} <= names
        assert not {"Dự án", "Dự án/A", "Dự án/A/B"} & names
        after = await db.read(lambda s: folders.get_mailbox(s, owner, "Lưu trữ/Dự án/A"))
        assert after is not None and before is not None
        assert (after.id, after.uidvalidity) == (before.id, before.uidvalidity)
        for old, new, code in (
            ("Nope", "X", "NONEXISTENT"),
            ("Dự ánX", "Sent", "ALREADYEXISTS"),
            ("Dự ánX", "INBOX", "ALREADYEXISTS"),
            ("Dự ánX", "Dự ánX/sub", "CANNOT"),
            ("Dự ánX", "a//b", "CANNOT"),
        ):
            code_seen = await refusal(
                db, lambda s, o=old, n=new: folders.rename_folder(s, owner, o, n)
            )
            assert code_seen == code, (old, new)

    run(make_store, test)


def test_rename_refuses_names_its_children_would_clash_with(make_store):
    async def test(db: Database, _: BlobStore) -> str:
        owner = await user_id(db, "an@songlam.gov.vn")
        for name in ("A", "A/x", "B/x"):
            await db.write(lambda s, name=name: folders.create_folder(s, owner, name))
        code = await refusal(db, lambda s: folders.rename_folder(s, owner, "A", "B"))
        names = {m.name for m in await db.read(lambda s: folders.list_mailboxes(s, owner))}
        assert {"A", "A/x", "B/x"} <= names  # nothing renamed
        return code

    assert run(make_store, test) == "ALREADYEXISTS"


def test_renaming_inbox_moves_its_messages_and_leaves_it_empty(make_store):
    async def test(db: Database, blobs: BlobStore) -> None:
        owner = await user_id(db, "an@songlam.gov.vn")
        await deliver(db, blobs, [new_message([owner], n=i) for i in range(3)])
        await db.write(lambda s: folders.create_folder(s, owner, "INBOX/Con"))
        inbox = await mailbox_id(db, owner)
        before, _ = await db.read(lambda s: entries.snapshot(s, inbox))
        await db.write(
            lambda s: entries.store_flags(s, inbox, [2], "+", frozenset({"\\Seen"}), None)
        )
        await db.write(lambda s: folders.rename_folder(s, owner, "INBOX", "Cũ"))
        info, left = await db.read(lambda s: entries.snapshot(s, inbox))
        assert left == [] and info.name == "INBOX" and info.uidvalidity == before.uidvalidity
        assert info.uidnext == before.uidnext  # UIDs are never reused
        changes = await db.read(lambda s: entries.changes_since(s, inbox, before.highestmodseq))
        assert changes.expunged == [1, 2, 3]
        old = await db.read(lambda s: folders.get_mailbox(s, owner, "Cũ"))
        assert old is not None and old.uidvalidity > before.uidvalidity
        _, moved = await db.read(lambda s: entries.snapshot(s, old.id))
        assert [(e.uid, e.flags) for e in moved] == [
            (1, frozenset()),
            (2, frozenset({"\\Seen"})),
            (3, frozenset()),
        ]
        assert await db.read(lambda s: folders.get_mailbox(s, owner, "INBOX/Con")) is not None
        assert await db.read(lambda s: folders.get_mailbox(s, owner, "Cũ/Con")) is None

    run(make_store, test)


def test_subscriptions(make_store):
    async def test(db: Database, _: BlobStore) -> None:
        owner = await user_id(db, "an@songlam.gov.vn")
        await db.write(lambda s: folders.set_subscribed(s, owner, "Junk", False))
        junk = await db.read(lambda s: folders.get_mailbox(s, owner, "Junk"))
        assert junk is not None and junk.subscribed is False
        await db.write(lambda s: folders.set_subscribed(s, owner, "Junk", True))
        junk = await db.read(lambda s: folders.get_mailbox(s, owner, "Junk"))
        assert junk is not None and junk.subscribed is True
        code = await refusal(db, lambda s: folders.set_subscribed(s, owner, "Nope", True))
        assert code == "NONEXISTENT"

    run(make_store, test)


def test_status_counts(make_store):
    async def test(db: Database, blobs: BlobStore) -> None:
        owner = await user_id(db, "an@songlam.gov.vn")
        messages = [new_message([owner], n=i) for i in range(4)]
        await deliver(db, blobs, messages)
        inbox = await mailbox_id(db, owner)
        flags = frozenset({"\\Seen"})
        await db.write(lambda s: entries.store_flags(s, inbox, [1, 3], "+", flags, None))
        # A keyword that merely contains the word is not \\Seen.
        await db.write(lambda s: entries.store_flags(s, inbox, [2], "+", frozenset({"Seen"}), None))
        status = await db.read(lambda s: folders.mailbox_status(s, inbox))
        assert status.messages == 4 and status.unseen == 2
        assert status.size == sum(len(m.raw) for m in messages)
        assert (status.uidnext, status.highestmodseq) == (5, 8)  # 1 + 4 deliveries + 3 changes
        assert isinstance(status.size, int) and isinstance(status.unseen, int)
        sent = await mailbox_id(db, owner, "Sent")
        empty = await db.read(lambda s: folders.mailbox_status(s, sent))
        assert (empty.messages, empty.unseen, empty.size) == (0, 0, 0)

    run(make_store, test)
