"""The register's word index: folded rows per entry, and ranked matches over them (SQLite FTS5
with bm25, PostgreSQL tsvector with ts_rank); metadata weighs more than content."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Select, bindparam, column, func, literal_column, select, table
from sqlalchemy.orm import Session

from govmail.store.fold import fold

FTS = "register_text_fts"
# PostgreSQL's stored tsvector of register_text; the migration adds it outside the models.
PG_COLUMN = "search_vector"
# What an entry's metadata text is made of, in order.
META_FIELDS = (
    "number",
    "type",
    "issuer",
    "parent_issuer",
    "summary",
    "signer",
    "signer_title",
    "place",
    "date",
    "urgency",
    "confidentiality",
    "filename",
    "subject",
    "mail_from",
)
# A tsvector holds at most 1 MiB; the first pages say what a document is about anyway.
MAX_INDEXED_CONTENT = 200_000
# bm25 weights of (meta, content).
_META_WEIGHT = 4.0
_CONTENT_WEIGHT = 1.0
_PG_VECTOR = (
    "(setweight(to_tsvector('simple', meta), 'A') || "
    f"setweight(to_tsvector('simple', left(content, {MAX_INDEXED_CONTENT})), 'B'))"
)
_WORD = re.compile(r"\w+")
_fts = table(FTS, column("rowid"))


def create_sqlite_index(execute: Callable[[str], Any]) -> None:
    """The FTS5 table over register_text and the triggers that keep it in step. The text is
    folded before it is stored, so the tokenizer only splits words."""
    execute(
        f"CREATE VIRTUAL TABLE {FTS} USING fts5(meta, content, content='register_text', "
        "content_rowid='entry_id', tokenize='unicode61 remove_diacritics 0')"
    )
    insert = (
        f"INSERT INTO {FTS}(rowid, meta, content) VALUES (new.entry_id, new.meta, new.content);"
    )
    remove = (
        f"INSERT INTO {FTS}({FTS}, rowid, meta, content) "
        "VALUES ('delete', old.entry_id, old.meta, old.content);"
    )
    execute(f"CREATE TRIGGER register_text_ai AFTER INSERT ON register_text BEGIN {insert} END")
    execute(f"CREATE TRIGGER register_text_ad AFTER DELETE ON register_text BEGIN {remove} END")
    execute(
        f"CREATE TRIGGER register_text_au AFTER UPDATE ON register_text BEGIN {remove} {insert} END"
    )


def create_postgres_index(execute: Callable[[str], Any]) -> None:
    """A stored tsvector column kept by PostgreSQL itself, and its GIN index: ranking reads the
    stored vector instead of parsing every matching document again."""
    execute(
        f"ALTER TABLE register_text ADD COLUMN {PG_COLUMN} tsvector "
        f"GENERATED ALWAYS AS {_PG_VECTOR} STORED"
    )
    execute(f"CREATE INDEX ix_register_text_tsv ON register_text USING gin ({PG_COLUMN})")


def text_row(meta: Mapping[str, str | None], content: str) -> dict[str, str]:
    """The register_text values (entry_id aside) for an entry's metadata and document text."""
    joined = "\n".join(value for name in META_FIELDS if (value := meta.get(name)))
    return {"meta": fold(joined), "content": fold(content[:MAX_INDEXED_CONTENT])}


# Abbreviations of agency names that clerks type and documents print either way.
_AGENCY_WORDS = {"ubnd": "uy ban nhan dan", "hdnd": "hoi dong nhan dan"}


def issuer_key(issuer: str) -> str:
    """An issuing agency's name folded, with "UBND" and "HĐND" spelt out: "UBND tỉnh Sông Lam"
    and "ỦY BAN NHÂN DÂN TỈNH SÔNG LAM" share one key."""
    return " ".join(_AGENCY_WORDS.get(word, word) for word in _WORD.findall(fold(issuer)))


def words(query: str) -> list[str]:
    """The folded words of a query, in order, each once."""
    return list(dict.fromkeys(_WORD.findall(fold(query))))


def matches(session: Session, tier: str, terms: list[str]) -> Select[tuple[int, float]]:
    """(entry_id, rank) of entries whose text matches *terms* as a phrase, all of them, or any
    of them (tier "phrase", "all", "any"); a higher rank is a better match."""
    if session.connection().dialect.name == "sqlite":
        return _fts5(tier, terms)
    return _tsquery(tier, terms)


def _fts5(tier: str, terms: list[str]) -> Select[tuple[int, float]]:
    quoted = ['"' + term.replace('"', '""') + '"' for term in terms]
    if tier == "phrase":
        query = '"' + " ".join(terms).replace('"', '""') + '"'
    else:
        query = (" OR " if tier == "any" else " AND ").join(quoted)
    # bm25() is lower for better matches.
    rank = -func.bm25(literal_column(FTS), _META_WEIGHT, _CONTENT_WEIGHT)
    return select(_fts.c.rowid.label("entry_id"), rank.label("rank")).where(
        literal_column(FTS).op("MATCH")(bindparam("fts_query", query))
    )


def _tsquery(tier: str, terms: list[str]) -> Select[tuple[int, float]]:
    joined = " ".join(terms)
    if tier == "phrase":
        query = func.phraseto_tsquery(literal_column("'simple'"), joined)
    elif tier == "all":
        query = func.plainto_tsquery(literal_column("'simple'"), joined)
    else:
        query = func.to_tsquery(
            literal_column("'simple'"), " | ".join(f"'{term}'" for term in terms)
        )
    vector = literal_column(PG_COLUMN)
    register_text = table("register_text", column("entry_id"))
    return (
        select(register_text.c.entry_id, func.ts_rank(vector, query).label("rank"))
        .select_from(register_text)
        .where(vector.op("@@")(query))
    )
