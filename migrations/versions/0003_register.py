"""The document register: documents, entries, counters, search text with a word index, history

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

from govmail.register.textindex import FTS, create_postgres_index, create_sqlite_index

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
NOW = sa.DateTime(timezone=True)


def upgrade() -> None:
    # Not batch mode: rebuilding domains or users on SQLite would cascade to their rows.
    op.add_column("domains", sa.Column("agency_name", sa.Text(), server_default="", nullable=False))
    op.add_column(
        "domains", sa.Column("parent_agency", sa.Text(), server_default="", nullable=False)
    )
    op.add_column(
        "users", sa.Column("register_right", sa.Boolean(), server_default="0", nullable=False)
    )
    op.add_column(
        "mailboxes", sa.Column("read_only", sa.Boolean(), server_default="0", nullable=False)
    )
    _create_documents()
    _create_entries()
    op.create_table(
        "register_counters",
        sa.Column("agency", sa.String(length=253), nullable=False),
        sa.Column("book", sa.String(length=16), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("agency", "book", "year", name=op.f("pk_register_counters")),
    )
    op.create_table(
        "register_text",
        sa.Column("entry_id", Id, autoincrement=False, nullable=False),
        sa.Column("meta", sa.Text(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["register_entries.id"],
            name=op.f("fk_register_text_entry_id_register_entries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("entry_id", name=op.f("pk_register_text")),
    )
    _create_history()
    op.create_table(
        "register_views",
        sa.Column("message_id", Id, autoincrement=False, nullable=False),
        sa.Column("entry_id", Id, nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["messages.id"],
            name=op.f("fk_register_views_message_id_messages"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["register_entries.id"],
            name=op.f("fk_register_views_entry_id_register_entries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("message_id", name=op.f("pk_register_views")),
    )
    op.create_index("ix_register_views_entry_id", "register_views", ["entry_id"])
    if op.get_bind().dialect.name == "sqlite":
        create_sqlite_index(op.execute)
    else:
        create_postgres_index(op.execute)


def _create_documents() -> None:
    op.create_table(
        "documents",
        sa.Column("id", Id, nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", NOW, nullable=False),
        sa.Column("pages", sa.JSON(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("extracted_at", NOW, nullable=True),
        sa.Column("created_at", NOW, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
        sa.UniqueConstraint("sha256", name=op.f("uq_documents_sha256")),
    )
    op.create_index(
        "ix_documents_status_next_attempt_at", "documents", ["status", "next_attempt_at"]
    )


def _create_entries() -> None:
    op.create_table(
        "register_entries",
        sa.Column("id", Id, nullable=False),
        sa.Column("document_id", Id, nullable=False),
        sa.Column("message_id", Id, nullable=True),
        sa.Column("book", sa.String(length=16), nullable=False),
        sa.Column("direction", sa.String(length=16), nullable=False),
        sa.Column("agency", sa.String(length=253), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("serial", sa.Integer(), nullable=True),
        sa.Column("filed_at", NOW, nullable=False),
        sa.Column("filename", sa.Text(), nullable=False),
        sa.Column("declared_type", sa.String(length=200), nullable=False),
        sa.Column("part", sa.String(length=100), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("message_id_header", sa.String(length=998), nullable=True),
        sa.Column("mail_from", sa.String(length=254), nullable=False),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("recognised_at", NOW, nullable=True),
        sa.Column("number", sa.String(length=100), nullable=True),
        sa.Column("number_key", sa.String(length=100), nullable=True),
        sa.Column("doc_type", sa.String(length=100), nullable=True),
        sa.Column("doc_date", sa.Date(), nullable=True),
        sa.Column("issuer", sa.Text(), nullable=True),
        sa.Column("issuer_folded", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("signer", sa.Text(), nullable=True),
        sa.Column("urgency", sa.String(length=30), nullable=True),
        sa.Column("confidentiality", sa.String(length=30), nullable=True),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("warnings", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_register_entries_document_id_documents"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["messages.id"],
            name=op.f("fk_register_entries_message_id_messages"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_register_entries")),
        sa.UniqueConstraint(
            "agency",
            "book",
            "year",
            "serial",
            name=op.f("uq_register_entries_agency_book_year_serial"),
        ),
    )
    for columns in (["document_id"], ["message_id"], ["number_key"], ["doc_date"]):
        op.create_index(f"ix_register_entries_{columns[0]}", "register_entries", columns)
    op.create_index(
        "ix_register_entries_agency_book_year", "register_entries", ["agency", "book", "year"]
    )


def _create_history() -> None:
    op.create_table(
        "register_history",
        sa.Column("id", Id, nullable=False),
        sa.Column("entry_id", Id, nullable=True),
        sa.Column("at", NOW, nullable=False),
        sa.Column("actor", sa.String(length=254), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["register_entries.id"],
            name=op.f("fk_register_history_entry_id_register_entries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_register_history")),
    )
    op.create_index("ix_register_history_entry_id", "register_history", ["entry_id"])
    op.create_index("ix_register_history_at", "register_history", ["at"])


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("register_text_ai", "register_text_ad", "register_text_au"):
            op.execute(f"DROP TRIGGER {trigger}")
        op.execute(f"DROP TABLE {FTS}")
    op.drop_index("ix_register_views_entry_id", table_name="register_views")
    op.drop_table("register_views")
    op.drop_table("register_history")
    op.drop_table("register_text")
    op.drop_table("register_counters")
    op.drop_table("register_entries")
    op.drop_table("documents")
    op.drop_column("mailboxes", "read_only")
    op.drop_column("users", "register_right")
    op.drop_column("domains", "parent_agency")
    op.drop_column("domains", "agency_name")
