"""Office files: DOCX from the corpus, XLSX and OpenDocument built here, and zip bombs."""

from __future__ import annotations

import datetime
import io

import docx
import openpyxl
import pytest

from govmail.register.extract import Limits, extract
from tests.register.extract.builders import MiB, corpus, declare_size, odf, zip_bomb, zip_of

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"

DOCX_FILES = {
    "bao-cao-07-BC-UBND.docx": [
        "XÃ TÂN PHÚ",
        "Số: 07/BC-UBND",
        "Tân Phú, ngày 26 tháng 11 năm 2012",
        "BÁO CÁO",
        "máy quét tài liệu đã cũ",
        "Phạm Văn Đông",
    ],
    "giay-moi-45-GM-STTTT.docx": [
        "SỞ THÔNG TIN VÀ TRUYỀN THÔNG",
        "Số: 45/GM-STTTT",
        "Sông Lam, ngày 12 tháng 9 năm 2012",
        "GIẤY MỜI",
        "Hội trường tầng 3",
        "Trần Thị Bình",
    ],
}


@pytest.mark.parametrize("name", sorted(DOCX_FILES))
def test_docx_is_read_in_document_order(name):
    result = extract(corpus(name), declared="application/octet-stream", filename=name)
    assert (result.kind, result.status, result.reason) == (DOCX, "ok", None)
    [page] = result.pages
    assert (page.number, page.method, page.confidence) == (1, "office", None)
    positions = [page.text.index(phrase) for phrase in DOCX_FILES[name]]
    assert positions == sorted(positions)
    # The header table's cells each on a line of their own, as the PDF's text layer has them.
    assert "\nSố: " in page.text


def test_docx_headers_tables_and_merged_cells():
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "Mẫu 1.1 - Nghị định 30"
    document.add_paragraph("Trước bảng")
    table = document.add_table(rows=2, cols=3)
    table.cell(0, 0).merge(table.cell(0, 2)).text = "Ô gộp ba cột"
    for column, text in enumerate(["một", "hai", "ba"]):
        table.cell(1, column).text = text
    document.add_paragraph("Sau bảng")
    buffer = io.BytesIO()
    document.save(buffer)
    result = extract(buffer.getvalue())
    assert result.status == "ok"
    assert result.text == "Mẫu 1.1 - Nghị định 30\nTrước bảng\nÔ gộp ba cột\nmột\nhai\nba\nSau bảng"


def xlsx_bytes() -> bytes:
    workbook = openpyxl.Workbook()
    first = workbook.active
    first.title = "Sổ văn bản đến"
    first.append(["Số đến", "Ngày đến", "Số, ký hiệu", "Trích yếu"])
    first.append([1, datetime.datetime(2012, 6, 5), "11/CT-UBND", "Tăng cường văn bản điện tử"])
    first.append([2, datetime.datetime(2012, 10, 3, 9, 15), "125/UBND-VP", None, None])
    first.append([])
    first.append([None, None, 3.5, True])
    second = workbook.create_sheet("Ghi chú")
    second["B2"] = "Đã vào sổ"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_has_a_page_per_sheet_with_tab_separated_rows():
    result = extract(xlsx_bytes(), filename="so-den.xlsx")
    assert (result.kind, result.status) == (XLSX, "ok")
    assert [(page.number, page.method) for page in result.pages] == [(1, "office"), (2, "office")]
    assert result.pages[0].text == (
        "Số đến\tNgày đến\tSố, ký hiệu\tTrích yếu\n"
        "1\t2012-06-05\t11/CT-UBND\tTăng cường văn bản điện tử\n"
        "2\t2012-10-03 09:15:00\t125/UBND-VP\n"
        "\t\t3.5\tTRUE"
    )
    assert result.pages[1].text == "\tĐã vào sổ"


def test_xlsx_text_amplified_by_shared_strings_is_capped():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for _ in range(200):
        sheet.append(["Một chuỗi dùng chung rất dài " * 20] * 5)
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = extract(buffer.getvalue(), limits=Limits(max_text=10_000))
    assert result.status == "partial"
    assert result.reason == "workbook read in part: over 10000 cells and characters"
    assert len(result.text) <= 10_000


