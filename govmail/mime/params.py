"""Content-Type and Content-Disposition values: parameters, RFC 2231 joining, file names."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import unquote_to_bytes

from govmail.mime.decode import decode_text, nfc
from govmail.mime.headers import decode_words

Params = list[tuple[str, str]]

_TOKEN = r"[!#$%&'*+\-.^_`|~0-9a-z]+"
_MEDIA_TYPE = re.compile(rf"({_TOKEN})\s*/\s*({_TOKEN})")
_NAME_END = re.compile("[=;]")
_VALUE_END = re.compile(";")
_SECTION = re.compile(r"(.+?)\*(\d{1,4})")
# Bidi overrides let "fdp.exe" pass for "exe.pdf"; nobody needs them in a file name.
_BIDI_CONTROLS = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def split_value(text: str) -> tuple[str, Params]:
    """Split 'main; a=1; b="2"' into the lower-cased main value and decoded parameters."""
    main, _, rest = text.partition(";")
    return main.strip().lower(), combine_params(scan_params(rest))


def parse_media_type(text: str) -> tuple[str, str] | None:
    """'Text/Plain' -> ('text', 'plain'); None when it is not a type/subtype pair."""
    match = _MEDIA_TYPE.fullmatch(text)
    return (match.group(1), match.group(2)) if match else None


def scan_params(text: str) -> Params:
    """The raw ';'-separated name=value pairs, names lower case, quoted strings unquoted."""
    params: Params = []
    pos = 0
    while pos < len(text):
        eq = _find(_NAME_END, text, pos)
        name = text[pos:eq].strip().lower()
        if eq == len(text) or text[eq] == ";":
            pos = eq + 1
            continue
        value, pos = _scan_param_value(text, eq + 1)
        if name:
            params.append((name, value))
    return params


def _find(pattern: re.Pattern[str], text: str, pos: int) -> int:
    """Offset of the next match of `pattern` at or after pos, else len(text)."""
    match = pattern.search(text, pos)
    return match.start() if match else len(text)


def _scan_param_value(text: str, pos: int) -> tuple[str, int]:
    """Read a token or quoted string starting at pos; return it and the offset past its ';'."""
    while pos < len(text) and text[pos] in " \t":
        pos += 1
    if pos < len(text) and text[pos] == '"':
        value, pos = _scan_quoted(text, pos + 1)
        return value, _find(_VALUE_END, text, pos) + 1
    end = _find(_VALUE_END, text, pos)
    return text[pos:end].strip(), end + 1


def _scan_quoted(text: str, pos: int) -> tuple[str, int]:
    """Unquote up to the closing quote; only \\" and \\\\ are escapes, so C:\\dir survives."""
    out: list[str] = []
    while pos < len(text):
        char = text[pos]
        if char == '"':
            return "".join(out), pos + 1
        if char == "\\" and pos + 1 < len(text) and text[pos + 1] in '"\\':
            pos += 1
            char = text[pos]
        out.append(char)
        pos += 1
    return "".join(out), pos


def combine_params(raw: Params) -> Params:
    """Join RFC 2231 sections (name*0*, name*1) and decode extended values (name*=cs'lang'v).

    An extended or continued form wins over a plain parameter of the same name; the order is
    that of each name's first appearance.
    """
    order: list[str] = []
    plain: dict[str, str] = {}
    sections: dict[str, dict[int, tuple[str, bool]]] = {}
    for name, value in raw:
        encoded = name.endswith("*")
        base = name[:-1] if encoded else name
        number: int | None = None
        match = _SECTION.fullmatch(base)
        if match:
            base, number = match.group(1), int(match.group(2))
        elif encoded:
            number = 0
        else:
            plain.setdefault(base, value)
        if number is not None:
            sections.setdefault(base, {}).setdefault(number, (value, encoded))
        if base and base not in order:
            order.append(base)
    return [
        (name, join_sections(sections[name]) if name in sections else nfc(plain[name]))
        for name in order
    ]


def join_sections(sections: dict[int, tuple[str, bool]]) -> str:
    """Join numbered RFC 2231 sections; the charset comes from an encoded first section."""
    ordered = [sections[number] for number in sorted(sections)]
    charset: str | None = None
    first, first_encoded = ordered[0]
    if first_encoded and first.count("'") >= 2:
        charset, _language, first = first.split("'", 2)
        ordered[0] = (first, True)
    out: list[str] = []
    pending = bytearray()
    for value, encoded in ordered:
        if encoded:
            pending += unquote_to_bytes(value)
            continue
        out.append(decode_text(bytes(pending), charset))
        pending.clear()
        out.append(value)
    out.append(decode_text(bytes(pending), charset))
    return nfc("".join(out))


def param(params: Params, name: str) -> str | None:
    """The value of the first parameter called `name` (lower case), or None."""
    return next((value for key, value in params if key == name), None)


def clean_filename(value: str | None) -> str | None:
    """A safe display file name: RFC 2047 decoded, NFC, last path component, no controls."""
    if value is None:
        return None
    name = nfc(decode_words(value))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(
        char for char in name if unicodedata.category(char) != "Cc" and char not in _BIDI_CONTROLS
    ).strip()
    # "." and ".." are path operators, not names.
    return name if name.strip(".") else None
