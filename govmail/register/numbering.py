"""Register numbers: one series per agency, book and calendar year (Vietnam time), taken in the
filing's transaction so they run without gap or repeat however many deliveries race."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import timedelta, timezone

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from govmail.store.models import RegisterCounter

# Vietnam keeps UTC+07:00 all year: a year's series runs from 1 January 00:00 there.
VIETNAM = timezone(timedelta(hours=7), "ICT")

Key = tuple[str, str, int]  # (agency, book, year)


def take_numbers(session: Session, wanted: list[Key]) -> dict[Key, Iterator[int]]:
    """Reserve one number per item of *wanted*; each key's numbers come out in order."""
    counts = Counter(wanted)
    if not counts:
        return {}
    conn = session.connection()
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    conn.execute(
        dialect.insert(RegisterCounter.__table__).on_conflict_do_nothing(),
        [{"agency": a, "book": b, "year": y, "last": 0} for a, b, y in counts],
    )
    taken = {}
    # In key order, so two transactions that need the same counters lock them alike.
    for key in sorted(counts):
        agency, book, year = key
        # The UPDATE locks the counter row until commit (PostgreSQL); SQLite has one writer.
        last = conn.scalar(
            update(RegisterCounter.__table__)
            .where(
                RegisterCounter.agency == agency,
                RegisterCounter.book == book,
                RegisterCounter.year == year,
            )
            .values(last=RegisterCounter.last + counts[key])
            .returning(RegisterCounter.last)
        )
        assert last is not None, "the counter row was just ensured"
        taken[key] = iter(range(last - counts[key] + 1, last + 1))
    return taken
