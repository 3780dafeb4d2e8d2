"""Proves the throwaway PostgreSQL cluster really starts, serves, isolates and restarts."""
# Test parameters named after the imported fixture look like redefinitions to ruff.
# ruff: noqa: F811

from __future__ import annotations

import asyncio
import socket
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from tests.support import postgres
from tests.support.postgres import PostgresCluster, postgres_cluster  # noqa: F401


async def _fetchval(url: str, query: str, *args: Any) -> Any:
    conn = await asyncpg.connect(url, timeout=10)
    try:
        return await conn.fetchval(query, *args)
    finally:
        await conn.close()


async def _execute(url: str, *statements: str) -> None:
    conn = await asyncpg.connect(url, timeout=10)
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


def fetchval(url: str, query: str, *args: Any) -> Any:
    return asyncio.run(_fetchval(url, query, *args))


def execute(url: str, *statements: str) -> None:
    asyncio.run(_execute(url, *statements))


def _port_accepts(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_find_postgres_bin_has_server_tools() -> None:
    bin_dir = postgres.find_postgres_bin()
    assert bin_dir is not None
    for name in ("initdb", "pg_ctl", "postgres"):
        assert (bin_dir / name).is_file()


def test_missing_binaries_fail_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(postgres, "find_postgres_bin", lambda: None)
    with pytest.raises(pytest.fail.Exception, match="make test"):
        postgres.require_postgres_bin()


def test_database_accepts_asyncpg_connection(postgres_cluster: PostgresCluster) -> None:
    url = postgres_cluster.create_database("conn_check")
    assert url == f"postgresql://govmail@127.0.0.1:{postgres_cluster.port}/conn_check"
    assert url.startswith(postgres_cluster.url_base + "/")
    query = "SELECT current_user || ' ' || current_database() || ' ' || host(inet_server_addr())"
    assert fetchval(url, query) == "govmail conn_check 127.0.0.1"
    assert fetchval(url, "SELECT 6 * 7") == 42


def test_unaccent_strips_vietnamese_diacritics(postgres_cluster: PostgresCluster) -> None:
    url = postgres_cluster.create_database("unaccent_check")
    assert fetchval(url, "SELECT unaccent($1::text)", "Đà Nẵng") == "Da Nang"
    assert fetchval(url, "SHOW server_encoding") == "UTF8"


def test_fsync_is_on(postgres_cluster: PostgresCluster) -> None:
    url = postgres_cluster.create_database("fsync_check")
    assert fetchval(url, "SHOW fsync") == "on"


def test_databases_are_independent(postgres_cluster: PostgresCluster) -> None:
    first = postgres_cluster.create_database("indep_a")
    second = postgres_cluster.create_database("indep_b")
    execute(first, "CREATE TABLE only_here (v text)", "INSERT INTO only_here VALUES ('a')")
    assert fetchval(first, "SELECT count(*) FROM only_here") == 1
    assert fetchval(second, "SELECT to_regclass('only_here')") is None


def test_drop_database_removes_it(postgres_cluster: PostgresCluster) -> None:
    url = postgres_cluster.create_database("doomed")
    keeper = postgres_cluster.create_database("keeper")
    assert fetchval(url, "SELECT 1") == 1
    postgres_cluster.drop_database("doomed")
    with pytest.raises(asyncpg.InvalidCatalogNameError):
        fetchval(url, "SELECT 1")
    assert fetchval(keeper, "SELECT count(*) FROM pg_database WHERE datname = 'doomed'") == 0
    postgres_cluster.drop_database("doomed")  # dropping twice is harmless


def test_rejects_unsafe_database_names(postgres_cluster: PostgresCluster) -> None:
    with pytest.raises(ValueError):
        postgres_cluster.create_database('x"; DROP ROLE govmail; --')


def test_second_cluster_stops_and_restarts_with_data(
    postgres_cluster: PostgresCluster, tmp_path: Path
) -> None:
    second = PostgresCluster(tmp_path / "second")
    try:
        second.start()
        assert second.port != postgres_cluster.port
        url = second.create_database("durable")
        execute(url, "CREATE TABLE kept (v text)", "INSERT INTO kept VALUES ('survives')")
        port = second.port

        second.stop()
        assert not _port_accepts(port)
        second.stop()  # idempotent

        second.start()
        assert second.port == port
        assert fetchval(url, "SELECT v FROM kept") == "survives"
        assert fetchval(postgres_cluster.create_database("still_up"), "SELECT 1") == 1
    finally:
        second.destroy()
    assert not _port_accepts(port)
