"""Syntax of domain names and mailbox addresses: validation and the canonical stored form."""

from __future__ import annotations

import re

MAX_ADDRESS = 254
MAX_LOCAL_PART = 64
MAX_DOMAIN = 253

_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
# RFC 5321 dot-string atoms, widened to UTF-8 for SMTPUTF8 (RFC 6531).
_ATOM = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~\u0080-\U0010ffff-]+$")


class InvalidName(ValueError):
    """A domain or address that is not syntactically valid."""


def normalize_domain(text: str) -> str:
    """Lower-case ASCII form of a domain (IDNA for Unicode names); raises InvalidName."""
    name = text.strip().rstrip(".").lower()
    if not name.isascii():
        try:
            name = name.encode("idna").decode("ascii")
        except UnicodeError:
            raise InvalidName(f"{text!r} is not a valid domain name") from None
    labels = name.split(".")
    if len(name) > MAX_DOMAIN or len(labels) < 2 or not all(_LABEL.match(lb) for lb in labels):
        raise InvalidName(f"{text!r} is not a valid domain name (e.g. songlam.gov.vn)")
    return name


def split_address(text: str) -> tuple[str, str]:
    """Split an address into (local part, normalized domain); raises InvalidName."""
    local, at, domain = text.strip().rpartition("@")
    if not at or not local:
        raise InvalidName(f"{text!r} is not an e-mail address (expected name@domain)")
    if len(local.encode()) > MAX_LOCAL_PART:
        raise InvalidName(f"{text!r}: the part before @ is longer than {MAX_LOCAL_PART} bytes")
    if not _valid_local_part(local):
        raise InvalidName(f"{text!r}: invalid characters before @")
    try:
        domain = normalize_domain(domain)
    except InvalidName:
        raise InvalidName(f"{text!r}: invalid domain after @") from None
    if len(local.encode()) + 1 + len(domain) > MAX_ADDRESS:
        raise InvalidName(f"{text!r} is longer than {MAX_ADDRESS} bytes")
    return local, domain


def normalize_address(text: str) -> str:
    """Canonical form: local part as written, domain lower-case; raises InvalidName."""
    local, domain = split_address(text)
    return f"{local}@{domain}"


def mailbox_key(text: str) -> str:
    """The lookup key of a local account: local parts compare case-insensitively here."""
    local, domain = split_address(text)
    return f"{local.lower()}@{domain}"


def _valid_local_part(local: str) -> bool:
    if local.startswith('"') and local.endswith('"') and len(local) >= 2:
        inner = local[1:-1]
        return all(0x20 <= ord(ch) != 0x7F for ch in inner)
    return all(_ATOM.match(atom) for atom in local.split("."))
