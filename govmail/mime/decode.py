"""Transfer-encoding and charset decoding: bytes in, bytes or NFC text out, never an exception."""

from __future__ import annotations

import binascii
import codecs
import re
import unicodedata

_BASE64_JUNK = re.compile(rb"[^A-Za-z0-9+/=]")
# NUL and lone surrogates cannot be stored in PostgreSQL text or encoded as UTF-8.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")

_ALIASES = {
    "iso-8859-8-i": "iso-8859-8",
    "iso-8859-6-i": "iso-8859-6",
    "x-user-defined": "latin-1",
    "unicode-1-1-utf-7": "utf-7",
    "x-unknown": "",
    "unknown-8bit": "",
    "default": "",
}
# Codecs that exist in Python but are not charsets (bytes-to-bytes transforms, escapes, IDNA).
_NOT_CHARSETS = frozenset(
    {
        "base64",
        "bz2",
        "hex",
        "quopri",
        "uu",
        "zlib",
        "rot-13",
        "idna",
        "punycode",
        "unicode-escape",
        "raw-unicode-escape",
        "undefined",
    }
)
_PASS_THROUGH = frozenset({"7BIT", "8BIT", "BINARY"})


def scrub(text: str) -> str:
    """Replace the characters no database or UTF-8 encoder accepts with U+FFFD."""
    return _UNSTORABLE.sub("\ufffd", text)


def nfc(text: str) -> str:
    """Compose to NFC and scrub."""
    return scrub(unicodedata.normalize("NFC", text))


def decode_8bit(data: bytes) -> str:
    """Decode unlabelled bytes: UTF-8, else windows-1258, else latin-1 (which always succeeds)."""
    for codec in ("utf-8", "cp1258"):
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def lookup_codec(charset: str | None) -> str | None:
    """Map a MIME charset label to a Python codec name; None when unknown or unlabelled."""
    if not charset:
        return None
    label = charset.strip().strip("\"'").lower()
    label = _ALIASES.get(label, label)
    if not label:
        return None
    try:
        name = codecs.lookup(label).name
    except (LookupError, ValueError, TypeError):
        return None
    return None if name in _NOT_CHARSETS else name


def decode_text(data: bytes, charset: str | None) -> str:
    """Decode bytes labelled with `charset` to NFC text, best effort for bad labels or bytes."""
    codec = lookup_codec(charset)
    # Mail labelled us-ascii (or not at all) that carries 8-bit bytes is mislabelled, not ASCII.
    if codec is None or codec == "ascii":
        return nfc(decode_8bit(data))
    if codec == "utf-8":
        codec = "utf-8-sig"
    try:
        return nfc(data.decode(codec, "replace"))
    except (UnicodeError, LookupError, ValueError, TypeError):
        return nfc(decode_8bit(data))


def decode_base64(data: bytes) -> bytes:
    """Decode base64 leniently: skip junk, honour mid-stream padding, decode a truncated tail."""
    out = bytearray()
    # Padding ends a block; some encoders concatenate several padded blocks.
    for block in _BASE64_JUNK.sub(b"", data).split(b"="):
        usable = len(block) - 1 if len(block) % 4 == 1 else len(block)
        if usable:
            out += binascii.a2b_base64(block[:usable] + b"=" * (-usable % 4))
    return bytes(out)


def decode_quoted_printable(data: bytes) -> bytes:
    """Decode quoted-printable; malformed escapes are kept as written."""
    return binascii.a2b_qp(data)


def decode_transfer(data: bytes, encoding: str) -> bytes:
    """Undo a Content-Transfer-Encoding (upper case name); unknown encodings pass through."""
    if encoding == "BASE64":
        return decode_base64(data)
    if encoding == "QUOTED-PRINTABLE":
        return decode_quoted_printable(data)
    return data


def is_identity_encoding(encoding: str) -> bool:
    """True for the encodings under which the body bytes are the content itself."""
    return encoding in _PASS_THROUGH
