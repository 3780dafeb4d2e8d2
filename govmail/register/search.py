"""Register search: exact number lookup, then ranked full text (phrase, all words, any word),
filters, one hit per document however many times it was filed, and snippets in the original
diacritics with the matched words marked."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, select, true
from sqlalchemy.orm import Session

from govmail.register.notation import notation_key, parse_notation
from govmail.register.snippet import snippet
from govmail.register.textindex import issuer_key, matches, words
from govmail.store.fold import fold
from govmail.store.models import Document, RegisterEntry

# Tiers, best first: a match in a better tier always ranks above one in a worse tier.
TIERS = ("phrase", "all", "any")
NUMBER_TIER = len(TIERS) + 1
MAX_LIMIT = 1000


@dataclass(frozen=True)
class Query:
    text: str = ""
    direction: str | None = None
    book: str | None = None
    doc_type: str | None = None
    issuer: str | None = None  # words the issuer contains, diacritics optional
    agency: str | None = None
    year: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    limit: int = 20


@dataclass
class Hit:
    id: int
    number: str | None
    type: str | None
    issuer: str | None
    date: date | None
    subject: str
    direction: str
    book: str
    agency: str
    year: int
    serial: int | None
    filename: str
    warnings: list[str]
    score: float
    snippet: str = ""
    others: list[int] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "number": self.number,
            "type": self.type,
            "issuer": self.issuer,
            "date": self.date.isoformat() if self.date else None,
            "subject": self.subject,
            "direction": self.direction,
            "book": self.book,
            "agency": self.agency,
            "year": self.year,
            "serial": self.serial,
            "filename": self.filename,
            "warnings": self.warnings,
            "score": round(self.score, 4),
            "snippet": self.snippet,
            "also_filed_as": self.others,
        }


def search(session: Session, query: Query) -> list[Hit]:
    """The best *query.limit* documents for the query, best first."""
    limit = max(1, min(query.limit, MAX_LIMIT))
    ranked = _ranked_ids(session, query, limit)
    if not ranked:
        return []
    kept = _collapse(_load(session, ranked), limit)
    terms = words(query.text)
    for hit, content in kept:
        hit.snippet = snippet(content, terms) or snippet(hit.subject, terms) or hit.subject
    return [hit for hit, _ in kept]


def matching_ids(session: Session, query: Query) -> set[int]:
    """Every entry that has all the query's words or its number (IMAP SEARCH semantics)."""
    terms = words(query.text)
    found: set[int] = set()
    key = _number_key(query.text)
    if key:
        found |= set(session.scalars(_numbered(query, key)))
    if terms:
        tier = matches(session, "all", terms).subquery()
        found |= set(
            session.scalars(
                _filtered(select(RegisterEntry.id), query).join(
                    tier, tier.c.entry_id == RegisterEntry.id
                )
            )
        )
    return found


def _numbered(query: Query, key: str) -> Select[tuple[int]]:
    """The entries, within the query's filters, whose number and notation have *key*."""
    return _filtered(select(RegisterEntry.id), query).where(RegisterEntry.number_key == key)


def _number_key(text: str) -> str | None:
    stripped = text.strip()
    return notation_key(stripped) if parse_notation(stripped) is not None else None


def _ranked_ids(session: Session, query: Query, limit: int) -> dict[int, float]:
    """entry id → score, for a few more entries than asked, as collapsing drops some."""
    wanted = limit * 4
    scores: dict[int, float] = {}
    key = _number_key(query.text)
    if key:
        for entry_id in session.scalars(_numbered(query, key).limit(wanted)):
            scores.setdefault(entry_id, float(NUMBER_TIER))
    terms = words(query.text)
    if not terms:
        if not query.text.strip():
            statement = _filtered(select(RegisterEntry.id), query)
            ordered = statement.order_by(RegisterEntry.filed_at.desc(), RegisterEntry.id.desc())
            for position, entry_id in enumerate(session.scalars(ordered.limit(wanted))):
                scores[entry_id] = 1.0 / (1 + position)
        return scores
    for level, tier in enumerate(TIERS):
        # Any-word matches are the slowest to rank and the weakest: only when the others
        # found too few; never for a number, whose own lookup is the answer.
        enough = limit if tier == "any" else wanted
        if len(scores) >= enough or (tier == "any" and key):
            break
        if tier != "all" and len(terms) == 1:
            continue
        base = float(len(TIERS) - level)
        for entry_id, rank in session.execute(_tier(session, query, tier, terms, wanted)):
            scores.setdefault(entry_id, base + _squash(rank))
    return scores


