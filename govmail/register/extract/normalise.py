"""One form for all extracted text: LF line ends, NFC, nothing a database or index chokes on."""

from __future__ import annotations

import re
import unicodedata

# NUL and lone surrogates cannot be stored in PostgreSQL text; other C0 controls (pdfium marks
# generated hyphens with \x02) only break words apart in the search index.
_UNWANTED = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f\ud800-\udfff]")
_BLANK_RUNS = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")


def clean(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", _UNWANTED.sub("", text))


def squeeze_blank_lines(text: str) -> str:
    """At most one empty line in a row, and no trailing spaces: layout noise of office files."""
    lines = "\n".join(line.rstrip() for line in text.split("\n"))
    return _BLANK_RUNS.sub("\n\n", lines).strip("\n")
