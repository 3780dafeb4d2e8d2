"""The register books (Appendix IV) exported as CSV, XLSX and PDF, read back as a user would."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
import unicodedata
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from govmail.register.books import (
    INCOMING_COLUMNS,
    OUTGOING_COLUMNS,
    Cover,
    FontMissingError,
    IncomingRow,
    OutgoingRow,
    export,
    export_csv,
    export_pdf,
    export_xlsx,
    pdf_book,
)

PARENT = "ỦY BAN NHÂN DÂN TỈNH SÔNG LAM"
AGENCY = "VĂN PHÒNG ỦY BAN NHÂN DÂN TỈNH"
SUMMARY = "Công văn V/v hướng dẫn quyết toán ngân sách năm 2012 của Sở Tài chính"
MARKUP = "Báo cáo tình hình A&B <b>không đậm</b> > 5% & <br/> tăng"

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdffonts") is None,
    reason="poppler-utils (pdftotext, pdffonts) is not installed",
)


def incoming_cover(last_number: int | None = 3, **changes: object) -> Cover:
    values: dict[str, object] = {
        "parent_agency": PARENT,
        "agency": AGENCY,
        "book": "incoming",
        "year": 2012,
        "first_date": date(2012, 6, 5),
        "last_date": date(2012, 12, 28),
        "first_number": 1,
        "last_number": last_number,
        "volume": 2,
    }
    return Cover(**{**values, **changes})


def outgoing_cover(**changes: object) -> Cover:
    return incoming_cover(**{"book": "outgoing", **changes})


def incoming_rows() -> list[IncomingRow]:
    # Deliberately out of number order: the book prints rows as given.
    return [
        IncomingRow(
            arrival_date=date(2012, 6, 5),
            arrival_number=2,
            issuer="Sở Tài chính",
            number="105/STC-NS",
            document_date=date(2012, 6, 1),
            type_and_summary=SUMMARY,
            recipient="Phòng Tổng hợp",
            handed_on=date(2012, 6, 6),
            signature="",
            note="Khẩn",
        ),
        IncomingRow(
            arrival_date=date(2012, 6, 7),
            arrival_number=1,
            issuer="Bộ Nội vụ",
            number="",
            document_date=None,
            type_and_summary=MARKUP,
            recipient="Lãnh đạo Văn phòng",
            handed_on=None,
            signature="",
            note="",
        ),
        IncomingRow(
            arrival_date=date(2012, 12, 28),
            arrival_number=3,
            issuer="Sở Tài nguyên & Môi trường",
            number="07/TNMT-VP",
            document_date=date(2012, 12, 20),
            type_and_summary="Tờ trình về việc phê duyệt, điều chỉnh\nkế hoạch",
            recipient="Chánh Văn phòng",
            handed_on=date(2012, 12, 29),
            signature="Nguyễn Văn An",
            note="Bản giấy",
        ),
    ]


def outgoing_rows() -> list[OutgoingRow]:
    return [
        OutgoingRow(
            number="11/QĐ-UBND",
            document_date=date(2012, 6, 5),
            type_and_summary="Quyết định về việc thành lập Ban chỉ đạo",
            signer="Trần Thị Bình",
            recipients="Các sở, ban, ngành",
            file_copy="Lưu: VT, NC",
            copies=25,
            handed_on=date(2012, 6, 6),
            signature="",
            note="",
        ),
        OutgoingRow(
            number="05/UBND-VX",
            document_date=None,
            type_and_summary=MARKUP,
            signer="Lê Văn Cường",
            recipients="Sở Y tế",
            file_copy="",
            copies=None,
            handed_on=None,
            signature="",
            note="Gửi qua trục liên thông",
        ),
    ]


def long_incoming(count: int) -> list[IncomingRow]:
    return [
        IncomingRow(
            arrival_date=date(2012, 6, 5) + timedelta(days=n // 10),
            arrival_number=n,
            issuer="Sở Kế hoạch và Đầu tư",
            number=f"{n:02d}/SKHĐT-TH",
            document_date=date(2012, 6, 1),
            type_and_summary=f"Công văn số {n} về việc đôn đốc thực hiện kế hoạch",
            recipient="Phòng Kinh tế",
            handed_on=None,
            signature="",
            note="",
        )
        for n in range(1, count + 1)
    ]


def csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def sheet_of(data: bytes):
    workbook = load_workbook(io.BytesIO(data))
    assert len(workbook.worksheets) == 1
    return workbook.worksheets[0]


def row_values(sheet, number: int) -> list[object]:
    return [cell.value for cell in sheet[number]][:10]


def pdf_pages(data: bytes, tmp_path: Path) -> list[str]:
    path = tmp_path / "book.pdf"
    path.write_bytes(data)
    text = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"],
        check=True,
        capture_output=True,
    ).stdout.decode("utf-8")
    return text.split("\f")[:-1]  # pdftotext ends every page, the last one too, with a form feed


def arrival_numbers(pages: list[str]) -> list[int]:
    """Số đến of each printed row: a row's first line starts with its arrival date and number."""
    found = re.findall(r"^\s*\d\d/\d\d/\d{4}\s+(\d+)\s", "\n".join(pages), re.MULTILINE)
    return [int(number) for number in found]


