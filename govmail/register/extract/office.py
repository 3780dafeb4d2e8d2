"""Word and Excel files (DOCX, XLSX): their text in document order, without rendering them."""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterator

import docx
import openpyxl
from docx.document import Document
from docx.section import _Footer, _Header
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from govmail.register.extract.archive import ArchiveError, check_zip
from govmail.register.extract.normalise import clean, squeeze_blank_lines
from govmail.register.extract.outcome import Problem, conclude, failed
from govmail.register.extract.types import Extraction, Limits, Page


def extract_docx(data: bytes, kind: str, limits: Limits, ocr: bool) -> Extraction:
    try:
        check_zip(data, limits.max_unpacked)
    except ArchiveError as error:
        return failed(kind, str(error))
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as error:  # python-docx reports bad packages with many exception types
        return failed(kind, f"corrupt DOCX: {type(error).__name__}: {error}"[:200])
    text = "\n".join(_docx_lines(document))
    return conclude(kind, [Page(1, squeeze_blank_lines(clean(text)), "office", None)], [])


def _docx_lines(document: Document) -> Iterator[str]:
    """Headers, body and footers; table cells one after another, as a PDF's text layer has them."""
    headers: list[_Header | _Footer] = []
    footers: list[_Header | _Footer] = []
    for section in document.sections:
        headers.append(section.header)
        footers.append(section.footer)
        if section.different_first_page_header_footer:
            headers.append(section.first_page_header)
            footers.append(section.first_page_footer)
    for part in headers:
        if not part.is_linked_to_previous:
            yield from _blocks(part)
    yield from _blocks(document)
    for part in footers:
        if not part.is_linked_to_previous:
            yield from _blocks(part)


def _blocks(container: Document | _Header | _Footer | _Cell) -> Iterator[str]:
    for block in container.iter_inner_content():
        if isinstance(block, Paragraph):
            yield block.text
        elif isinstance(block, Table):
            yield from _table(block)


def _table(table: Table) -> Iterator[str]:
    for row in table.rows:
        previous = None
        for cell in row.cells:
            # A merged cell is returned once for every grid column it spans.
            if cell._tc is previous:
                continue
            previous = cell._tc
            yield from (line for line in _blocks(cell) if line.strip())


def extract_xlsx(data: bytes, kind: str, limits: Limits, ocr: bool) -> Extraction:
    try:
        check_zip(data, limits.max_unpacked)
    except ArchiveError as error:
        return failed(kind, str(error))
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl reports bad packages with many exception types
        return failed(kind, f"corrupt XLSX: {type(error).__name__}: {error}"[:200])
    pages: list[Page] = []
    problems: list[Problem] = []
    # Every cell visited costs at least the tab that would follow it: one budget bounds both the
    # text (shared strings repeated in a million cells) and the walk (rows declared far apart).
    budget = limits.max_text
    try:
        sheets = workbook.worksheets
        for number, sheet in enumerate(sheets[: limits.max_pages], start=1):
            lines, budget = _sheet_lines(sheet, budget)
            pages.append(Page(number, clean("\n".join(lines)), "office", None))
            if budget < 0:
                over = f"over {limits.max_text} cells and characters"
                problems.append(Problem("workbook read in part", None, over))
                break
        else:
            if len(sheets) > limits.max_pages:
                read = f"only the first {limits.max_pages} of {len(sheets)} sheets read"
                problems.append(Problem(read))
    finally:
        workbook.close()
    return conclude(kind, pages, problems)


def _sheet_lines(sheet: ReadOnlyWorksheet, budget: int) -> tuple[list[str], int]:
    """A sheet's rows as tab-separated lines, and the budget left (negative: sheet cut short)."""
    # A sheet's declared dimension is not trusted: it would pad every row to its width.
    sheet.reset_dimensions()
    lines: list[str] = []
    for row in sheet.iter_rows(values_only=True):
        line = "\t".join(_cell_text(value) for value in row).rstrip("\t")
        cost = max(1, len(row)) + (len(line) if line.strip() else 0)
        if cost > budget:
            return lines, -1
        budget -= cost
        if line.strip():
            lines.append(line)
    return lines, budget


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
