"""Whether a PDF page's text layer is worth keeping, or the page has to be read by OCR."""

from __future__ import annotations

import unicodedata

# Fewer letters than a document's number line: a scan, perhaps with a page number on top.
MIN_LETTERS = 20
# A page mostly covered by an image with this little text is a scan carrying a digital-signature
# stamp or a header added on top: the stamp's words alone are not the document.
SPARSE_LETTERS = 200
SCAN_COVERAGE = 0.5
# Broken font encodings give replacement characters, private-use code points and controls.
MAX_GARBAGE = 0.1
_GARBAGE_CATEGORIES = frozenset({"Cc", "Co", "Cn", "Cs"})


def needs_ocr(text: str, image_coverage: float = 0.0) -> bool:
    """True when *text* (a page's text layer) is empty, too short, or mostly garbage.

    *image_coverage* is the fraction of the page that images cover (0..1).
    """
    letters, visible, garbage = _counts(text)
    if garbage > MAX_GARBAGE * visible or letters < MIN_LETTERS:
        return True
    return letters < SPARSE_LETTERS and image_coverage >= SCAN_COVERAGE


def mostly_garbage(text: str) -> bool:
    """True when the text is what a font without a Unicode map yields, not words."""
    _, visible, garbage = _counts(text)
    return garbage > MAX_GARBAGE * visible


def _counts(text: str) -> tuple[int, int, int]:
    """Letters, non-space characters, and garbage characters among them."""
    letters = visible = garbage = 0
    for char in text:
        if char.isspace():
            continue
        visible += 1
        if char.isalpha():
            letters += 1
        elif char == "\ufffd" or unicodedata.category(char) in _GARBAGE_CATEGORIES:
            garbage += 1
    return letters, visible, garbage