def _tier(
    session: Session, query: Query, tier: str, terms: list[str], limit: int
) -> Select[tuple[int, float]]:
    if not _conditions(query):
        # Straight from the index: joining every match to its entry first costs as much again.
        ranked = matches(session, tier, terms)
        return ranked.order_by(ranked.selected_columns.rank.desc()).limit(limit)
    matched = matches(session, tier, terms).subquery()
    return (
        _filtered(select(RegisterEntry.id, matched.c.rank), query)
        .join(matched, matched.c.entry_id == RegisterEntry.id)
        .order_by(matched.c.rank.desc(), RegisterEntry.id.desc())
        .limit(limit)
    )


def _squash(rank: float) -> float:
    """A rank in [0, 1), so tiers never overlap."""
    rank = max(float(rank or 0.0), 0.0)
    return rank / (1.0 + rank)


def _filtered(statement: Select[Any], query: Query) -> Select[Any]:
    return statement.where(and_(true(), *_conditions(query)))


def _conditions(query: Query) -> list[ColumnElement[bool]]:
    """The query's filters; none for a query without any."""
    conditions: list[ColumnElement[bool]] = []
    for column, value in (
        (RegisterEntry.direction, query.direction),
        (RegisterEntry.book, query.book),
        (RegisterEntry.agency, query.agency),
        (RegisterEntry.year, query.year),
    ):
        if value is not None:
            conditions.append(column == value)
    if query.doc_type:
        conditions.append(func.lower(RegisterEntry.doc_type) == query.doc_type.lower())
    if query.date_from:
        conditions.append(RegisterEntry.doc_date >= query.date_from)
    if query.date_to:
        conditions.append(RegisterEntry.doc_date <= query.date_to)
    if query.issuer:
        # Diacritics optional: "ubnd tinh song lam" finds "UBND TỈNH SÔNG LAM".
        wanted = issuer_key(query.issuer)
        conditions.append(RegisterEntry.issuer_folded.contains(wanted, autoescape=True))
    return conditions


def _load(session: Session, scores: dict[int, float]) -> list[tuple[Hit, str]]:
    """The hits with their documents' text, best first."""
    rows = session.execute(
        select(RegisterEntry, Document.text)
        .join(Document, Document.id == RegisterEntry.document_id)
        .where(RegisterEntry.id.in_(list(scores)))
    ).all()
    loaded = [(_hit(entry, scores[entry.id]), content) for entry, content in rows]
    loaded.sort(key=lambda pair: (-pair[0].score, -pair[0].id))
    return loaded


def _hit(entry: RegisterEntry, score: float) -> Hit:
    return Hit(
        id=entry.id,
        number=entry.number,
        type=entry.doc_type,
        issuer=entry.issuer,
        date=entry.doc_date,
        subject=entry.summary or entry.subject,
        direction=entry.direction,
        book=entry.book,
        agency=entry.agency,
        year=entry.year,
        serial=entry.serial,
        filename=entry.filename,
        warnings=[warning["code"] for warning in entry.warnings],
        score=score,
    )


def _collapse(loaded: list[tuple[Hit, str]], limit: int) -> list[tuple[Hit, str]]:
    """One hit per document: filings of the same number and issuer fold into the best-ranked
    one, which lists the others."""
    kept: dict[tuple[Any, ...], tuple[Hit, str]] = {}
    for hit, content in loaded:
        key = (fold(hit.number or ""), fold(hit.issuer or "")) if hit.number else ("id", hit.id)
        if key in kept:
            kept[key][0].others.append(hit.id)
        else:
            kept[key] = (hit, content)
    return list(kept.values())[:limit]
