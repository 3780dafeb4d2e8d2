"""The database and its transactions: SQLite (WAL, synchronous=FULL) or PostgreSQL, one API.

Store code is plain synchronous SQLAlchemy over a Session. On SQLite a whole transaction runs
in one worker thread with the sqlite3 driver (one thread hop per transaction, not several per
statement); on PostgreSQL the same function runs over asyncpg through AsyncSession.run_sync.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Connection, create_engine, event, text
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session

T = TypeVar("T")

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    # FULL: a commit is on disk before it returns, which the 250 reply promises.
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=30000",
)


class Database:
    """Runs store functions in read or write transactions."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            self.sync_engine = create_engine(
                url, connect_args={"check_same_thread": False}, pool_size=8, max_overflow=8
            )
            _configure_sqlite(self.sync_engine)
        else:
            self.async_engine = create_async_engine(url, pool_size=10, max_overflow=20)
            self.sessions = async_sessionmaker(self.async_engine, expire_on_commit=False)
            # One snapshot per read, as a SQLite read transaction has: a mailbox's counters and
            # its entries, read by two statements, then agree.
            snapshot = self.async_engine.execution_options(isolation_level="REPEATABLE READ")
            self.read_sessions = async_sessionmaker(snapshot, expire_on_commit=False)
        # SQLite has one writer: queueing writers here keeps worker threads off busy_timeout.
        self._write_lock = asyncio.Lock() if self.is_sqlite else None

    async def read(self, work: Callable[[Session], T]) -> T:
        if self.is_sqlite:
            return await asyncio.to_thread(self._sqlite, work, False)
        async with self.read_sessions() as session:
            return await session.run_sync(work)

    async def write(self, work: Callable[[Session], T]) -> T:
        """Run *work* in a transaction that commits when it returns, rolls back if it raises."""
        if self._write_lock is not None:
            async with self._write_lock:
                return await asyncio.to_thread(self._sqlite, work, True)
        async with self.sessions() as session, session.begin():
            return await session.run_sync(work)

    async def connection(self, work: Callable[[Connection], T]) -> T:
        """Run *work* on a bare connection in a transaction (schema migrations)."""
        if self.is_sqlite:
            return await asyncio.to_thread(self._sqlite_connection, work)
        async with self.async_engine.begin() as conn:
            return await conn.run_sync(work)

    async def close(self) -> None:
        if self.is_sqlite:
            await asyncio.to_thread(self.sync_engine.dispose)
        else:
            await self.async_engine.dispose()

    async def schema_revision(self) -> str | None:
        def revision(session: Session) -> str | None:
            try:
                return session.scalar(text("SELECT version_num FROM alembic_version"))
            except Exception:  # no table yet means no schema
                return None

        return await self.read(revision)

    async def integrity_problems(self) -> list[str]:
        """The backend's own consistency check; empty when the database is sound."""
        return await self.read(self._integrity)

    def _integrity(self, session: Session) -> list[str]:
        if self.is_sqlite:
            rows = session.scalars(text("PRAGMA integrity_check")).all()
            fk = session.execute(text("PRAGMA foreign_key_check")).all()
            problems = [row for row in rows if row != "ok"]
            return problems + [f"foreign key violation: {tuple(row)}" for row in fk]
        # PostgreSQL keeps pages consistent itself; make sure every table can be read whole.
        tables = session.scalars(
            text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        ).all()
        for table in tables:
            session.execute(text(f'SELECT count(*) FROM "{table}"'))
        return []

    def _sqlite(self, work: Callable[[Session], T], immediate: bool) -> T:
        with self.sync_engine.connect() as conn:
            # BEGIN IMMEDIATE takes the write lock up front, so a writer never has to upgrade
            # a read lock and fail with SQLITE_BUSY against another process.
            conn = conn.execution_options(immediate=immediate)
            with conn.begin(), Session(bind=conn, expire_on_commit=False) as session:
                result = work(session)
                session.flush()
                return result

    def _sqlite_connection(self, work: Callable[[Connection], T]) -> T:
        with self.sync_engine.begin() as conn:
            return work(conn)


def _configure_sqlite(engine: Any) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get("immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
