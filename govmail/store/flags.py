"""IMAP flags as stored: system flags in canonical case, one space-separated string per entry."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, literal

from govmail.store.models import MailboxEntry

SYSTEM_FLAGS = ("\\Answered", "\\Deleted", "\\Draft", "\\Flagged", "\\Seen")
_CANONICAL = {flag.lower(): flag for flag in SYSTEM_FLAGS}
# \Recent belongs to a session, never to the store (RFC 3501 2.3.2).
_SESSION_ONLY = "\\recent"


def canonical(flags: Iterable[str]) -> frozenset[str]:
    """System flags in their canonical case, keywords as given, \\Recent and blanks dropped."""
    return frozenset(
        _CANONICAL.get(flag.lower(), flag)
        for flag in flags
        if flag and flag.lower() != _SESSION_ONLY
    )


def parse(text: str) -> frozenset[str]:
    return frozenset(text.split())


def render(flags: Iterable[str]) -> str:
    return " ".join(sorted(flags))


def has_flag(flag: str) -> ColumnElement[bool]:
    """SQL: the entry carries *flag* (canonical). '/' escapes, as backslash means different
    things to SQLite's and PostgreSQL's LIKE."""
    pattern = "% " + flag.replace("/", "//").replace("%", "/%").replace("_", "/_") + " %"
    return (literal(" ") + MailboxEntry.flags + literal(" ")).like(pattern, escape="/")
