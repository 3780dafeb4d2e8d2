"""Change notification: subscriptions wake on their mailbox only, lose nothing published
before they wait, and hear of every delivery the Committer makes."""

from __future__ import annotations

import asyncio
import time

import pytest

from govmail.store.blobs import BlobStore
from govmail.store.commit import Committer
from govmail.store.db import Database
from govmail.store.notify import Notifier
from tests.store.helpers import mailbox_id, new_message, run, user_id


def test_publish_wakes_a_waiting_subscription_of_that_mailbox_only():
    async def test() -> tuple[bool, bool, float]:
        notifier = Notifier()
        mine, other = notifier.subscribe(1), notifier.subscribe(2)
        waiting = asyncio.create_task(mine.wait(5))
        await asyncio.sleep(0)
        started = time.monotonic()
        notifier.publish([1, 3])
        woke = await waiting
        return woke, await other.wait(0.05), time.monotonic() - started

    woke, other_woke, took = asyncio.run(test())
    assert woke and not other_woke and took < 1


def test_a_change_published_before_waiting_is_not_lost_and_counts_once():
    async def test() -> list[bool]:
        notifier = Notifier()
        subscription = notifier.subscribe(7)
        notifier.publish([7])
        notifier.publish([7])
        return [await subscription.wait(0.05), await subscription.wait(0.05)]

    assert asyncio.run(test()) == [True, False]


def test_a_closed_subscription_hears_nothing_and_others_still_do():
    async def test() -> tuple[bool, bool]:
        notifier = Notifier()
        closed, kept = notifier.subscribe(1), notifier.subscribe(1)
        closed.close()
        notifier.publish([1])
        return await closed.wait(0.05), await kept.wait(0.05)

    assert asyncio.run(test()) == (False, True)


@pytest.mark.parametrize("group", [True, False], ids=["group", "single"])
def test_the_committer_publishes_the_mailboxes_it_delivered_into(make_store, group):
    async def test(db: Database, blobs: BlobStore) -> tuple[bool, bool, bool]:
        an = await user_id(db, "an@songlam.gov.vn")
        binh = await user_id(db, "binh@songlam.gov.vn")
        chi = await user_id(db, "chi@songlam.gov.vn")
        notifier = Notifier()
        listening = [notifier.subscribe(await mailbox_id(db, user)) for user in (an, binh, chi)]
        committer = Committer(db, blobs, group=group, max_batch=8, notifier=notifier)
        committer.start()
        waits = [asyncio.create_task(s.wait(1.0)) for s in listening]
        await committer.commit(new_message([an, binh]))
        await committer.stop()
        an_woke, binh_woke, chi_woke = await asyncio.gather(*waits)
        return an_woke, binh_woke, chi_woke

    assert run(make_store, test) == (True, True, False)
