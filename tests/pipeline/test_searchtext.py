"""The search text the parse stage builds: decoded fields, readable body parts, limits."""

from __future__ import annotations

import time

from govmail.mime import parse_message
from govmail.pipeline.searchtext import MAX_BODY_TEXT, MAX_HEADER_TEXT, search_text, strip_html


def build(raw: bytes) -> dict[str, str]:
    return search_text(parse_message(raw), raw)


ALTERNATIVE = (
    b"From: =?utf-8?b?Tmd1eeG7hW4gVsSDbiBBbg==?= <an@songlam.gov.vn>\r\n"
    b"To: Ph\xc3\xb2ng H\xc3\xa0nh ch\xc3\xadnh <hc@songlam.gov.vn>, x@y.vn\r\n"
    b"Cc: undisclosed-recipients:;\r\n"
    b"Subject: =?utf-8?q?Gi=E1=BA=A5y_m=E1=BB=9Di_h=E1=BB=8Dp?=\r\n"
    b"X-Priority: 1\r\n"
    b"MIME-Version: 1.0\r\n"
    b'Content-Type: multipart/alternative; boundary="b"\r\n\r\n'
    b"--b\r\nContent-Type: text/plain; charset=utf-8\r\n"
    b"Content-Transfer-Encoding: quoted-printable\r\n\r\n"
    b"M=E1=BB=9Di h=E1=BB=8Dp l=C3=BAc 8 gi=E1=BB=9D\r\n"
    b"--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
    b"<p>HTML twin</p>\r\n"
    b"--b--\r\n"
)


def test_fields_are_decoded():
    text = build(ALTERNATIVE)
    assert text["subject"] == "Giấy mời họp"
    assert text["from"] == "Nguyễn Văn An <an@songlam.gov.vn>"
    assert text["to"] == "Phòng Hành chính <hc@songlam.gov.vn>, x@y.vn"
    assert text["cc"] == "" and text["bcc"] == ""
    assert "\nX-Priority: 1" in text["headers"]
    assert "\nSubject: Giấy mời họp" in text["headers"]


def test_alternatives_index_the_plain_text_only():
    body = build(ALTERNATIVE)["body"]
    assert body == "Mời họp lúc 8 giờ"


def test_html_is_stripped_to_its_visible_text():
    raw = (
        b"Content-Type: text/html; charset=windows-1258\r\n\r\n"
        b"<html><head><style>p { color: red }</style><script>var secret = 1;</script></head>"
        b"<body><!-- hidden --><p>V\xe0o l\xfac <b>8</b>&nbsp;gi&#7901; &amp; h&ocirc;m nay</p>"
    )
    body = build(raw)["body"]
    assert "Vào lúc" in body and "8" in body and "giờ & hôm nay" in body
    for hidden in ("color", "secret", "hidden", "<", ">"):
        assert hidden not in body


def test_enclosed_messages_and_text_attachments_are_read_other_parts_not():
    raw = (
        b'Content-Type: multipart/mixed; boundary="m"\r\n\r\n'
        b"--m\r\nContent-Type: text/plain\r\n\r\nouter text\r\n"
        b"--m\r\nContent-Type: message/rfc822\r\n\r\n"
        b"Subject: inner\r\nContent-Type: text/plain\r\n\r\nforwarded text\r\n"
        b"--m\r\nContent-Type: text/plain; name=notes.txt\r\n"
        b"Content-Disposition: attachment\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        b"Z2hpIGNow7o=\r\n"
        b"--m\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4 binary\r\n"
        b"--m--\r\n"
    )
    body = build(raw)["body"]
    assert "outer text" in body and "forwarded text" in body and "ghi chú" in body
    assert "PDF" not in body


def test_text_is_capped():
    line = "Nội dung văn bản hành chính " * 10 + "\r\n"
    raw = b"Content-Type: text/plain; charset=utf-8\r\n\r\n" + (line * 15_000).encode()
    headers = b"".join(b"X-Long-%d: %s\r\n" % (i, b"v" * 900) for i in range(400))
    text = build(headers + raw)
    assert len(text["body"]) == MAX_BODY_TEXT
    assert text["body"].startswith("Nội dung")
    assert len(text["headers"]) == MAX_HEADER_TEXT


def test_hostile_markup_is_stripped_in_linear_time():
    started = time.monotonic()
    strip_html("<script" * 100_000 + "<!--" * 100_000 + "<a" * 100_000)
    assert time.monotonic() - started < 2


def test_nul_and_bad_bytes_do_not_break_the_text():
    raw = b"Subject: a\x00b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\x00\xff\xfe ok"
    text = build(raw)
    assert "ok" in text["body"]
    for value in text.values():
        value.encode("utf-8")
