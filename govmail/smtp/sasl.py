"""SASL PLAIN (RFC 4616) message decoding: pure functions over bytes."""

from __future__ import annotations


class SaslError(ValueError):
    """A SASL message that does not follow its mechanism's syntax."""


def decode_plain(message: bytes) -> tuple[str, str]:
    """Return (username, password) from "authzid NUL authcid NUL passwd"."""
    parts = message.split(b"\x00")
    if len(parts) != 3:
        raise SaslError("PLAIN message must be authzid NUL authcid NUL password")
    authzid, authcid, password = (_utf8(part) for part in parts)
    if not authcid or not password:
        raise SaslError("PLAIN message lacks a username or password")
    if authzid and authzid != authcid:
        raise SaslError("acting as another user is not supported")
    return authcid, password


def decode_text(data: bytes) -> str:
    return _utf8(data)


def _utf8(data: bytes) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise SaslError("credentials must be UTF-8") from None
    if "\x00" in text or len(text) > 1024:
        raise SaslError("credentials contain NUL or are too long")
    return text
