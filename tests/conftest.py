"""Shared fixtures: a PostgreSQL cluster, and provisioned govmail servers per backend."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.postgres import PostgresCluster, postgres_cluster  # noqa: F401
from tests.support.server import GovmailServer, provision, write_config

BACKENDS = ("sqlite", "postgresql")
_names = itertools.count(1)


def database_for(backend: str, request: pytest.FixtureRequest) -> str | None:
    """A fresh database URL for *backend* (None: the default SQLite file in the data dir)."""
    if backend == "sqlite":
        return None
    cluster: PostgresCluster = request.getfixturevalue("postgres_cluster")
    return cluster.create_database(f"govmail_{next(_names)}")


def new_server(
    root: Path, backend: str, request: pytest.FixtureRequest, **options: object
) -> GovmailServer:
    config, ports = write_config(root, database_url=database_for(backend, request), **options)
    return GovmailServer(config, ports)


def running_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[GovmailServer]:
    root = tmp_path_factory.mktemp(f"govmail-{request.param}")
    server = new_server(root, request.param, request, max_failures=3)
    provision(server)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module", params=BACKENDS)
def smtp_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[GovmailServer]:
    """A running, provisioned server shared by one test module, once per backend."""
    yield from running_server(request, tmp_path_factory)


@pytest.fixture(scope="package", params=BACKENDS)
def imap_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[GovmailServer]:
    """One server per backend for all IMAP tests, each of which works as a user of its own."""
    yield from running_server(request, tmp_path_factory)