COLUMN_NUMBERS = re.compile(r"^\s*1\s+2\s+3\s+4\s+5\s+6\s+7\s+8\s+9\s+10\s*$", re.MULTILINE)


# CSV


def test_csv_incoming_has_headings_then_rows_in_the_given_order() -> None:
    lines = csv_rows(export_csv(incoming_cover(), incoming_rows()))
    assert tuple(lines[0]) == INCOMING_COLUMNS
    assert lines[1:] == [
        [
            "05/06/2012",
            "2",
            "Sở Tài chính",
            "105/STC-NS",
            "01/06/2012",
            SUMMARY,
            "Phòng Tổng hợp",
            "06/06/2012",
            "",
            "Khẩn",
        ],
        ["07/06/2012", "1", "Bộ Nội vụ", "", "", MARKUP, "Lãnh đạo Văn phòng", "", "", ""],
        [
            "28/12/2012",
            "3",
            "Sở Tài nguyên & Môi trường",
            "07/TNMT-VP",
            "20/12/2012",
            "Tờ trình về việc phê duyệt, điều chỉnh\nkế hoạch",
            "Chánh Văn phòng",
            "29/12/2012",
            "Nguyễn Văn An",
            "Bản giấy",
        ],
    ]


def test_csv_outgoing_prints_counts_and_blanks() -> None:
    lines = csv_rows(export_csv(outgoing_cover(), outgoing_rows()))
    assert tuple(lines[0]) == OUTGOING_COLUMNS
    assert lines[1] == [
        "11/QĐ-UBND",
        "05/06/2012",
        "Quyết định về việc thành lập Ban chỉ đạo",
        "Trần Thị Bình",
        "Các sở, ban, ngành",
        "Lưu: VT, NC",
        "25",
        "06/06/2012",
        "",
        "",
    ]
    assert lines[2][1] == "" and lines[2][6] == "" and lines[2][7] == ""


def test_csv_text_is_nfc_and_free_of_control_characters() -> None:
    row = incoming_rows()[0]
    decomposed = unicodedata.normalize("NFD", SUMMARY) + "\x07"
    lines = csv_rows(export_csv(incoming_cover(), [replace(row, type_and_summary=decomposed)]))
    assert lines[1][5] == SUMMARY


def test_csv_keeps_spreadsheets_from_running_summaries_as_formulas() -> None:
    row = incoming_rows()[0]
    hostile = '=HYPERLINK("http://x.example/","bấm")'
    lines = csv_rows(export_csv(incoming_cover(), [replace(row, type_and_summary=hostile)]))
    assert lines[1][5] == "'" + hostile


def test_csv_of_an_empty_book_is_the_header_alone() -> None:
    assert csv_rows(export_csv(outgoing_cover(), [])) == [list(OUTGOING_COLUMNS)]


# XLSX


