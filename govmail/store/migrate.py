"""Schema migrations: alembic, driven over govmail's own database connection."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

from govmail.store.db import Database

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "migrations/versions holds no revision"
    return head


async def upgrade(db: Database) -> None:
    """Bring the schema to the newest revision."""
    await db.connection(_upgrade)


async def is_current(db: Database) -> bool:
    current = await db.connection(
        lambda conn: MigrationContext.configure(conn).get_current_revision()
    )
    return current == head_revision()


def _upgrade(connection: Connection) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, "head")
