"""Pipeline.append (IMAP APPEND) and accept() on SQLite and PostgreSQL: the message goes
through the stages into the chosen mailbox, flagged, indexed, byte for byte."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from govmail.accounts.directory import Directory
from govmail.pipeline.accept import Pipeline
from govmail.pipeline.envelope import Client, Envelope
from govmail.store import entries, folders
from govmail.store.blobs import BlobStore
from govmail.store.commit import Committer
from govmail.store.db import Database
from govmail.store.folders import MailboxError
from govmail.store.models import Message
from tests.store.helpers import mailbox_id, run, user_id

RAW = (
    "From: Nguyễn Văn An <an@songlam.gov.vn>\r\nTo: binh@songlam.gov.vn\r\n"
    "Subject: Bản nháp công văn\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
    "Dự thảo gửi Sở Tài chính.\r\n"
).encode()
WHEN = datetime(2026, 11, 20, 8, 30, tzinfo=timezone(timedelta(hours=7)))  # Hà Nội time


def pipeline(db: Database, blobs: BlobStore, group: bool) -> tuple[Pipeline, Committer]:
    committer = Committer(db, blobs, group=group, max_batch=8)
    committer.start()
    return Pipeline(Directory(db), committer, "mail.songlam.gov.vn"), committer


@pytest.mark.parametrize("group", [True, False], ids=["group", "single"])
def test_append_stores_into_the_mailbox_with_flags_and_returns_the_uid(make_store, group):
    async def test(db: Database, blobs: BlobStore) -> None:
        owner = await user_id(db, "an@songlam.gov.vn")
        drafts = await mailbox_id(db, owner, "Drafts")
        accept, committer = pipeline(db, blobs, group)
        first = await accept.append(
            "An@songlam.gov.vn", drafts, "\\draft \\Recent $Todo", WHEN, RAW
        )
        second = await accept.append("an@songlam.gov.vn", drafts, "", None, RAW)
        await committer.stop()

        info, states = await db.read(lambda s: entries.snapshot(s, drafts))
        assert first == (info.uidvalidity, 1) and second == (info.uidvalidity, 2)
        assert [e.flags for e in states] == [frozenset({"\\Draft", "$Todo"}), frozenset()]
        assert info.highestmodseq == max(e.modseq for e in states)
        rows = await db.read(lambda s: entries.fetch_rows(s, drafts, [1, 2]))
        assert rows[0].internal_date == WHEN and rows[1].internal_date > WHEN
        assert rows[0].internal_date.tzinfo == UTC  # the same instant, on either backend
        assert blobs.get(rows[0].blob_hash) == RAW  # byte for byte: no Received header
        stored = await db.read(lambda s: s.scalars(select(Message.client)).all())
        assert [c["door"] for c in stored] == ["imap", "imap"]
        found = await db.read(lambda s: entries.search_text(s, drafts, "BODY", "du thao gui so"))
        assert found == {1, 2}
        inbox = await mailbox_id(db, owner)
        _, delivered = await db.read(lambda s: entries.snapshot(s, inbox))
        assert delivered == []  # APPEND puts the message in its mailbox only

    run(make_store, test)


def test_append_into_a_mailbox_that_is_gone_or_not_yours_asks_to_create(make_store):
    async def test(db: Database, blobs: BlobStore) -> list[str]:
        owner = await user_id(db, "an@songlam.gov.vn")
        other = await user_id(db, "binh@songlam.gov.vn")
        made = await db.write(lambda s: folders.create_folder(s, owner, "Tạm"))
        await db.write(lambda s: folders.delete_folder(s, owner, "Tạm"))
        theirs = await mailbox_id(db, other)
        accept, committer = pipeline(db, blobs, True)
        codes = []
        for address, target in (
            ("an@songlam.gov.vn", made.id),
            ("an@songlam.gov.vn", theirs),
            ("nobody@songlam.gov.vn", theirs),
        ):
            with pytest.raises(MailboxError) as raised:
                await accept.append(address, target, "", None, RAW)
            codes.append(raised.value.code)
        await committer.stop()
        _, left = await db.read(lambda s: entries.snapshot(s, theirs))
        assert left == []
        return codes

    assert run(make_store, test) == ["TRYCREATE", "TRYCREATE", "NONEXISTENT"]


def test_accepted_mail_is_searchable_in_every_recipients_inbox(make_store):
    async def test(db: Database, blobs: BlobStore) -> None:
        an = await user_id(db, "an@songlam.gov.vn")
        binh = await user_id(db, "binh@songlam.gov.vn")
        accept, committer = pipeline(db, blobs, True)
        envelope = Envelope(
            mail_from="vanthu@tinhkhac.gov.vn",
            recipients=["an@songlam.gov.vn", "binh@songlam.gov.vn"],
            client=Client(ip="192.0.2.1", door="mx"),
        )
        verdict = await accept.accept(envelope, RAW)
        await committer.stop()
        assert verdict.code == 250
        for owner in (an, binh):
            inbox = await mailbox_id(db, owner)
            for field, needle in (("SUBJECT", "ban nhap cong van"), ("FROM", "nguyen van an")):
                found = await db.read(
                    lambda s, f=field, n=needle, i=inbox: entries.search_text(s, i, f, n)
                )
                assert found == {1}, (owner, field)

    run(make_store, test)