def test_xlsx_cover_block_names_the_agency_book_year_and_ranges() -> None:
    sheet = sheet_of(export_xlsx(incoming_cover(), incoming_rows()))
    assert [sheet.cell(row=n, column=1).value for n in range(1, 9)] == [
        PARENT,
        AGENCY,
        "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN",
        "Năm: 2012",
        "Từ ngày 05/6/2012 đến ngày 28/12/2012",
        "Từ số 01 đến số 03",
        "Quyển số: 2",
        None,
    ]
    assert "A3:J3" in {str(merged) for merged in sheet.merged_cells.ranges}
    assert sheet["A3"].font.b


def test_xlsx_cover_leaves_unknown_ranges_blank_to_fill_by_hand() -> None:
    cover = incoming_cover(parent_agency="", first_date=None, last_number=None)
    sheet = sheet_of(export_xlsx(cover, []))
    assert sheet["A1"].value is None
    assert sheet["A5"].value == "Từ ngày ………… đến ngày 28/12/2012"
    assert sheet["A6"].value == "Từ số 01 đến số …………"


def test_xlsx_incoming_headings_column_numbers_and_rows() -> None:
    sheet = sheet_of(export_xlsx(incoming_cover(), incoming_rows()))
    assert tuple(row_values(sheet, 9)) == INCOMING_COLUMNS
    assert row_values(sheet, 10) == [str(n) for n in range(1, 11)]
    assert row_values(sheet, 11) == [
        datetime(2012, 6, 5),
        2,
        "Sở Tài chính",
        "105/STC-NS",
        datetime(2012, 6, 1),
        SUMMARY,
        "Phòng Tổng hợp",
        datetime(2012, 6, 6),
        None,
        "Khẩn",
    ]
    assert row_values(sheet, 12) == [
        datetime(2012, 6, 7),
        1,
        "Bộ Nội vụ",
        None,
        None,
        MARKUP,
        "Lãnh đạo Văn phòng",
        None,
        None,
        None,
    ]
    assert sheet["F13"].value == "Tờ trình về việc phê duyệt, điều chỉnh\nkế hoạch"
    assert sheet.max_row == 13


def test_xlsx_dates_are_date_cells_shown_day_first() -> None:
    sheet = sheet_of(export_xlsx(incoming_cover(), incoming_rows()))
    for ref in ("A11", "E11", "H11"):
        assert sheet[ref].is_date
        assert sheet[ref].number_format == "dd/mm/yyyy"
    assert sheet["B11"].data_type == "n"


def test_xlsx_is_laid_out_for_reading_and_printing() -> None:
    sheet = sheet_of(export_xlsx(incoming_cover(), incoming_rows()))
    assert sheet.freeze_panes == "A11"
    assert sheet.print_title_rows == "$9:$10"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.column_dimensions["F"].width > sheet.column_dimensions["B"].width
    assert sheet["F11"].alignment.wrap_text
    assert sheet["A9"].font.b


def test_xlsx_outgoing_book() -> None:
    sheet = sheet_of(export_xlsx(outgoing_cover(), outgoing_rows()))
    assert sheet["A3"].value == "SỔ ĐĂNG KÝ VĂN BẢN ĐI"
    assert tuple(row_values(sheet, 9)) == OUTGOING_COLUMNS
    assert row_values(sheet, 11) == [
        "11/QĐ-UBND",
        datetime(2012, 6, 5),
        "Quyết định về việc thành lập Ban chỉ đạo",
        "Trần Thị Bình",
        "Các sở, ban, ngành",
        "Lưu: VT, NC",
        25,
        datetime(2012, 6, 6),
        None,
        None,
    ]
    assert row_values(sheet, 12)[6] is None


def test_xlsx_keeps_formula_like_text_as_text() -> None:
    row = replace(incoming_rows()[0], type_and_summary="=1+1", note="=SUM(A1:A9)")
    sheet = sheet_of(export_xlsx(incoming_cover(), [row]))
    assert (sheet["F11"].value, sheet["F11"].data_type) == ("=1+1", "s")
    assert (sheet["J11"].value, sheet["J11"].data_type) == ("=SUM(A1:A9)", "s")


