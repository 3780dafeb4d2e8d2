"""The search-text index: folded rows for new messages, and substring conditions that use the
backend's trigram index (SQLite FTS5 table message_text_fts, PostgreSQL pg_trgm GIN indexes)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    column,
    func,
    literal_column,
    or_,
    select,
    table,
    true,
)
from sqlalchemy.orm import Session

from govmail.store.fold import fold
from govmail.store.models import MessageText

# search_text field (as the pipeline builds it) → message_text column.
COLUMNS = {
    "subject": "subject",
    "from": "from_addrs",
    "to": "to_addrs",
    "cc": "cc_addrs",
    "bcc": "bcc_addrs",
    "body": "body",
    "headers": "headers",
}
# A trigram index finds substrings of at least three characters; shorter ones are scanned for.
MIN_INDEXED = 3
_FTS = table("message_text_fts", column("rowid"))

Term = tuple[Sequence[str], str]  # (message_text columns, folded phrase one of them contains)


def index_row(search_text: Mapping[str, str]) -> dict[str, str]:
    """The message_text values (message_id aside) for a message's unfolded search text."""
    return {name: fold(search_text.get(field, "")) for field, name in COLUMNS.items()}


def header_text(headers: Iterable[tuple[str, str]]) -> str:
    """All header fields as one text, each field on a line of its own starting "\\nname: "."""
    return "".join(f"\n{name}: {_one_line(value)}" for name, value in headers)


def header_contains(text: str, name: str, needle: str) -> bool:
    """Whether folded header_text() holds a field *name* (folded) whose value has *needle*."""
    prefix = f"{name}: "
    return any(
        line.startswith(prefix) and needle in line[len(prefix) :] for line in text.split("\n")
    )


def header_marker(name: str) -> str:
    """What header_text() holds wherever a field called *name* (folded) starts."""
    return f"\n{name}: "


def contains(session: Session, terms: list[Term]) -> ColumnElement[bool]:
    """A condition on rows joined with MessageText: every term's phrase is in one of its columns."""
    if session.connection().dialect.name != "sqlite":
        return and_(true(), *(_like_any(columns, phrase) for columns, phrase in terms))
    indexed = [(columns, phrase) for columns, phrase in terms if len(phrase) >= MIN_INDEXED]
    scanned = [
        or_(*(func.instr(getattr(MessageText, name), phrase) > 0 for name in columns))
        for columns, phrase in terms
        if len(phrase) < MIN_INDEXED
    ]
    if indexed:
        scanned.append(MessageText.message_id.in_(_fts_match(indexed)))
    return and_(true(), *scanned)


def _fts_match(terms: list[Term]) -> Select[tuple[int]]:
    """FTS5 trigram phrases are exact substrings: '{body headers} : "van ban" AND …'."""
    query = " AND ".join(
        "{" + " ".join(columns) + '} : "' + phrase.replace('"', '""') + '"'
        for columns, phrase in terms
    )
    return select(_FTS.c.rowid).where(literal_column(_FTS.name).op("MATCH")(query))


def _like_any(columns: Sequence[str], phrase: str) -> ColumnElement[bool]:
    # Backslash is PostgreSQL's LIKE escape; pg_trgm's GIN index serves '%…%' patterns.
    pattern = "%" + phrase.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return or_(*(getattr(MessageText, name).like(pattern) for name in columns))


def _one_line(value: str) -> str:
    return value.replace("\r", " ").replace("\n", " ")


def modelled(name: str | None, kind: str, _parents: dict[str, Any]) -> bool:
    """Alembic's include_name: False for the backends' text indexes, which migrations 0002 and
    0003 add outside the models, so autogenerate never proposes to drop them."""
    backend_specific = name is not None and (
        name.startswith(("message_text_fts", "register_text_fts"))
        or (kind == "index" and name.endswith(("_trgm", "_tsv")))
        or (kind == "column" and name == "search_vector")
    )
    return not backend_specific
