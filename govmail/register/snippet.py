"""Snippets: a short window of a document's original text around the words a query matched
(found in the folded text), with those words marked **like this** in their original diacritics."""

from __future__ import annotations

import re

from govmail.store.fold import fold

WIDTH = 160
MARK = "**"


def snippet(text: str, terms: list[str], width: int = WIDTH) -> str:
    """The window of *text* that holds the most of *terms* (folded words), marked; "" when no
    term occurs."""
    if not text or not terms:
        return ""
    folded, origin = _folded_with_origin(text)
    spans = _spans(folded, terms)
    if not spans:
        return ""
    start, end = _best_window(spans, width, len(folded))
    marked = []
    cursor = start
    for low, high, _ in spans:
        if low < start or high > end:
            continue
        marked.append(_original(text, origin, cursor, low))
        marked.append(MARK + _original(text, origin, low, high) + MARK)
        cursor = high
    marked.append(_original(text, origin, cursor, end))
    body = " ".join("".join(marked).split())
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(folded) else ""
    return prefix + body + suffix


def _folded_with_origin(text: str) -> tuple[str, list[int]]:
    """The folded text and, for each of its characters, the index in *text* it came from."""
    folded = fold(text)
    if len(folded) == len(text):  # precomposed Vietnamese folds one character to one
        return folded, list(range(len(text)))
    pieces = []
    origin = []
    for index, char in enumerate(text):
        for out in fold(char):
            pieces.append(out)
            origin.append(index)
    return "".join(pieces), origin


Span = tuple[int, int, str]  # (start, end, term) in the folded text


def _spans(folded: str, terms: list[str]) -> list[Span]:
    """Where each term occurs as a whole word, in order, without overlaps."""
    longest_first = sorted(terms, key=len, reverse=True)
    pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, longest_first)) + r")\b")
    return [(found.start(), found.end(), found.group()) for found in pattern.finditer(folded)]


def _best_window(spans: list[Span], width: int, length: int) -> tuple[int, int]:
    """The *width* characters that hold the most distinct terms, then the most matches."""
    best = (0, 0, spans[0][0])
    for index, (low, _, _) in enumerate(spans):
        inside = [span for span in spans[index:] if span[1] <= low + width]
        score = (len({term for _, _, term in inside}), len(inside))
        if score > best[:2]:
            best = (*score, low)
    start = max(0, best[2] - width // 4)
    return start, min(length, start + width)


def _original(text: str, origin: list[int], low: int, high: int) -> str:
    """The original text behind folded[low:high], marks that folded away included."""
    if low >= high:
        return ""
    last = origin[high] if high < len(origin) else len(text)
    return text[origin[low] : last]
