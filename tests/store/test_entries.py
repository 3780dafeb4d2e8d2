"""Entries for IMAP on SQLite and PostgreSQL: UID and MODSEQ allocation under concurrent
writers, flags, expunge and tombstones, changes since a MODSEQ, copy and move, FETCH rows."""

from __future__ import annotations

import asyncio

import pytest

from govmail.store import entries, folders
from govmail.store.blobs import BlobStore
from govmail.store.check import problems
from govmail.store.commit import Committer
from govmail.store.db import Database
from govmail.store.entries import EntryState
from govmail.store.folders import MailboxError
from tests.store.helpers import deliver, mailbox_id, new_message, run, user_id

SEEN = frozenset({"\\Seen"})
DELETED = frozenset({"\\Deleted"})


async def inbox_with(db: Database, blobs: BlobStore, count: int) -> tuple[int, int]:
    """A user whose INBOX holds *count* messages with UIDs 1..count: (user id, INBOX id)."""
    owner = await user_id(db, "an@songlam.gov.vn")
    await deliver(db, blobs, [new_message([owner], n=i) for i in range(count)], group=True)
    return owner, await mailbox_id(db, owner)


def test_concurrent_writers_never_share_a_uid_or_modseq(make_store):
    async def test(db: Database, blobs: BlobStore) -> None:
        owner, inbox = await inbox_with(db, blobs, 20)
        archive = await mailbox_id(db, owner, "Archive")
        committer = Committer(db, blobs, group=False, max_batch=1)
        writes = [committer.commit(new_message([owner], n=100 + i)) for i in range(30)]
        writes += [
            db.write(
                lambda s, i=i: entries.store_flags(
                    s, inbox, [i % 20 + 1, (i * 7) % 20 + 1], "+-"[i % 2], SEEN, None
                )
            )
            for i in range(30)
        ]
        writes += [
            db.write(lambda s, i=i: entries.copy_entries(s, inbox, [i + 1, i + 2], archive))
            for i in range(15)
        ]
        results = await asyncio.gather(*writes)

        flag_modseqs = [state.modseq for changed, _ in results[30:60] for state in changed]
        assert len(flag_modseqs) == len(set(flag_modseqs))
        copied = [new for _, pairs in results[60:] for _, new in pairs]
        assert sorted(copied) == list(range(1, 31))
        info, states = await db.read(lambda s: entries.snapshot(s, inbox))
        assert [state.uid for state in states] == list(range(1, 51))
        modseqs = [state.modseq for state in states]
        assert len(set(modseqs)) == 50 and max(modseqs) == info.highestmodseq
        archived, copies = await db.read(lambda s: entries.snapshot(s, archive))
        assert [c.uid for c in copies] == list(range(1, 31)) and archived.uidnext == 31
        assert len({c.modseq for c in copies}) == 30
        assert await problems(db, blobs) == []

    run(make_store, test)


def test_flag_modes_and_canonical_case(make_store):
    async def test(db: Database, blobs: BlobStore) -> None:
        _, inbox = await inbox_with(db, blobs, 3)
        info, _ = await db.read(lambda s: entries.snapshot(s, inbox))

        async def store(uids: list[int], mode: str, flags: set[str]) -> list[EntryState]:
            changed, refused = await db.write(
                lambda s: entries.store_flags(s, inbox, uids, mode, frozenset(flags), None)
            )
            assert refused == []
            return changed

        added = await store([1, 2, 3], "+", {"\\seen", "$Label1", "\\Recent"})
        assert [(e.uid, e.flags) for e in added] == [
            (u, frozenset({"\\Seen", "$Label1"})) for u in (1, 2, 3)
        ]
        assert [e.modseq for e in added] == [info.highestmodseq + i for i in (1, 2, 3)]
        assert await store([1, 2, 3], "+", {"\\SEEN"}) == []  # nothing changed, no new MODSEQ
        removed = await store([2], "-", {"$Label1"})
        assert [(e.uid, e.flags) for e in removed] == [(2, SEEN)]
        replaced = await store([3, 99], "", {"\\Flagged", "\\Answered"})
        assert [(e.uid, e.flags) for e in replaced] == [(3, frozenset({"\\Flagged", "\\Answered"}))]
        cleared = await store([1], "", set())
        assert [(e.uid, e.flags) for e in cleared] == [(1, frozenset())]
        after, states = await db.read(lambda s: entries.snapshot(s, inbox))
        assert after.highestmodseq == info.highestmodseq + 6
        assert {e.uid: e.flags for e in states} == {
            1: frozenset(),
            2: SEEN,
            3: frozenset({"\\Flagged", "\\Answered"}),
        }
        with pytest.raises(ValueError):
            await db.write(lambda s: entries.store_flags(s, inbox, [1], "*", SEEN, None))

    run(make_store, test)