def test_xlsx_text_is_nfc_without_control_characters() -> None:
    row = replace(incoming_rows()[0], type_and_summary=unicodedata.normalize("NFD", SUMMARY))
    row = replace(row, issuer="Sở\x00 Tài\x1b chính")
    sheet = sheet_of(export_xlsx(incoming_cover(), [row]))
    assert sheet["F11"].value == SUMMARY
    assert sheet["C11"].value == "Sở Tài chính"


def test_xlsx_of_an_empty_book_stops_after_the_column_numbers() -> None:
    sheet = sheet_of(export_xlsx(outgoing_cover(), []))
    assert tuple(row_values(sheet, 9)) == OUTGOING_COLUMNS
    assert sheet.max_row == 10


# PDF


@pytest.fixture(scope="module")
def long_book_pages(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    pdf = export_pdf(incoming_cover(last_number=120), long_incoming(120))
    return pdf_pages(pdf, tmp_path_factory.mktemp("long-book"))


@needs_poppler
def test_pdf_cover_page_follows_appendix_iv(long_book_pages: list[str]) -> None:
    cover = long_book_pages[0]
    for line in (
        PARENT,
        AGENCY,
        "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN",
        "Năm: 2012",
        "Từ ngày 05/6/2012 đến ngày 28/12/2012",
        "Từ số 01 đến số 120",
        "Quyển số: 2",
    ):
        assert line in cover
    assert "Tác giả" not in cover
    assert cover.index(AGENCY) < cover.index("SỔ ĐĂNG KÝ") < cover.index("Năm: 2012")


@needs_poppler
def test_pdf_headings_and_column_numbers_repeat_on_every_table_page(
    long_book_pages: list[str],
) -> None:
    table_pages = long_book_pages[1:]
    assert len(table_pages) >= 3
    for page in table_pages:
        for heading in ("Ngày đến", "Số đến", "Tác giả", "trích yếu nội dung", "Ghi chú"):
            assert heading in page
        assert COLUMN_NUMBERS.search(page)


@needs_poppler
def test_pdf_prints_every_row_once_in_order(long_book_pages: list[str]) -> None:
    assert arrival_numbers(long_book_pages) == list(range(1, 121))
    text = "\n".join(long_book_pages)
    assert "Sở Kế hoạch và Đầu tư" in text
    assert "Công văn số 120 về việc đôn" in text


@needs_poppler
def test_pdf_numbers_the_table_pages(long_book_pages: list[str]) -> None:
    for number, page in enumerate(long_book_pages[1:], start=2):
        assert re.search(rf"^\s*Trang {number}\s*$", page, re.MULTILINE)
    assert "Trang" not in long_book_pages[0]


@needs_poppler
def test_pdf_keeps_vietnamese_and_markup_characters_literal(tmp_path: Path) -> None:
    cover = incoming_cover(agency="SỞ TÀI NGUYÊN & MÔI TRƯỜNG <TỈNH>")
    pages = pdf_pages(export_pdf(cover, incoming_rows()), tmp_path)
    assert "SỞ TÀI NGUYÊN & MÔI TRƯỜNG <TỈNH>" in pages[0]
    text = "\n".join(pages[1:])
    for fragment in ("A&B", "<b>không", "đậm</b>", "5%", "<br/>", "Sở Tài nguyên &", "quyết toán"):
        assert fragment in text
    assert "&amp;" not in text
    assert arrival_numbers(pages) == [2, 1, 3]
    assert unicodedata.is_normalized("NFC", text)


@needs_poppler
def test_pdf_outgoing_book(tmp_path: Path) -> None:
    pages = pdf_pages(export_pdf(outgoing_cover(), outgoing_rows()), tmp_path)
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐI" in pages[0]
    assert "ĐẾN" not in pages[0]
    table = pages[1]
    for heading in ("Số, ký hiệu", "Người ký", "Nơi nhận", "Ký nhận", "Ghi chú"):
        assert heading in table
    assert COLUMN_NUMBERS.search(table)
    assert re.search(r"11/QĐ-UBND\s+05/06/2012\s+Quyết định", table)
    assert re.search(r"Lưu: VT, NC\s+25\s+06/06/2012", table)
    assert "05/UBND-VX" in table and "Trần Thị Bình" in table


@needs_poppler
def test_pdf_of_an_empty_book_is_the_cover_and_the_headings(tmp_path: Path) -> None:
    pages = pdf_pages(export_pdf(incoming_cover(last_number=None), []), tmp_path)
    assert len(pages) == 2
    assert "Từ số 01 đến số …………" in pages[0]
    assert "Tác giả" in pages[1] and COLUMN_NUMBERS.search(pages[1])
    assert arrival_numbers(pages) == []


@needs_poppler
def test_pdf_splits_a_summary_longer_than_a_page_across_pages(tmp_path: Path) -> None:
    first, *others = incoming_rows()
    long_row = replace(first, type_and_summary="đồng ý " * 2000)
    pages = pdf_pages(export_pdf(incoming_cover(), [long_row, *others]), tmp_path)
    text = "\n".join(pages[1:])
    assert len(pages) > 3
    assert len(re.findall(r"\bđồng\b", text)) == len(re.findall(r"\bý\b", text)) == 2000
    assert arrival_numbers(pages) == [2, 1, 3]


@needs_poppler
def test_pdf_cuts_a_word_wider_than_its_column(tmp_path: Path) -> None:
    row = replace(incoming_rows()[0], issuer="z" * 400)
    pages = pdf_pages(export_pdf(incoming_cover(), [row]), tmp_path)
    pieces = re.findall(r"z+", pages[1])
    assert len(pieces) > 1
    assert sum(map(len, pieces)) == 400


@needs_poppler
def test_pdf_embeds_liberation_serif_and_nothing_else(tmp_path: Path) -> None:
    path = tmp_path / "book.pdf"
    path.write_bytes(export_pdf(outgoing_cover(), outgoing_rows()))
    listing = subprocess.run(
        ["pdffonts", str(path)], check=True, capture_output=True, text=True
    ).stdout.splitlines()[2:]
    names = {line.split()[0].split("+")[-1]: line.split() for line in listing}
    assert set(names) == {"LiberationSerif", "LiberationSerif-Bold"}
    for fields in names.values():
        assert fields[-5] == "yes"  # the "emb" column


def test_pdf_names_the_debian_package_when_the_font_is_missing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(pdf_book, "FONT_DIR", tmp_path)
    with pytest.raises(FontMissingError, match="fonts-liberation2"):
        export_pdf(incoming_cover(), incoming_rows())


# Dispatch and validation


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf"])
def test_export_dispatches_on_format(fmt: str) -> None:
    data = export(incoming_cover(), incoming_rows(), fmt)
    signature = {"csv": b"\xef\xbb\xbfNg", "xlsx": b"PK\x03\x04", "pdf": b"%PDF-"}[fmt]
    assert data.startswith(signature)


@pytest.mark.parametrize("fmt", ["docx", "CSV", "", "pdf "])
def test_export_refuses_unknown_formats(fmt: str) -> None:
    with pytest.raises(ValueError, match="format"):
        export(incoming_cover(), incoming_rows(), fmt)


@pytest.mark.parametrize("exporter", [export_csv, export_xlsx, export_pdf])
def test_rows_of_the_other_book_are_refused(exporter) -> None:
    with pytest.raises(ValueError, match="OutgoingRow"):
        exporter(incoming_cover(), outgoing_rows())
    with pytest.raises(ValueError, match="IncomingRow"):
        exporter(outgoing_cover(), incoming_rows())


def test_cover_refuses_an_unknown_book() -> None:
    with pytest.raises(ValueError, match="book"):
        incoming_cover(book="internal")


def test_headings_are_the_ten_of_appendix_iv() -> None:
    assert len(INCOMING_COLUMNS) == len(OUTGOING_COLUMNS) == 10
    assert INCOMING_COLUMNS[1] == "Số đến"
    assert INCOMING_COLUMNS[5] == "Tên loại và trích yếu nội dung"
    assert OUTGOING_COLUMNS[5] == "Đơn vị, người nhận bản lưu"
