"""The store on SQLite and PostgreSQL: migrations, UID allocation under concurrency, group commit,
single storage of a message, failure isolation, and the consistency checks."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import delete, event, func, select
from sqlalchemy.orm import Session

from govmail.store.blobs import BlobStore
from govmail.store.check import problems
from govmail.store.commit import Committer
from govmail.store.db import Database
from govmail.store.entries import search_text
from govmail.store.folders import get_mailbox
from govmail.store.migrate import alembic_config
from govmail.store.models import (
    Base,
    Mailbox,
    MailboxEntry,
    Message,
    MessageText,
    QueueEntry,
    Tombstone,
)
from govmail.store.textindex import modelled
from tests.store.helpers import new_message, run, user_id


def test_migrations_match_the_models(make_store):
    async def test(db: Database, _: BlobStore) -> list[Any]:
        def compare(conn: Any) -> list[Any]:
            context = MigrationContext.configure(conn, opts={"include_name": modelled})
            return compare_metadata(context, Base.metadata)

        return await db.connection(compare)

    assert run(make_store, test) == []


@pytest.mark.parametrize("group", [True, False], ids=["group", "single"])
def test_concurrent_deliveries_get_gap_free_uids(make_store, group):
    async def test(db: Database, blobs: BlobStore) -> tuple[list[int], list[int], int]:
        uid_owner = await user_id(db, "an@songlam.gov.vn")
        committer = Committer(db, blobs, group=group, max_batch=32)
        committer.start()
        await asyncio.gather(*(committer.commit(new_message([uid_owner], n=i)) for i in range(200)))
        await committer.stop()

        def inbox(session: Session) -> tuple[list[int], list[int], int]:
            rows = session.execute(
                select(MailboxEntry.uid, MailboxEntry.modseq)
                .join(Mailbox)
                .where(Mailbox.user_id == uid_owner, Mailbox.name == "INBOX")
                .order_by(MailboxEntry.uid)
            ).all()
            uidnext = session.scalar(
                select(Mailbox.uidnext).where(Mailbox.user_id == uid_owner, Mailbox.name == "INBOX")
            )
            return [r.uid for r in rows], [r.modseq for r in rows], uidnext

        return await db.read(inbox)

    uids, modseqs, uidnext = run(make_store, test)
    assert uids == list(range(1, 201))
    assert modseqs == sorted(set(modseqs)) and len(modseqs) == 200
    assert uidnext == 201


def test_group_commit_shares_transactions(make_store):
    async def test(db: Database, blobs: BlobStore) -> int:
        owner = await user_id(db, "an@songlam.gov.vn")
        commits = 0

        def count(_conn: Any) -> None:
            nonlocal commits
            commits += 1

        engine = db.sync_engine if db.is_sqlite else db.async_engine.sync_engine
        event.listen(engine, "commit", count)
        committer = Committer(db, blobs, group=True, max_batch=64)
        committer.start()
        await asyncio.gather(*(committer.commit(new_message([owner], n=i)) for i in range(100)))
        await committer.stop()
        return commits

    assert run(make_store, test) < 50


def test_a_message_for_many_users_is_stored_once_and_remote_ones_queued(make_store):
    async def test(db: Database, blobs: BlobStore) -> tuple[int, int, list[str]]:
        owners = [await user_id(db, f"u{i}@songlam.gov.vn") for i in range(3)]
        committer = Committer(db, blobs, group=False, max_batch=1)
        message = new_message(owners, remote=["a@bocongan.gov.vn", "b@gmail.com"])
        message_id = await committer.commit(message)

        def counts(session: Session) -> tuple[int, int, list[str]]:
            messages = session.scalar(select(func.count()).select_from(Message))
            entries = session.scalar(
                select(func.count()).where(MailboxEntry.message_id == message_id)
            )
            return messages, entries, sorted(session.scalars(select(QueueEntry.domain)))

        assert blobs.get(blobs.digest(message.raw)) == message.raw
        return await db.read(counts)

    assert run(make_store, test) == (1, 3, ["bocongan.gov.vn", "gmail.com"])


def test_one_failing_message_does_not_fail_its_batch(make_store):
    async def test(db: Database, blobs: BlobStore) -> list[Any]:
        owner = await user_id(db, "an@songlam.gov.vn")
        committer = Committer(db, blobs, group=True, max_batch=16)
        committer.start()
        messages = [new_message([owner], n=i) for i in range(8)]
        messages[3] = new_message([987654], n=3)  # no such user: the insert fails
        results = await asyncio.gather(
            *(committer.commit(m) for m in messages), return_exceptions=True
        )
        await committer.stop()
        return results

    results = run(make_store, test)
    assert isinstance(results[3], Exception)
    assert all(isinstance(r, int) for i, r in enumerate(results) if i != 3)


def test_store_check_finds_damaged_blobs(make_store):
    async def test(db: Database, blobs: BlobStore) -> tuple[list[str], list[str]]:
        owner = await user_id(db, "an@songlam.gov.vn")
        committer = Committer(db, blobs, group=False, max_batch=1)
        message = new_message([owner])
        await committer.commit(message)
        before = await problems(db, blobs)
        path = blobs.path_for(blobs.digest(message.raw))
        path.write_bytes(path.read_bytes().replace(b"dung", b"DUNG"))
        return before, await problems(db, blobs)

    before, after = run(make_store, test)
    assert before == []
    assert len(after) == 1 and "damaged" in after[0]


def test_blob_store_is_content_addressed_and_refuses_other_names(tmp_path: Path):
    blobs = BlobStore(tmp_path)
    digest = blobs.put(b"v\xc4\x83n b\xe1\xba\xa3n")
    assert blobs.put(b"v\xc4\x83n b\xe1\xba\xa3n") == digest
    assert blobs.path_for(digest).parent.name == digest[:2]
    assert list((tmp_path / "tmp").iterdir()) == []
    for bad in ("../../etc/passwd", "A" * 64, digest[:-1], digest + "0"):
        with pytest.raises(ValueError):
            blobs.path_for(bad)


def test_store_check_finds_unindexed_messages_and_bad_tombstones(make_store):
    async def test(db: Database, blobs: BlobStore) -> tuple[list[str], list[str]]:
        owner = await user_id(db, "an@songlam.gov.vn")
        committer = Committer(db, blobs, group=False, max_batch=1)
        message_id = await committer.commit(new_message([owner]))
        before = await problems(db, blobs)

        def damage(session: Session) -> None:
            inbox = session.scalar(
                select(Mailbox.id).where(Mailbox.user_id == owner, Mailbox.name == "INBOX")
            )
            session.execute(delete(MessageText).where(MessageText.message_id == message_id))
            session.add(Tombstone(mailbox_id=inbox, uid=1, modseq=10**6))

        await db.write(damage)
        return before, await problems(db, blobs)

    before, after = run(make_store, test)
    assert before == []
    assert any("1 message(s) without search text" in p for p in after)
    assert any("expunged MODSEQ above HIGHESTMODSEQ" in p for p in after)
    assert any("UID 1 both expunged and present" in p for p in after)


def test_migrating_an_older_database_indexes_its_messages(make_store):
    """0001 → head indexes existing subjects; head → 0001 → head round-trips."""

    def migrate(conn: Any, revision: str, down: bool = False) -> None:
        config = alembic_config()
        config.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(config, revision)

    async def test(db: Database, blobs: BlobStore) -> tuple[set[int], list[str]]:
        owner = await user_id(db, "an@songlam.gov.vn")
        await Committer(db, blobs, group=False, max_batch=1).commit(new_message([owner], n=7))
        await db.connection(lambda conn: migrate(conn, "0001", down=True))
        await db.connection(lambda conn: migrate(conn, "head"))
        inbox = await db.read(lambda s: get_mailbox(s, owner, "INBOX"))
        assert inbox is not None
        found = await db.read(lambda s: search_text(s, inbox.id, "SUBJECT", "THU 7"))
        return found, await problems(db, blobs)

    assert run(make_store, test) == ({1}, [])
