"""OpenDocument text and spreadsheets (ODT, ODS): the paragraphs and cells of content.xml."""

from __future__ import annotations

from collections.abc import Iterator
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeElementTree
from defusedxml import DefusedXmlException

from govmail.register.extract.archive import ArchiveError, check_zip, read_member
from govmail.register.extract.normalise import clean, squeeze_blank_lines
from govmail.register.extract.outcome import conclude, failed
from govmail.register.extract.types import Extraction, Limits, Page

ODS = "application/vnd.oasis.opendocument.spreadsheet"

_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_PARAGRAPHS = frozenset({f"{_TEXT}p", f"{_TEXT}h"})
# Deleted text kept for change tracking, and annotations' metadata, are not the document's words.
_SKIPPED = frozenset({f"{_TEXT}tracked-changes", f"{_OFFICE}annotation", f"{_TEXT}note-citation"})


def extract_odf(data: bytes, kind: str, limits: Limits, ocr: bool) -> Extraction:
    try:
        check_zip(data, limits.max_unpacked)
        content = read_member(data, "content.xml")
    except ArchiveError as error:
        return failed(kind, str(error))
    if content is None:
        return failed(kind, "corrupt OpenDocument: no content.xml")
    try:
        root = SafeElementTree.fromstring(content)
    except (ParseError, DefusedXmlException) as error:
        return failed(kind, f"corrupt OpenDocument: {type(error).__name__}: {error}"[:200])
    body = root.find(f"{_OFFICE}body")
    # A spreadsheet's row reads across, tab-separated; a text document's table cell by cell, as
    # in DOCX and in a PDF's text layer.
    cells_on_one_line = kind == ODS
    lines = _blocks(body, cells_on_one_line) if body is not None else iter(())
    text = squeeze_blank_lines(clean("\n".join(lines)))
    return conclude(kind, [Page(1, text, "office", None)], [])


def _blocks(element: Element, cells_on_one_line: bool) -> Iterator[str]:
    for child in element:
        if child.tag in _SKIPPED:
            continue
        if child.tag in _PARAGRAPHS:
            yield _inline(child)
        elif child.tag == f"{_TABLE}table-row":
            yield from _row(child, cells_on_one_line)
        else:
            yield from _blocks(child, cells_on_one_line)


def _row(row: Element, cells_on_one_line: bool) -> Iterator[str]:
    cells = ["\n".join(_blocks(cell, False)) for cell in row if cell.tag == f"{_TABLE}table-cell"]
    if cells_on_one_line:
        line = "\t".join(cell.replace("\n", " ") for cell in cells).rstrip("\t")
        if line.strip():
            yield line
    else:
        yield from (cell for cell in cells if cell.strip())


def _inline(element: Element) -> str:
    parts = [element.text or ""]
    for child in element:
        if child.tag == f"{_TEXT}s":
            parts.append(" " * _count(child))
        elif child.tag == f"{_TEXT}tab":
            parts.append("\t")
        elif child.tag == f"{_TEXT}line-break":
            parts.append("\n")
        elif child.tag not in _SKIPPED:
            parts.append(_inline(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _count(space: Element) -> int:
    """text:s stands for c spaces; c is bounded so that a hostile file cannot ask for a billion."""
    try:
        return max(1, min(int(space.get(f"{_TEXT}c", "1")), 100))
    except ValueError:
        return 1
