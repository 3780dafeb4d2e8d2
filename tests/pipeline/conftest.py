"""Pipeline tests run over the store fixtures, on SQLite and on PostgreSQL."""

from tests.store.conftest import make_store  # noqa: F401
