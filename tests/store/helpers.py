"""Helpers for store tests: run an async test on a fresh store, add users, deliver messages."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from govmail.accounts import admin
from govmail.store.blobs import BlobStore
from govmail.store.commit import Committer, NewMessage
from govmail.store.db import Database
from govmail.store.folders import get_mailbox
from govmail.store.models import User


def run(factory: Callable[[], Any], test: Callable[[Database, BlobStore], Any]) -> Any:
    async def go() -> Any:
        async for db, blobs in factory():
            return await test(db, blobs)

    return asyncio.run(go())


def new_message(
    user_ids: list[int],
    remote: list[str] | None = None,
    n: int = 0,
    search_text: dict[str, str] | None = None,
) -> NewMessage:
    raw = f"Subject: thư {n}\r\nMessage-ID: <{n}@x>\r\n\r\nnội dung {n}\r\n".encode()
    return NewMessage(
        raw=raw,
        mail_from="x@tinhkhac.gov.vn",
        recipients=["an@songlam.gov.vn"],
        local_user_ids=user_ids,
        remote_recipients=remote or [],
        message_id=f"<{n}@x>",
        subject=f"thư {n}",
        search_text=search_text or {"subject": f"thư {n}", "body": f"nội dung {n}"},
    )


async def user_id(db: Database, address: str) -> int:
    await admin.add_user(db, address, "password-123")
    return await db.read(lambda s: s.scalar(select(User.id).where(User.address == address)))


async def mailbox_id(db: Database, owner: int, name: str = "INBOX") -> int:
    info = await db.read(lambda s: get_mailbox(s, owner, name))
    assert info is not None, name
    return info.id


async def deliver(
    db: Database, blobs: BlobStore, messages: list[NewMessage], group: bool = False
) -> list[int]:
    """Commit *messages*, concurrently; returns their message ids in order."""
    committer = Committer(db, blobs, group=group, max_batch=32)
    committer.start()
    try:
        return list(await asyncio.gather(*(committer.commit(m) for m in messages)))
    finally:
        await committer.stop()
