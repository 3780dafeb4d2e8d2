"""Store fixtures: a migrated database with one local domain, on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from govmail.accounts import admin
from govmail.store.blobs import BlobStore
from govmail.store.db import Database
from govmail.store.migrate import upgrade
from tests.conftest import BACKENDS, database_for


@pytest.fixture(params=BACKENDS)
def make_store(request, tmp_path) -> Callable[[], Any]:
    """An async context factory yielding (Database, BlobStore) with the schema migrated."""
    url = database_for(request.param, request)
    sqlalchemy_url = (
        f"sqlite:///{tmp_path}/govmail.db"
        if url is None
        else url.replace("postgresql://", "postgresql+asyncpg://")
    )

    async def factory() -> AsyncIterator[tuple[Database, BlobStore]]:
        db = Database(sqlalchemy_url)
        await upgrade(db)
        await admin.add_domain(db, "songlam.gov.vn")
        try:
            yield db, BlobStore(tmp_path / "blobs")
        finally:
            await db.close()

    return factory
