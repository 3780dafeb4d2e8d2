"""Mailbox names on the wire: modified UTF-7 or UTF-8 (RFC 6855), NFC inside, and LIST
pattern matching with * and % (RFC 3501 6.3.8)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from govmail.imap.protocol import utf7

SEPARATOR = "/"


class BadName(ValueError):
    """A mailbox name the client sent that cannot be decoded."""


@dataclass(frozen=True)
class MailboxNames:
    """Converts names between the client's form and the stored one."""

    utf8: bool

    def decode(self, wire: str) -> str:
        """The stored name for a name as the client sent it."""
        name = wire
        if not self.utf8:
            try:
                name = utf7.decode(wire)
            except ValueError as exc:
                raise BadName(f"mailbox name is not modified UTF-7: {exc}") from None
        name = unicodedata.normalize("NFC", name)
        return "INBOX" if name.upper() == "INBOX" else name

    def encode(self, name: str) -> str:
        return name if self.utf8 else utf7.encode(name)


def join_reference(reference: str, pattern: str) -> str:
    """RFC 3501 6.3.8: the reference is a prefix, unless the pattern starts at the root."""
    if not reference or pattern.startswith(SEPARATOR):
        return pattern
    if reference.endswith(SEPARATOR):
        return reference + pattern
    return reference + SEPARATOR + pattern if pattern else reference


def pattern_regex(pattern: str) -> re.Pattern[str]:
    """* matches anything, % anything but the hierarchy separator; INBOX is case-insensitive."""
    parts = []
    for char in pattern:
        if char == "*":
            parts.append(".*")
        elif char == "%":
            parts.append(f"[^{re.escape(SEPARATOR)}]*")
        else:
            parts.append(re.escape(char))
    body = "".join(parts)
    if pattern[:5].upper() == "INBOX":
        body = "(?i:" + "".join(parts[:5]) + ")" + "".join(parts[5:])
    return re.compile(body, re.DOTALL)


def parents(name: str) -> list[str]:
    """'A/B/C' → ['A', 'A/B']."""
    pieces = name.split(SEPARATOR)
    return [SEPARATOR.join(pieces[:i]) for i in range(1, len(pieces))]