ODT_BODY = (
    "<office:text>"
    "<text:h>CHỈ THỊ</text:h>"
    '<text:p>Số:<text:s text:c="3"/>11/CT-UBND<text:tab/>Sông Lam</text:p>'
    "<text:p>Về việc <text:span>tăng cường</text:span> sử dụng<text:line-break/>văn bản</text:p>"
    "<text:tracked-changes><text:p>đã xoá</text:p></text:tracked-changes>"
    "<table:table><table:table-row>"
    "<table:table-cell><text:p>Nơi nhận:</text:p></table:table-cell>"
    "<table:table-cell><text:p>TM. ỦY BAN NHÂN DÂN</text:p><text:p>CHỦ TỊCH</text:p>"
    "</table:table-cell></table:table-row></table:table>"
    "</office:text>"
)


def test_odt_paragraphs_headings_and_tables():
    result = extract(odf(ODT, ODT_BODY))
    assert (result.kind, result.status) == (ODT, "ok")
    assert result.pages[0].method == "office"
    assert result.text == (
        "CHỈ THỊ\nSố:   11/CT-UBND\tSông Lam\nVề việc tăng cường sử dụng\nvăn bản\n"
        "Nơi nhận:\nTM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH"
    )


def test_ods_rows_are_tab_separated():
    body = (
        "<office:spreadsheet><table:table>"
        "<table:table-row><table:table-cell><text:p>Số</text:p></table:table-cell>"
        "<table:table-cell><text:p>Trích yếu</text:p></table:table-cell></table:table-row>"
        "<table:table-row><table:table-cell/><table:table-cell><text:p>Giấy mời</text:p>"
        "</table:table-cell></table:table-row>"
        "</table:table></office:spreadsheet>"
    )
    result = extract(odf(ODS, body))
    assert (result.kind, result.status, result.text) == (ODS, "ok", "Số\tTrích yếu\n\tGiấy mời")


def test_odt_entity_expansion_is_refused():
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "hahahahaha">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><d>&b;</d>'
    )
    result = extract(zip_of({"mimetype": ODT, "content.xml": laughs}))
    assert (result.kind, result.status) == (ODT, "failed")
    assert result.reason.startswith("corrupt OpenDocument: EntitiesForbidden")


def test_deeply_nested_odt_fails_without_raising():
    depth = 100_000
    body = "<text:section>" * depth + "</text:section>" * depth
    result = extract(odf(ODT, f"<office:text>{body}</office:text>"))
    assert (result.kind, result.status) == (ODT, "failed")
    assert "RecursionError" in result.reason


def test_zip_bomb_is_refused_before_unpacking():
    data = zip_bomb("word/document.xml", 201 * MiB)
    assert len(data) < MiB
    result = extract(data)
    assert (result.kind, result.status) == (DOCX, "failed")
    assert result.reason.startswith("zip members unpack to 2107")
    assert result.reason.endswith("bytes, over the limit of 209715200")


def test_max_unpacked_is_configurable():
    result = extract(corpus("bao-cao-07-BC-UBND.docx"), limits=Limits(max_unpacked=100_000))
    assert result.status == "failed"
    assert "over the limit of 100000" in result.reason


def test_a_member_lying_about_its_size_cannot_unpack_more():
    data = declare_size(corpus("giay-moi-45-GM-STTTT.docx"), "word/document.xml", 10)
    result = extract(data)
    assert (result.kind, result.status) == (DOCX, "failed")
    assert result.reason.startswith("corrupt DOCX: BadZipFile: Bad CRC-32")


def test_truncated_docx_fails():
    data = corpus("giay-moi-45-GM-STTTT.docx")
    result = extract(data[: len(data) // 2])
    assert (result.kind, result.status) == (DOCX, "failed")
    assert result.reason.startswith("corrupt zip")