def test_unchangedsince_refuses_entries_changed_after_it(make_store):
    async def test(db: Database, blobs: BlobStore) -> None:
        _, inbox = await inbox_with(db, blobs, 3)
        _, states = await db.read(lambda s: entries.snapshot(s, inbox))
        since = states[1].modseq  # UID 2: UIDs 1 and 2 are unchanged since, 3 is newer
        changed, refused = await db.write(
            lambda s: entries.store_flags(s, inbox, [1, 2, 3], "+", SEEN, since)
        )
        assert [e.uid for e in changed] == [1, 2] and refused == [3]
        changed, refused = await db.write(
            lambda s: entries.store_flags(s, inbox, [1, 2, 3], "-", SEEN, 0)
        )
        assert changed == [] and refused == [1, 2, 3]
        _, after = await db.read(lambda s: entries.snapshot(s, inbox))
        assert [e.flags for e in after] == [SEEN, SEEN, frozenset()]

    run(make_store, test)


def test_expunge_leaves_tombstones_that_changes_since_reports(make_store):
    async def test(db: Database, blobs: BlobStore) -> None:
        _, inbox = await inbox_with(db, blobs, 5)
        start, _ = await db.read(lambda s: entries.snapshot(s, inbox))
        await db.write(lambda s: entries.store_flags(s, inbox, [2, 4, 5], "+", DELETED, None))
        marked, _ = await db.read(lambda s: entries.snapshot(s, inbox))
        assert await db.write(lambda s: entries.expunge(s, inbox, [1, 4])) == [4]
        assert await db.write(lambda s: entries.expunge(s, inbox)) == [2, 5]
        assert await db.write(lambda s: entries.expunge(s, inbox)) == []
        info, states = await db.read(lambda s: entries.snapshot(s, inbox))
        assert [e.uid for e in states] == [1, 3]
        assert info.highestmodseq == marked.highestmodseq + 3

        everything = await db.read(lambda s: entries.changes_since(s, inbox, start.highestmodseq))
        assert everything.expunged == [2, 4, 5] and everything.changed == []
        assert everything.highestmodseq == info.highestmodseq
        later = await db.read(lambda s: entries.changes_since(s, inbox, marked.highestmodseq + 1))
        assert later.expunged == [2, 5]
        assert await db.read(lambda s: entries.changes_since(s, inbox, info.highestmodseq)) == (
            entries.Changes(info.highestmodseq, [], [])
        )
        await db.write(lambda s: entries.store_flags(s, inbox, [3], "+", SEEN, None))
        flagged = await db.read(lambda s: entries.changes_since(s, inbox, info.highestmodseq))
        assert [(e.uid, e.flags) for e in flagged.changed] == [(3, SEEN)]
        assert await problems(db, blobs) == []

    run(make_store, test)


