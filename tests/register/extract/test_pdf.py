"""PDFs: the corpus's text layers, its scans through OCR, and pages of both kinds in one file."""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest

from govmail.register.extract import Extraction, Limits, extract, needs_ocr
from tests.register.extract.builders import (
    SCANNED_LINES,
    STAMP,
    TEXT_LINES,
    corpus,
    fold,
    mixed_pdf,
    pdf,
)

TEXT_PDFS = {
    "chi-thi-11-CT-UBND.pdf": [
        "Số: 11/CT-UBND",
        "văn bản điện tử",
        "Sông Lam, ngày 05 tháng 6 năm 2012",
        "CHỈ THỊ",
        "Nguyễn Văn An",
    ],
    "cong-van-125-UBND-VP.pdf": [
        "Số: 125/UBND-VP",
        "KHẨN",
        "V/v số hóa văn bản, tài liệu lưu trữ phục",
        "Kính gửi: Ủy ban nhân dân các xã, thị trấn.",
        "Lê Đức Cường",
    ],
    "bao-cao-07-BC-UBND.pdf": [
        "Số: 07/BC-UBND",
        "BÁO CÁO",
        "máy quét tài liệu đã cũ",
        "Phạm Văn Đông",
    ],
    "giay-moi-45-GM-STTTT.pdf": [
        "Số: 45/GM-STTTT",
        "GIẤY MỜI",
        "Hội trường tầng 3, Sở Thông tin và Truyền thông",
        "Trần Thị Bình",
    ],
}
# What the scans must yield: the number exactly, the rest compared without diacritics.
SCANS = {
    "chi-thi-11-CT-UBND-scan.pdf": (
        "11/CT-UBND",
        ["chi thi", "tang cuong su dung van ban dien tu", "nguyen van an"],
    ),
    "cong-van-125-UBND-VP-scan.pdf": (
        "125/UBND-VP",
        ["khan", "so hoa van ban", "le duc cuong"],
    ),
    "bao-cao-07-BC-UBND-scan.pdf": (
        "07/BC-UBND",
        ["bao cao", "may quet tai lieu", "pham van dong"],
    ),
}


@pytest.mark.parametrize("name", sorted(TEXT_PDFS))
def test_text_pdf_is_read_from_its_text_layer(name):
    result = extract(corpus(name), filename=name)
    assert (result.kind, result.status, result.reason) == ("application/pdf", "ok", None)
    assert [(page.number, page.method, page.confidence) for page in result.pages] == [
        (1, "text", None)
    ]
    for phrase in TEXT_PDFS[name]:
        assert phrase in result.text
    assert "\r" not in result.text


@pytest.mark.parametrize("name", sorted(TEXT_PDFS))
def test_text_pdf_needs_no_ocr(name):
    assert extract(corpus(name), ocr=False).status == "ok"


@pytest.fixture(scope="module")
def scans() -> dict[str, Extraction]:
    """Each scan OCR'd once for the whole module: a page costs seconds."""
    return {name: extract(corpus(name)) for name in SCANS}


@pytest.mark.parametrize("name", sorted(SCANS))
def test_scan_is_read_by_ocr(scans, name):
    result = scans[name]
    assert (result.status, result.reason) == ("ok", None)
    [page] = result.pages
    assert page.method == "ocr"
    assert page.confidence is not None and 50 < page.confidence <= 100
    number, phrases = SCANS[name]
    assert f"Số: {number}" in page.text
    for phrase in phrases:
        assert phrase in fold(page.text)


@pytest.mark.parametrize("name", sorted(SCANS))
def test_scan_without_ocr_fails_and_says_why(name):
    result = extract(corpus(name), ocr=False)
    assert (result.status, result.reason) == ("failed", "OCR disabled")
    assert [(page.method, page.text) for page in result.pages] == [("text", "")]


@pytest.fixture(scope="module")
def mixed() -> bytes:
    return mixed_pdf()


@pytest.fixture(scope="module")
def mixed_result(mixed) -> Extraction:
    return extract(mixed)


