"""Plain text and HTML: charsets (windows-1258's combining tones above all), NFC, markup."""

from __future__ import annotations

import unicodedata

from govmail.register.extract import extract
from tests.register.extract.builders import MESSAGES

SENTENCE = "Thứ Hai: họp giao ban. Thứ Tư: tiếp dân."


def test_utf8_text_with_bom_and_crlf():
    data = "\ufeffCông văn số 125/UBND-VP\r\nKHẨN\rHết".encode()
    result = extract(data, filename="ghi-chu.txt")
    assert (result.kind, result.status, result.reason) == ("text/plain", "ok", None)
    assert [(page.method, page.confidence) for page in result.pages] == [("plain", None)]
    assert result.text == "Công văn số 125/UBND-VP\nKHẨN\nHết"


def test_decomposed_utf8_comes_out_nfc():
    data = unicodedata.normalize("NFD", SENTENCE).encode()
    assert extract(data).text == SENTENCE


def test_windows_1258_body_from_the_corpus_comes_out_nfc():
    message = (MESSAGES / "06-windows-1258-body.eml").read_bytes()
    body = message.split(b"\r\n\r\n", 1)[1]
    # Its tone marks are combining characters: only NFC makes them match typed text.
    assert any(unicodedata.combining(char) for char in body.decode("cp1258"))
    result = extract(body, declared="text/plain; charset=windows-1258")
    assert result.status == "ok"
    assert result.text == SENTENCE + "\n"
    assert unicodedata.is_normalized("NFC", result.text)


def test_windows_1258_combining_tones_compose():
    # ễ is ê (0xEA) then a combining tilde (0xDE); à is a then a combining grave (0xCC).
    data = b"Nguy\xea\xden V\xe3n An, nga\xccy"
    result = extract(data)
    assert (result.kind, result.status) == ("text/plain", "ok")
    assert result.text == "Nguyễn Văn An, ngày"
    assert len(result.text) == len("Nguyen Van An, ngay")


def test_bytes_neither_utf8_nor_windows_1258_are_latin1():
    # 0x81 is unassigned in windows-1258.
    assert extract(b"Caf\xe9 \x81 cr\xe8me").text == "Café \x81 crème"


def test_declared_csv_is_kept_and_read_as_text():
    data = "Số,Trích yếu\n11/CT-UBND,Chỉ thị\n".encode()
    result = extract(data, declared="text/csv; charset=utf-8")
    assert (result.kind, result.status) == ("text/csv", "ok")
    assert result.text == "Số,Trích yếu\n11/CT-UBND,Chỉ thị\n"
    assert extract(data, filename="so-den.CSV").kind == "text/csv"


HTML = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Giấy mời &amp; lịch họp</title>
<style>p { color: red }</style><script>var s = "không hiện";</script>
<body><h1>GIẤY MỜI</h1><p>Kính&nbsp;mời   đại diện
lãnh đạo<br>các xã, phường</p>
<table><tr><td>Thời gian</td><td>08 giờ 00</td></tr>
<tr><td>Địa điểm</td><td>Hội trường</td></tr></table>
<div>Số: 45/GM&#8209;STTTT &lt;khẩn&gt;</div>
</body></html>"""


def test_html_tags_stripped_entities_unescaped_blocks_kept():
    result = extract(HTML.encode(), declared="text/plain")
    assert (result.kind, result.status) == ("text/html", "ok")
    assert result.text == (
        "Giấy mời & lịch họp\n\n"
        "GIẤY MỜI\n"
        "Kính\xa0mời đại diện lãnh đạo\n"
        "các xã, phường\n"
        "Thời gian\t08 giờ 00\n"
        "Địa điểm\tHội trường\n"
        "Số: 45/GM\u2011STTTT <khẩn>"
    )


def test_html_in_its_declared_legacy_charset():
    page = '<html><meta http-equiv="Content-Type" content="text/html; charset=windows-1258">'
    data = page.encode() + b"<p>Th\xfd\xcc hai</p></html>"
    result = extract(data)
    assert result.kind == "text/html"
    assert result.text == "Thừ hai"
