"""Turning pages and the problems met on them into one status and one readable reason."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from govmail.register.extract.types import Extraction, Page

# A reason is stored and shown to clerks: long page lists say nothing more after the first few.
_LISTED_PAGES = 10


@dataclass(frozen=True)
class Problem:
    """Something that kept (part of) a document from being read: on one page, or on the whole."""

    what: str
    page: int | None = None
    detail: str | None = None


def failed(kind: str, reason: str) -> Extraction:
    return Extraction(kind, (), "failed", reason)


def brief(error: BaseException) -> str:
    """An exception as a reason's detail: its message, or its type when it has none."""
    return (str(error) or type(error).__name__)[:200]


def conclude(kind: str, pages: Sequence[Page], problems: Sequence[Problem]) -> Extraction:
    """ok without problems; failed when no page could be read at all; partial in between."""
    if not problems:
        return Extraction(kind, tuple(pages), "ok", None)
    unreadable = {problem.page for problem in problems if problem.page is not None}
    readable = [page for page in pages if page.number not in unreadable]
    status = "partial" if readable else "failed"
    return Extraction(kind, tuple(pages), status, describe(problems, single_page=len(pages) == 1))


def read_pages(
    kind: str,
    count: int,
    max_pages: int,
    read: Callable[[int], tuple[Page, Problem | None]],
    unit: str = "pages",
) -> Extraction:
    """Read the first *max_pages* of *count* pages (or frames) with *read*, keeping each
    page's problem, and say so when the rest was left unread."""
    pages: list[Page] = []
    problems: list[Problem] = []
    for index in range(min(count, max_pages)):
        page, problem = read(index)
        pages.append(page)
        if problem is not None:
            problems.append(problem)
    if count > max_pages:
        problems.append(Problem(f"only the first {max_pages} of {count} {unit} read"))
    return conclude(kind, pages, problems)


def describe(problems: Iterable[Problem], *, single_page: bool = False) -> str:
    """Problems grouped by what went wrong: "OCR failed on pages 2, 3: tesseract timed out"."""
    groups: dict[tuple[str, str | None], list[int]] = {}
    for problem in problems:
        pages = groups.setdefault((problem.what, problem.detail), [])
        if problem.page is not None:
            pages.append(problem.page)
    parts = []
    for (what, detail), pages in groups.items():
        part = what
        if pages and not single_page:
            listed = ", ".join(str(number) for number in pages[:_LISTED_PAGES])
            more = f" and {len(pages) - _LISTED_PAGES} more" if len(pages) > _LISTED_PAGES else ""
            part += f" on page{'s' if len(pages) > 1 else ''} {listed}{more}"
        if detail:
            part += f": {detail}"
        parts.append(part)
    return "; ".join(parts)


def cap_text(result: Extraction, max_text: int) -> Extraction:
    """Cut the text after max_text characters, so one document cannot fill the database."""
    if sum(len(page.text) for page in result.pages) <= max_text:
        return result
    kept: list[Page] = []
    room = max_text
    for page in result.pages:
        if room <= 0:
            break
        kept.append(Page(page.number, page.text[:room], page.method, page.confidence))
        room -= len(page.text)
    truncated = f"text truncated after {max_text} characters"
    reason = f"{result.reason}; {truncated}" if result.reason else truncated
    status = "partial" if result.status == "ok" else result.status
    return Extraction(result.kind, tuple(kept), status, reason)