def test_only_the_pages_without_text_are_ocrd(mixed_result):
    assert (mixed_result.status, mixed_result.reason) == ("ok", None)
    assert [page.method for page in mixed_result.pages] == ["text", "ocr", "ocr"]
    typed, scanned, stamped = mixed_result.pages
    assert typed.text == "\n".join(TEXT_LINES)
    assert typed.confidence is None
    for page in (scanned, stamped):
        assert page.confidence is not None
        assert "12/Q" in page.text
        assert fold(SCANNED_LINES[1]) in fold(page.text)
    assert mixed_result.text.count("\n\f\n") == 2


def test_a_scan_with_a_signature_stamp_keeps_the_stamp_once(mixed_result):
    stamped = mixed_result.pages[2]
    assert stamped.method == "ocr"
    assert fold(stamped.text).count(fold(STAMP)) == 1


def test_ocr_disabled_keeps_the_text_pages(mixed):
    result = extract(mixed, ocr=False)
    assert result.status == "partial"
    assert result.reason == "OCR disabled on pages 2, 3"
    assert result.pages[0].text == "\n".join(TEXT_LINES)
    assert [page.method for page in result.pages] == ["text", "text", "text"]
    assert STAMP in result.pages[2].text


def test_missing_tesseract_is_a_reason_not_a_crash(mixed, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    result = extract(mixed)
    assert result.status == "partial"
    assert result.reason == "OCR failed on pages 2, 3: tesseract is not installed"


def test_tesseract_is_killed_after_the_timeout(mixed):
    result = extract(mixed, limits=Limits(ocr_timeout=0.001))
    assert result.status == "partial"
    assert result.reason == "OCR failed on pages 2, 3: tesseract timed out after 0.001 s"


def test_a_missing_language_model_is_reported(mixed):
    result = extract(mixed, limits=Limits(ocr_language="xxx"))
    assert result.status == "partial"
    assert result.reason.startswith("OCR failed on pages 2, 3: tesseract exited with status")


def test_page_renders_are_scaled_down_to_the_pixel_limit(mixed):
    # At 300 dpi the scanned pages would need 1.5 megapixels.
    result = extract(mixed, limits=Limits(max_pixels=400_000))
    assert result.status == "ok"
    assert [page.method for page in result.pages] == ["text", "ocr", "ocr"]


def test_only_max_pages_are_read(mixed):
    result = extract(mixed, limits=Limits(max_pages=1), ocr=False)
    assert result.status == "partial"
    assert result.reason == "only the first 1 of 3 pages read"
    assert len(result.pages) == 1


def test_encrypted_pdf_fails():
    data = pdf([(TEXT_LINES, None)], encrypt="secret")
    with pdfium.PdfDocument(data, password="secret") as document:
        assert len(document) == 1  # a real encrypted PDF, not a broken one
    result = extract(data)
    assert (result.kind, result.status, result.reason) == (
        "application/pdf",
        "failed",
        "encrypted PDF",
    )
    assert result.pages == ()


@pytest.mark.parametrize("name", ["chi-thi-11-CT-UBND.pdf", "chi-thi-11-CT-UBND-scan.pdf"])
def test_truncated_pdf_fails(name):
    data = corpus(name)
    result = extract(data[: len(data) // 2])
    assert result.status == "failed"
    assert result.reason == "corrupt PDF: Data format error"


def test_garbage_after_the_pdf_header_fails():
    result = extract(b"%PDF-1.7\n" + bytes(range(256)) * 20)
    assert (result.kind, result.status) == ("application/pdf", "failed")
    assert result.reason.startswith("corrupt PDF: ")


def test_needs_ocr():
    sentence = "Ủy ban nhân dân tỉnh Sông Lam chỉ thị các sở, ban, ngành thực hiện."
    assert needs_ocr("")
    assert needs_ocr("  - 2 -  \n")
    assert needs_ocr("Trang 1")
    assert not needs_ocr(sentence)
    assert needs_ocr("\ue000\ue001\ue002 " * 10 + sentence)
    assert needs_ocr("\x02\x03\x04" * 10 + sentence)
    assert needs_ocr("\ufffd" * 20 + sentence)
    # A scan with a signature stamp: few words over a page-sized image.
    assert needs_ocr(sentence, image_coverage=0.95)
    assert not needs_ocr(sentence * 5, image_coverage=0.95)
