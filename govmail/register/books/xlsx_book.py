"""A register book as an XLSX sheet: the cover block, the numbered headings, then the rows."""

from __future__ import annotations

import io
from datetime import date
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from govmail.register.books.model import (
    Cell,
    Cover,
    Rows,
    cells,
    check_rows,
    clean,
    columns,
    cover_lines,
    title,
)

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

FONT = "Times New Roman"
# Column widths in characters, wide where the text runs long (summary, issuer, recipients).
WIDTHS = {
    "incoming": (12, 8, 28, 20, 12, 50, 24, 12, 12, 18),
    "outgoing": (20, 12, 50, 22, 28, 24, 9, 12, 12, 18),
}
HEADING_ROW = 9  # the cover block takes rows 1-8; the column numbers follow on row 10
FIRST_DATA_ROW = HEADING_ROW + 2

_SIDE = Side(style="thin")
_GRID = Border(left=_SIDE, right=_SIDE, top=_SIDE, bottom=_SIDE)
_CENTRED = Alignment(horizontal="center", vertical="center", wrap_text=True)
_TOP = Alignment(vertical="top", wrap_text=True)


def _named_styles() -> tuple[NamedStyle, ...]:
    # Made afresh for each workbook: adding a NamedStyle binds it to that workbook.
    return (
        NamedStyle("register agency", font=Font(name=FONT, size=12), alignment=_CENTRED),
        NamedStyle(
            "register agency bold", font=Font(name=FONT, size=12, bold=True), alignment=_CENTRED
        ),
        NamedStyle("register title", font=Font(name=FONT, size=16, bold=True), alignment=_CENTRED),
        NamedStyle("register line", font=Font(name=FONT, size=12), alignment=_CENTRED),
        NamedStyle(
            "register heading",
            font=Font(name=FONT, size=12, bold=True),
            alignment=_CENTRED,
            border=_GRID,
        ),
        NamedStyle(
            "register column number",
            font=Font(name=FONT, size=10, italic=True),
            alignment=_CENTRED,
            border=_GRID,
        ),
        NamedStyle("register text", font=Font(name=FONT, size=12), alignment=_TOP, border=_GRID),
        NamedStyle(
            "register date",
            font=Font(name=FONT, size=12),
            alignment=_TOP,
            border=_GRID,
            number_format="dd/mm/yyyy",
        ),
    )


def export_xlsx(cover: Cover, rows: Rows) -> bytes:
    """One sheet holding the whole book, frozen under the headings and printable A4 landscape."""
    check_rows(cover, rows)
    workbook = Workbook(write_only=True)
    for style in _named_styles():
        workbook.add_named_style(style)
    sheet = workbook.create_sheet(
        title=f"Sổ {'đến' if cover.book == 'incoming' else 'đi'} {cover.year}"
    )
    _lay_out(sheet, cover)
    _write_cover(sheet, cover)
    sheet.append([_cell(sheet, heading, "register heading") for heading in columns(cover)])
    sheet.append([_cell(sheet, str(n), "register column number") for n in range(1, 11)])
    for row in rows:
        sheet.append([_data_cell(sheet, value) for value in cells(row)])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _lay_out(sheet: WriteOnlyWorksheet, cover: Cover) -> None:
    # A write-only sheet takes its layout before the first row is appended.
    for index, width in enumerate(WIDTHS[cover.book], start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = f"A{FIRST_DATA_ROW}"
    sheet.print_title_rows = f"{HEADING_ROW}:{HEADING_ROW + 1}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _write_cover(sheet: WriteOnlyWorksheet, cover: Cover) -> None:
    block = [
        (clean(cover.parent_agency).upper(), "register agency"),
        (clean(cover.agency).upper(), "register agency bold"),
        (title(cover), "register title"),
        *((line, "register line") for line in cover_lines(cover)),
        ("", "register line"),
    ]
    last_column = get_column_letter(len(columns(cover)))
    for number, (text, style) in enumerate(block, start=1):
        sheet.append([_cell(sheet, text or None, style)])
        sheet.merged_cells.add(f"A{number}:{last_column}{number}")


def _data_cell(sheet: WriteOnlyWorksheet, value: Cell) -> WriteOnlyCell:
    if isinstance(value, date):
        return _cell(sheet, value, "register date")
    return _cell(sheet, None if value == "" else value, "register text")


def _cell(sheet: WriteOnlyWorksheet, value: Cell, style: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    cell.style = style
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl would store "=…" as a formula; this is document text
    return cell