def test_copy_gives_new_uids_and_keeps_flags(make_store):
    async def test(db: Database, blobs: BlobStore) -> None:
        owner, inbox = await inbox_with(db, blobs, 4)
        archive = await mailbox_id(db, owner, "Archive")
        await db.write(lambda s: entries.store_flags(s, inbox, [3], "+", SEEN, None))
        before, _ = await db.read(lambda s: entries.snapshot(s, archive))
        uidvalidity, pairs = await db.write(
            lambda s: entries.copy_entries(s, inbox, [3, 1, 99], archive)
        )
        assert uidvalidity == before.uidvalidity and pairs == [(1, 1), (3, 2)]
        _, pairs = await db.write(lambda s: entries.copy_entries(s, inbox, [1], archive))
        assert pairs == [(1, 3)]
        info, copies = await db.read(lambda s: entries.snapshot(s, archive))
        assert [(e.uid, e.flags) for e in copies] == [(1, frozenset()), (2, SEEN), (3, frozenset())]
        assert info.highestmodseq > before.highestmodseq
        _, source = await db.read(lambda s: entries.snapshot(s, inbox))
        assert len(source) == 4  # a copy leaves the source alone
        # Nothing to copy changes nothing.
        assert await db.write(lambda s: entries.copy_entries(s, inbox, [77], archive)) == (
            uidvalidity,
            [],
        )
        unchanged, _ = await db.read(lambda s: entries.snapshot(s, archive))
        assert unchanged == info

    run(make_store, test)


def test_move_removes_from_the_source_with_tombstones(make_store):
    async def test(db: Database, blobs: BlobStore) -> None:
        owner, inbox = await inbox_with(db, blobs, 4)
        trash = await mailbox_id(db, owner, "Trash")
        start, _ = await db.read(lambda s: entries.snapshot(s, inbox))
        uidvalidity, pairs = await db.write(lambda s: entries.move_entries(s, inbox, [2, 4], trash))
        assert pairs == [(2, 1), (4, 2)]
        _, left = await db.read(lambda s: entries.snapshot(s, inbox))
        assert [e.uid for e in left] == [1, 3]
        changes = await db.read(lambda s: entries.changes_since(s, inbox, start.highestmodseq))
        assert changes.expunged == [2, 4]
        info, moved = await db.read(lambda s: entries.snapshot(s, trash))
        assert info.uidvalidity == uidvalidity and [e.uid for e in moved] == [1, 2]
        rows = await db.read(lambda s: entries.fetch_rows(s, trash, [1, 2]))
        originals = await db.read(lambda s: entries.fetch_rows(s, inbox, [1, 3]))
        assert {r.blob_hash for r in rows}.isdisjoint({r.blob_hash for r in originals})
        assert await problems(db, blobs) == []

    run(make_store, test)


def test_fetch_rows_are_ordered_and_skip_missing_uids(make_store):
    async def test(db: Database, blobs: BlobStore) -> None:
        _, inbox = await inbox_with(db, blobs, 5)
        rows = await db.read(lambda s: entries.fetch_rows(s, inbox, [5, 3, 3, 42, 1]))
        assert [r.uid for r in rows] == [1, 3, 5]
        assert all(r.size > 0 and len(r.blob_hash) == 64 for r in rows)
        # More UIDs than any backend takes as parameters, scattered so none make a range.
        scattered = list(range(1, 200_000, 2))
        odd = await db.read(lambda s: entries.fetch_rows(s, inbox, scattered))
        assert [r.uid for r in odd] == [1, 3, 5]
        assert await db.read(lambda s: entries.fetch_rows(s, inbox, [])) == []

    run(make_store, test)


def test_a_missing_mailbox_is_nonexistent(make_store):
    async def test(db: Database, blobs: BlobStore) -> None:
        owner = await user_id(db, "an@songlam.gov.vn")
        made = await db.write(lambda s: folders.create_folder(s, owner, "Tạm"))
        await db.write(lambda s: folders.delete_folder(s, owner, "Tạm"))
        for work in (
            lambda s: entries.snapshot(s, made.id),
            lambda s: entries.changes_since(s, made.id, 0),
            lambda s: entries.store_flags(s, made.id, [1], "+", SEEN, None),
            lambda s: entries.expunge(s, made.id),
        ):
            with pytest.raises(MailboxError) as raised:
                await db.write(work)
            assert raised.value.code == "NONEXISTENT"

    run(make_store, test)
