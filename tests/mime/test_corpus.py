"""The shared sample corpus: Vietnamese subjects, names, attachments and bodies decode correctly."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from govmail.mime import ParsedMessage, parse_message

CORPUS = Path("/work/shared/corpus")
MESSAGES = CORPUS / "messages"
DOCUMENTS = CORPUS / "documents"

SUBJECTS = {
    "01-chi-thi-from-province.eml": "Chỉ thị số 11/CT-UBND về tăng cường sử dụng văn bản điện tử",
    "02-giay-moi-docx.eml": "Giấy mời họp triển khai thư điện tử công vụ đến cấp xã",
    "03-commune-scan-8bit-subject.eml": "Báo cáo 07/BC-UBND tình hình sử dụng hộp thư",
    "04-cong-van-khan.eml": "[KHẨN] Công văn 125/UBND-VP V/v số hóa văn bản, tài liệu lưu trữ",
    "05-truncated-attachment.eml": "Chỉ thị số 11/CT-UBND về tăng cường sử dụng văn bản điện tử",
    "06-windows-1258-body.eml": "Lich cong tac tuan 42",
}
BODY_TEXTS = {
    "01-chi-thi-from-province.eml": (
        "Văn phòng UBND tỉnh gửi Chỉ thị số 11/CT-UBND ngày 05/6/2012 (tệp đính kèm).\r\n"
    ),
    "02-giay-moi-docx.eml": "Kính gửi các đơn vị giấy mời họp (tệp Word đính kèm).\r\n",
    "03-commune-scan-8bit-subject.eml": "Xã Tân Phú gửi báo cáo (bản scan).\r\n",
    "04-cong-van-khan.eml": "Đề nghị UBND xã thực hiện. Trân trọng.\r\n",
    "05-truncated-attachment.eml": (
        "Văn phòng UBND tỉnh gửi Chỉ thị số 11/CT-UBND ngày 05/6/2012 (tệp đính kèm).\r\n"
    ),
    "06-windows-1258-body.eml": "Thứ Hai: họp giao ban. Thứ Tư: tiếp dân.\r\n",
}
# Attachment file name -> the identical file in documents/ (None: no identical document).
ATTACHMENTS = {
    "01-chi-thi-from-province.eml": {"11-CT-UBND.pdf": "chi-thi-11-CT-UBND.pdf"},
    "02-giay-moi-docx.eml": {"Giấy mời 45-GM-STTTT.docx": "giay-moi-45-GM-STTTT.docx"},
    "03-commune-scan-8bit-subject.eml": {"scan0001.pdf": "bao-cao-07-BC-UBND-scan.pdf"},
    "04-cong-van-khan.eml": {
        "125-UBND-VP.pdf": "cong-van-125-UBND-VP.pdf",
        "125-UBND-VP-scan.pdf": "cong-van-125-UBND-VP-scan.pdf",
    },
    "05-truncated-attachment.eml": {"11-CT-UBND.pdf": None},
    "06-windows-1258-body.eml": {},
}


def load(name: str) -> tuple[bytes, ParsedMessage]:
    raw = (MESSAGES / name).read_bytes()
    return raw, parse_message(raw)


def test_corpus_is_what_the_tests_expect():
    assert sorted(path.name for path in MESSAGES.glob("*.eml")) == sorted(SUBJECTS)


@pytest.mark.parametrize("name", sorted(SUBJECTS))
def test_subject_is_decoded_nfc_vietnamese(name):
    _, message = load(name)
    assert message.subject == SUBJECTS[name]
    assert unicodedata.is_normalized("NFC", message.subject)


@pytest.mark.parametrize("name", sorted(BODY_TEXTS))
def test_first_text_part_decodes(name):
    raw, message = load(name)
    text_part = next(part for part in message.body.walk() if part.type == "text")
    text = text_part.text(raw)
    assert text == BODY_TEXTS[name]
    assert unicodedata.is_normalized("NFC", text)


@pytest.mark.parametrize("name", sorted(ATTACHMENTS))
def test_attachment_names_and_bytes(name):
    raw, message = load(name)
    attachments = message.attachments()
    assert [part.filename for part in attachments] == list(ATTACHMENTS[name])
    for part in attachments:
        document = ATTACHMENTS[name][part.filename]
        data = part.decoded(raw)
        if part.subtype == "pdf":
            assert data.startswith(b"%PDF")
        if document is not None:
            expected = (DOCUMENTS / document).read_bytes()
            assert len(data) == len(expected)
            assert data == expected


@pytest.mark.parametrize("name", sorted(set(SUBJECTS) - {"05-truncated-attachment.eml"}))
def test_complete_messages_have_no_defects(name):
    _, message = load(name)
    assert message.defects == []


def test_truncated_message_reports_truncation_and_keeps_the_attachment():
    raw, message = load("05-truncated-attachment.eml")
    assert any("truncated" in defect for defect in message.defects)
    [attachment] = message.attachments()
    assert attachment.filename == "11-CT-UBND.pdf"
    assert attachment.body_end == len(raw)
    data = attachment.decoded(raw)
    full = (DOCUMENTS / "chi-thi-11-CT-UBND.pdf").read_bytes()
    assert data.startswith(b"%PDF-1.3")
    assert 0 < len(data) < len(full)
    assert full.startswith(data)


def test_windows_1258_combining_tones_are_composed():
    raw, message = load("06-windows-1258-body.eml")
    assert message.body.charset == "windows-1258"
    text = message.body.text(raw)
    assert "Thứ" in text
    assert "họp" in text
    assert "tiếp" in text
    assert not any(unicodedata.combining(char) for char in text)


def test_raw_8bit_subject_keeps_raw_bytes():
    _, message = load("03-commune-scan-8bit-subject.eml")
    subject = next(header for header in message.headers if header.name == "Subject")
    assert subject.raw == " Báo cáo 07/BC-UBND tình hình sử dụng hộp thư".encode()
    assert message.envelope()[1] == "Báo cáo 07/BC-UBND tình hình sử dụng hộp thư"


def test_vietnamese_display_names():
    _, invitation = load("02-giay-moi-docx.eml")
    assert [(a.name, a.addr) for a in invitation.from_] == [
        ("Sở TT&TT", "vanthu@stttt.songlam.gov.vn")
    ]
    assert [(a.name, a.addr) for a in invitation.to] == [
        ("UBND huyện Tân Phú", "vanthu@tanphu.songlam.gov.vn"),
        ("UBND xã Tân Phú", "ubndxa.tanphu@tanphu.songlam.gov.vn"),
    ]
    _, directive = load("01-chi-thi-from-province.eml")
    assert directive.from_[0].name == "Văn phòng UBND tỉnh"
    assert directive.to[0].name == "Sở Thông tin và Truyền thông"


def test_envelope_of_the_invitation():
    _, message = load("02-giay-moi-docx.eml")
    from_ = [["=?utf-8?q?S=E1=BB=9F?= TT&TT", None, "vanthu", "stttt.songlam.gov.vn"]]
    assert message.envelope() == [
        "Thu, 04 Oct 2012 09:15:00 +0700",
        "=?utf-8?b?R2nhuqV5IG3hu51pIGjhu41wIHRyaeG7g24ga2hhaSB0aMawIMSRaQ==?= "
        "=?utf-8?b?4buHbiB04butIGPDtG5nIHbhu6UgxJHhur9uIGPhuqVwIHjDow==?=",
        from_,
        from_,
        from_,
        [
            ["UBND =?utf-8?b?aHV54buHbiBUw6JuIFBow7o=?=", None, "vanthu", "tanphu.songlam.gov.vn"],
            [
                "UBND =?utf-8?b?eMOjIFTDom4gUGjDug==?=",
                None,
                "ubndxa.tanphu",
                "tanphu.songlam.gov.vn",
            ],
        ],
        None,
        None,
        None,
        "<gm45.2012@stttt.songlam.gov.vn>",
    ]


def test_dates_and_message_ids():
    _, message = load("04-cong-van-khan.eml")
    assert message.message_id == "<cv125.2012@tanphu.songlam.gov.vn>"
    assert message.date is not None
    assert message.date.isoformat() == "2012-10-03T12:15:00+07:00"
