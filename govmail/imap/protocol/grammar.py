"""Character classes of RFC 3501 section 9, named after its ABNF, and patterns built from them."""

from __future__ import annotations

import re

CR = 0x0D
LF = 0x0A
SP = 0x20
DQUOTE = 0x22

CHAR = frozenset(range(0x01, 0x80))
CTL = frozenset(range(0x00, 0x20)) | {0x7F}
DIGIT = frozenset(b"0123456789")
ALPHA = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")

LIST_WILDCARDS = frozenset(b"%*")
QUOTED_SPECIALS = frozenset(b'"\\')
RESP_SPECIALS = frozenset(b"]")
ATOM_SPECIALS = frozenset(b"(){ ") | CTL | LIST_WILDCARDS | QUOTED_SPECIALS | RESP_SPECIALS

ATOM_CHAR = CHAR - ATOM_SPECIALS
ASTRING_CHAR = ATOM_CHAR | RESP_SPECIALS
TAG_CHAR = ASTRING_CHAR - {ord("+")}
LIST_CHAR = ATOM_CHAR | LIST_WILDCARDS | RESP_SPECIALS
TEXT_CHAR = CHAR - {CR, LF}
QUOTED_CHAR = TEXT_CHAR - QUOTED_SPECIALS
BASE64_CHAR = ALPHA | DIGIT | frozenset(b"+/")
# RFC 5322 ftext: the characters of a header field name (header-fld-name is an astring).
FTEXT = frozenset(range(33, 127)) - {ord(":")}


def _one_or_more(chars: frozenset[int]) -> re.Pattern[bytes]:
    return re.compile(b"[" + b"".join(re.escape(bytes([c])) for c in sorted(chars)) + b"]+")


ATOM = _one_or_more(ATOM_CHAR)
ASTRING_ATOM = _one_or_more(ASTRING_CHAR)
TAG = _one_or_more(TAG_CHAR)
LIST_MAILBOX_ATOM = _one_or_more(LIST_CHAR)
NUMBER = re.compile(rb"[0-9]+")
# quoted: QUOTED-CHAR or an escaped quoted-special. RFC 6855 (UTF8=ACCEPT) adds UTF-8, so bytes
# above 0x7F pass here and are checked when the string is decoded; NUL, CR and LF never do.
QUOTED = re.compile(rb'"((?:[^"\\\r\n\x00]|\\["\\])*)"')
QUOTED_PAIR = re.compile(rb"\\([\"\\])")
# literal / literal8 (RFC 3516) / non-synchronizing literal (RFC 7888): "~{" number ["+"] "}"
LITERAL = re.compile(rb"(~?)\{([0-9]+)(\+?)\}")
BASE64 = re.compile(rb"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")


def is_astring_atom(text: str) -> bool:
    """True when *text* can be written bare where the grammar wants an astring."""
    data = text.encode("utf-8")
    return bool(data) and ASTRING_ATOM.fullmatch(data) is not None
