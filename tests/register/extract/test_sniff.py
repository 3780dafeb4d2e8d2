"""sniff(): the bytes decide; the declared type and file name only break ties."""

from __future__ import annotations

import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from govmail.register.extract import sniff
from tests.register.extract.builders import corpus, image_bytes, odf, zip_of

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("chi-thi-11-CT-UBND.pdf", "application/pdf"),
        ("chi-thi-11-CT-UBND-scan.pdf", "application/pdf"),
        ("giay-moi-45-GM-STTTT.docx", DOCX),
    ],
)
def test_corpus_kinds(name, kind):
    # The header and name lie, as a mail client's guess often does: the magic wins.
    assert sniff(corpus(name), declared="text/plain", filename="scan.jpg") == kind


@pytest.mark.parametrize(
    ("pil_format", "kind"),
    [
        ("PNG", "image/png"),
        ("JPEG", "image/jpeg"),
        ("TIFF", "image/tiff"),
        ("GIF", "image/gif"),
        ("BMP", "image/bmp"),
        ("WEBP", "image/webp"),
    ],
)
def test_image_kinds(pil_format, kind):
    data = image_bytes(Image.new("RGB", (8, 8), "white"), pil_format)
    assert sniff(data, declared="application/pdf") == kind


def test_zip_members_tell_the_office_formats_apart():
    assert sniff(zip_of({"word/document.xml": "<w/>"})) == DOCX
    assert sniff(zip_of({"xl/workbook.xml": "<w/>"})) == XLSX
    assert sniff(odf(ODT, "")) == ODT
    assert sniff(zip_of({"a.txt": "a"}), declared=DOCX, filename="a.docx") == "application/zip"


def test_pdf_header_after_junk_but_not_inside_another_format():
    assert sniff(b"X-Mailer-Junk\r\n%PDF-1.4\n...") == "application/pdf"
    stored = zip_of({"van-ban.pdf": corpus("chi-thi-11-CT-UBND.pdf")}, zipfile.ZIP_STORED)
    assert b"%PDF-" in stored[:1024]
    assert sniff(stored) == "application/zip"
    assert sniff(zip_of({"mimetype": "application/pdf", "a.pdf": "%PDF-"})) == "application/zip"


def test_truncated_office_file_keeps_its_kind():
    data = corpus("giay-moi-45-GM-STTTT.docx")
    assert sniff(data[: len(data) // 2]) == DOCX
    data = odf(ODT, "<office:text/>")
    assert sniff(data[:200]) == ODT


def test_text_subtypes_come_from_the_hints():
    data = "Số,Trích yếu\n".encode()
    assert sniff(data) == "text/plain"
    assert sniff(data, declared="text/csv; charset=utf-8") == "text/csv"
    assert sniff(data, filename="so-den.csv") == "text/csv"
    assert sniff(data, declared="application/pdf", filename="a.pdf") == "text/plain"
    assert sniff(b"<!doctype html><p>a</p>", declared="text/plain") == "text/html"
    assert sniff(b"<?xml version='1.0'?><edXML/>") == "application/xml"


def test_legacy_charsets_are_text_and_binary_is_not():
    assert sniff("Thứ Hai: họp giao ban".encode("cp1258", "replace")) == "text/plain"
    assert sniff(b"Nguy\xea\xden V\xe3n An") == "text/plain"
    assert sniff("Báo cáo".encode("utf-16")) == "text/plain"
    assert sniff(b"abc\x00def") == "application/octet-stream"
    assert sniff(b"\x01\x02\x03\x04 binary") == "application/octet-stream"
    assert sniff(b"") == "application/octet-stream"


def test_text_starting_with_bm_is_not_a_bitmap():
    assert sniff(b"BMW Group: b\xc3\xa1o c\xc3\xa1o n\xc4\x83m 2012") == "text/plain"


def test_legacy_office_container_is_named_from_the_hints():
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    assert sniff(ole) == "application/x-ole-storage"
    assert sniff(ole, filename="CONG-VAN.DOC") == "application/msword"
    assert sniff(ole, declared="application/vnd.ms-excel") == "application/vnd.ms-excel"
    assert sniff(ole, declared="text/plain") == "application/x-ole-storage"


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.binary(max_size=2048), st.none() | st.text(max_size=40), st.none() | st.text(max_size=40))
def test_sniff_never_raises(data, declared, filename):
    kind = sniff(data, declared, filename)
    assert "/" in kind


@settings(max_examples=100, deadline=None, derandomize=True)
@given(st.sampled_from([b"PK\x03\x04", b"PK\x05\x06", b"%PDF-", b"BM", b"RIFF"]), st.binary())
def test_sniff_never_raises_on_broken_magic(magic, rest):
    assert "/" in sniff(magic + rest)
