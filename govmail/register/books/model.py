"""The register books as plain data (Decree 30, Appendix IV) and the cell text all formats share."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date

BOOKS = ("incoming", "outgoing")

INCOMING_COLUMNS: tuple[str, ...] = (
    "Ngày đến",
    "Số đến",
    "Tác giả",
    "Số, ký hiệu văn bản",
    "Ngày tháng văn bản",
    "Tên loại và trích yếu nội dung",
    "Đơn vị hoặc người nhận",
    "Ngày chuyển",
    "Ký nhận",
    "Ghi chú",
)
OUTGOING_COLUMNS: tuple[str, ...] = (
    "Số, ký hiệu",
    "Ngày tháng văn bản",
    "Tên loại và trích yếu",
    "Người ký",
    "Nơi nhận",
    "Đơn vị, người nhận bản lưu",
    "Số lượng bản",
    "Ngày chuyển",
    "Ký nhận",
    "Ghi chú",
)

# C0/C1 controls other than tab and newline: meaningless in print, and illegal in XLSX cells.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
BLANK = "…………"

Cell = str | int | date | None


@dataclass(frozen=True)
class Cover:
    """The cover page of one register book."""

    parent_agency: str
    agency: str
    book: str
    year: int
    first_date: date | None
    last_date: date | None
    first_number: int | None
    last_number: int | None
    volume: int = 1

    def __post_init__(self) -> None:
        if self.book not in BOOKS:
            raise ValueError(f"book must be one of {BOOKS}, not {self.book!r}")


@dataclass(frozen=True)
class IncomingRow:
    """One line of the incoming register (sổ đăng ký văn bản đến), columns 1 to 10 in order."""

    arrival_date: date
    arrival_number: int
    issuer: str
    number: str
    document_date: date | None
    type_and_summary: str
    recipient: str
    handed_on: date | None
    signature: str
    note: str


@dataclass(frozen=True)
class OutgoingRow:
    """One line of the outgoing register (sổ đăng ký văn bản đi), columns 1 to 10 in order."""

    number: str
    document_date: date | None
    type_and_summary: str
    signer: str
    recipients: str
    file_copy: str
    copies: int | None
    handed_on: date | None
    signature: str
    note: str


Row = IncomingRow | OutgoingRow
Rows = Sequence[IncomingRow] | Sequence[OutgoingRow]


def columns(cover: Cover) -> tuple[str, ...]:
    """The ten column headings of *cover*'s book."""
    return INCOMING_COLUMNS if cover.book == "incoming" else OUTGOING_COLUMNS


def title(cover: Cover) -> str:
    """The book's title as printed on the cover."""
    return "SỔ ĐĂNG KÝ VĂN BẢN " + ("ĐẾN" if cover.book == "incoming" else "ĐI")


def check_rows(cover: Cover, rows: Rows) -> None:
    """Refuse rows of the other book: their columns would land under the wrong headings."""
    expected = IncomingRow if cover.book == "incoming" else OutgoingRow
    for index, row in enumerate(rows):
        if not isinstance(row, expected):
            raise ValueError(
                f"the {cover.book} book takes {expected.__name__} rows;"
                f" row {index} is a {type(row).__name__}"
            )


def cells(row: Row) -> tuple[Cell, ...]:
    """The row's ten values in column order, text cleaned for print."""
    values = (getattr(row, field.name) for field in fields(row))
    return tuple(clean(value) if isinstance(value, str) else value for value in values)


def clean(text: str) -> str:
    """NFC text with one kind of line break and no control characters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROLS.sub("", unicodedata.normalize("NFC", text))


def cell_text(value: Cell) -> str:
    """A value from cells() as text: dates dd/mm/yyyy, nothing for None."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, int):
        return str(value)
    return value


def cover_date(value: date | None) -> str:
    """A cover date in the Decree 30 form: day below 10 and months 1-2 padded (05/6/2012)."""
    if value is None:
        return BLANK
    month = f"{value.month:02d}" if value.month < 3 else str(value.month)
    return f"{value.day:02d}/{month}/{value.year}"


def cover_number(value: int | None) -> str:
    """A cover number: below 10 with a leading zero, like the document numbers themselves."""
    return BLANK if value is None else f"{value:02d}"


def cover_lines(cover: Cover) -> tuple[str, str, str, str]:
    """The year, date-range, number-range and volume lines under the title."""
    return (
        f"Năm: {cover.year}",
        f"Từ ngày {cover_date(cover.first_date)} đến ngày {cover_date(cover.last_date)}",
        f"Từ số {cover_number(cover.first_number)} đến số {cover_number(cover.last_number)}",
        f"Quyển số: {cover.volume}",
    )
