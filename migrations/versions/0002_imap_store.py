"""IMAP store: expunge tombstones, search text with a trigram index, UIDVALIDITY counter

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

from govmail.store.textindex import header_text, index_row

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TEXT_COLUMNS = ("subject", "from_addrs", "to_addrs", "cc_addrs", "bcc_addrs", "body", "headers")
FTS = "message_text_fts"


def upgrade() -> None:
    # Not batch mode: rebuilding users on SQLite would cascade-delete every mailbox.
    op.add_column(
        "users", sa.Column("last_uidvalidity", sa.BigInteger(), server_default="0", nullable=False)
    )
    op.execute(
        "UPDATE users SET last_uidvalidity = COALESCE("
        "(SELECT MAX(uidvalidity) FROM mailboxes WHERE mailboxes.user_id = users.id), 0)"
    )
    op.create_table(
        "tombstones",
        sa.Column("mailbox_id", Id, nullable=False),
        sa.Column("uid", sa.BigInteger(), nullable=False),
        sa.Column("modseq", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["mailbox_id"],
            ["mailboxes.id"],
            name=op.f("fk_tombstones_mailbox_id_mailboxes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("mailbox_id", "uid", name=op.f("pk_tombstones")),
    )
    op.create_index("ix_tombstones_mailbox_id_modseq", "tombstones", ["mailbox_id", "modseq"])
    op.create_table(
        "message_text",
        sa.Column("message_id", Id, autoincrement=False, nullable=False),
        *(sa.Column(name, sa.Text(), nullable=False) for name in TEXT_COLUMNS),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["messages.id"],
            name=op.f("fk_message_text_message_id_messages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("message_id", name=op.f("pk_message_text")),
    )
    if op.get_bind().dialect.name == "sqlite":
        _create_fts5()
    else:
        _create_trigram_indexes()
    _index_existing_messages()


def _create_fts5() -> None:
    # External content: the text is kept once, in message_text; triggers keep the index in
    # step. case_sensitive 1 because the text is folded already: matches are exact substrings.
    columns = ", ".join(TEXT_COLUMNS)
    new = ", ".join(f"new.{name}" for name in TEXT_COLUMNS)
    old = ", ".join(f"old.{name}" for name in TEXT_COLUMNS)
    op.execute(
        f"CREATE VIRTUAL TABLE {FTS} USING fts5({columns}, content='message_text', "
        "content_rowid='message_id', tokenize='trigram case_sensitive 1')"
    )
    insert = f"INSERT INTO {FTS}(rowid, {columns}) VALUES (new.message_id, {new});"
    remove = f"INSERT INTO {FTS}({FTS}, rowid, {columns}) VALUES ('delete', old.message_id, {old});"
    op.execute(f"CREATE TRIGGER message_text_ai AFTER INSERT ON message_text BEGIN {insert} END")
    op.execute(f"CREATE TRIGGER message_text_ad AFTER DELETE ON message_text BEGIN {remove} END")
    op.execute(
        f"CREATE TRIGGER message_text_au AFTER UPDATE ON message_text BEGIN {remove} {insert} END"
    )


def _create_trigram_indexes() -> None:
    # pg_trgm is a trusted extension: the database owner may create it.
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name in TEXT_COLUMNS:
        op.execute(
            f"CREATE INDEX ix_message_text_{name}_trgm ON message_text "
            f"USING gin ({name} gin_trgm_ops)"
        )


def _index_existing_messages() -> None:
    """Messages from before this revision get what the database knows of them (subject and
    From); their bodies stay unindexed, as parsing them needs the blob store."""
    messages = sa.table("messages", sa.column("id"), sa.column("subject"), sa.column("from_header"))
    text = sa.table("message_text", *(sa.column(name) for name in ("message_id", *TEXT_COLUMNS)))
    bind = op.get_bind()
    rows = bind.execute(sa.select(messages.c.id, messages.c.subject, messages.c.from_header))
    for batch in rows.partitions(1000):
        values = [
            index_row(
                {
                    "subject": subject,
                    "from": from_header,
                    "headers": header_text([("Subject", subject), ("From", from_header)]),
                }
            )
            | {"message_id": id_}
            for id_, subject, from_header in batch
        ]
        bind.execute(sa.insert(text), values)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("message_text_ai", "message_text_ad", "message_text_au"):
            op.execute(f"DROP TRIGGER {trigger}")
        op.execute(f"DROP TABLE {FTS}")
    op.drop_table("message_text")
    op.drop_index("ix_tombstones_mailbox_id_modseq", table_name="tombstones")
    op.drop_table("tombstones")
    op.drop_column("users", "last_uidvalidity")
