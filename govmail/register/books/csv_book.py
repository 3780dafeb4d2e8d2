"""A register book as CSV: UTF-8 with a BOM so that Excel reads the Vietnamese, one header row."""

from __future__ import annotations

import csv
import io

from govmail.register.books.model import Cover, Rows, cell_text, cells, check_rows, columns

# Spreadsheets run a cell starting with these as a formula, and summaries come from outside
# senders; a leading apostrophe is the usual defence (OWASP "CSV injection").
_FORMULA_STARTS = ("=", "+", "-", "@", "\t")


def export_csv(cover: Cover, rows: Rows) -> bytes:
    """The book's column headings, then one line per row in the order given."""
    check_rows(cover, rows)
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(columns(cover))
    writer.writerows([_defused(cell_text(value)) for value in cells(row)] for row in rows)
    return out.getvalue().encode("utf-8-sig")


def _defused(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_STARTS) else text
