"""The register books (sổ đăng ký văn bản đến / đi) exported as CSV, XLSX or printable PDF."""

from __future__ import annotations

from collections.abc import Callable

from govmail.register.books.csv_book import export_csv
from govmail.register.books.model import (
    INCOMING_COLUMNS,
    OUTGOING_COLUMNS,
    Cover,
    IncomingRow,
    OutgoingRow,
    Rows,
)
from govmail.register.books.pdf_book import FontMissingError, export_pdf
from govmail.register.books.xlsx_book import export_xlsx

FORMATS: dict[str, Callable[[Cover, Rows], bytes]] = {
    "csv": export_csv,
    "xlsx": export_xlsx,
    "pdf": export_pdf,
}


def export(cover: Cover, rows: Rows, fmt: str) -> bytes:
    """The book in *fmt*: "csv", "xlsx" or "pdf"."""
    try:
        exporter = FORMATS[fmt]
    except KeyError:
        raise ValueError(
            f"unknown register book format {fmt!r}: use one of {tuple(FORMATS)}"
        ) from None
    return exporter(cover, rows)


__all__ = [
    "FORMATS",
    "INCOMING_COLUMNS",
    "OUTGOING_COLUMNS",
    "Cover",
    "FontMissingError",
    "IncomingRow",
    "OutgoingRow",
    "Rows",
    "export",
    "export_csv",
    "export_pdf",
    "export_xlsx",
]
