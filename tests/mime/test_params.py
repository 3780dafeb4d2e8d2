"""Content-Type / Content-Disposition parameters: RFC 2231, RFC 2047 and raw 8-bit file names."""

from __future__ import annotations

import pytest

from govmail.mime import Part, parse_message
from govmail.mime.params import clean_filename, split_value


def part_with(headers: bytes) -> Part:
    raw = (
        b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
        + headers
        + b"\r\n\r\nx\r\n--b--"
    )
    return parse_message(raw).body.children[0]


def test_rfc2231_single_extended_value():
    part = part_with(
        b"Content-Type: application/octet-stream\r\n"
        b"Content-Disposition: attachment;\r\n"
        b" filename*=UTF-8''Gi%E1%BA%A5y%20m%E1%BB%9Di%20h%E1%BB%8Dp.docx"
    )
    assert part.filename == "Giấy mời họp.docx"
    assert part.disposition == ("attachment", [("filename", "Giấy mời họp.docx")])


def test_rfc2231_continuations_with_charset_and_language():
    part = part_with(
        b"Content-Type: application/pdf\r\n"
        b"Content-Disposition: attachment;\r\n"
        b" filename*0*=utf-8'vi'Quy%E1%BA%BFt%20%C4%91%E1%BB%8Bnh%20s%E1;\r\n"
        b" filename*1*=%BB%91%2012%2FQ%C4%90-UBND.pdf"
    )
    # The slash was part of the name; only the last path component is kept.
    assert part.filename == "QĐ-UBND.pdf"
    assert part.disposition is not None
    assert part.disposition[1] == [("filename", "Quyết định số 12/QĐ-UBND.pdf")]


def test_rfc2231_sections_out_of_order_and_mixed_encoding():
    _, params = split_value(
        "attachment; filename*2=\" (2).txt\"; filename*1*=%E1%BB%8Dp; filename*0*=utf-8''h; size=10"
    )
    assert params == [("filename", "họp (2).txt"), ("size", "10")]


def test_rfc2231_latin1_and_missing_charset():
    _, latin = split_value("inline; filename*=iso-8859-1''caf%E9.txt")
    assert latin == [("filename", "café.txt")]
    _, bare = split_value("inline; filename*=''Vi%E1%BB%87t.txt")
    assert bare == [("filename", "Việt.txt")]
    _, malformed = split_value("inline; filename*=Vi%E1%BB%87t.txt")
    assert malformed == [("filename", "Việt.txt")]


def test_extended_value_wins_over_plain():
    _, params = split_value(
        "attachment; filename=\"fallback.doc\"; filename*=utf-8''th%E1%BA%ADt.doc"
    )
    assert params == [("filename", "thật.doc")]


def test_quoted_values_names_and_escapes():
    kind, params = split_value(
        'Text/Plain; CHARSET="UTF-8"; Format=flowed; name="a \\"b\\" c.txt"; path="C:\\dir\\x.txt"'
    )
    assert kind == "text/plain"
    assert params == [
        ("charset", "UTF-8"),
        ("format", "flowed"),
        ("name", 'a "b" c.txt'),
        ("path", "C:\\dir\\x.txt"),
    ]


def test_junk_parameters_are_skipped():
    assert split_value('text/plain; ; novalue; =x; a=1;; b="unterminated') == (
        "text/plain",
        [("a", "1"), ("b", "unterminated")],
    )


def test_content_type_name_is_the_fallback_filename():
    part = part_with(b'Content-Type: application/pdf; name="=?UTF-8?B?VOG7nSB0csOsbmgucGRm?="')
    assert part.filename == "Tờ trình.pdf"
    assert part.is_attachment()


def test_disposition_filename_wins_over_content_type_name():
    part = part_with(
        b"Content-Type: application/pdf; name=old.pdf\r\n"
        b"Content-Disposition: attachment; filename=new.pdf"
    )
    assert part.filename == "new.pdf"


@pytest.mark.parametrize(
    ("header", "filename"),
    [
        ('filename="Tờ trình.pdf"'.encode(), "Tờ trình.pdf"),
        (b'filename="T\xf5\xcc tri\xccnh.pdf"', "Tờ trình.pdf"),
        (b'filename="=?utf-8?q?T=E1=BB=9D_tr=C3=ACnh?= .pdf"', "Tờ trình .pdf"),
        (b'filename="C:\\\\Users\\\\vanthu\\\\B\xc3\xa1o c\xc3\xa1o.doc"', "Báo cáo.doc"),
        (b'filename="../../etc/passwd"', "passwd"),
        (b'filename="a\tb\x01c.txt"', "abc.txt"),
        ('filename="fdp.\u202eexe"'.encode(), "fdp.exe"),
        (b'filename=".."', None),
        (b'filename=""', None),
    ],
)
def test_filename_cleaning(header, filename):
    part = part_with(
        b"Content-Type: application/octet-stream\r\nContent-Disposition: attachment; " + header
    )
    assert part.filename == filename


def test_clean_filename_composes_nfc():
    assert clean_filename("Vie\u0302\u0323t.txt") == "Việt.txt"
    assert clean_filename(None) is None


def test_charset_is_lower_case_and_text_defaults_to_us_ascii():
    assert part_with(b'Content-Type: text/plain; charset="UTF-8"').charset == "utf-8"
    assert part_with(b"Content-Type: text/html").charset == "us-ascii"
    assert part_with(b"Content-Type: image/png").charset is None


@pytest.mark.parametrize("value", [b"", b"text", b"/plain", b"text/", b"text/pl ain", b"\xff/\xfe"])
def test_invalid_content_type_falls_back_to_text_plain(value):
    part = part_with(b"Content-Type: " + value)
    assert (part.type, part.subtype, part.charset) == ("text", "plain", "us-ascii")
