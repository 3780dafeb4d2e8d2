"""Number and notation (số, ký hiệu) and the Appendix III type table."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from govmail.register.doctypes import CONG_VAN, TYPES, DocType, by_abbr, by_name
from govmail.register.notation import (
    Notation,
    find_notations,
    match_notation,
    notation_key,
    parse_notation,
)

# --- doctypes -------------------------------------------------------------------------------


def test_table_has_every_appendix_iii_type_and_the_copies():
    assert len(TYPES) == 32
    assert DocType("Chỉ thị", "CT") in TYPES
    assert DocType("Công văn", None) == CONG_VAN
    assert {t.abbr for t in TYPES} >= {"SY", "TrS", "SL", "QyĐ", "CTr", "TTr"}
    abbrs = [t.abbr for t in TYPES if t.abbr]
    assert len(abbrs) == len(set(abbrs))


@pytest.mark.parametrize(
    ("abbr", "name"),
    [
        ("QĐ", "Quyết định"),
        ("QD", "Quyết định"),
        ("qd", "Quyết định"),
        ("qđ", "Quyết định"),
        ("CT", "Chỉ thị"),
        ("ct", "Chỉ thị"),
        ("QyĐ", "Quy định"),
        ("QYD", "Quy định"),
        ("ctr", "Chương trình"),
        ("TTr", "Tờ trình"),
        ("TrS", "Bản trích sao"),
        ("SY", "Bản sao y"),
        (" GM ", "Giấy mời"),
        # Folding alone would merge these pairs; the exact and upper-case spellings keep them apart.
        ("ĐA", "Đề án"),
        ("đa", "Đề án"),
        ("DA", "Dự án"),
        ("da", "Dự án"),
        ("HĐ", "Hợp đồng"),
        ("HD", "Hướng dẫn"),
    ],
)
def test_by_abbr(abbr, name):
    found = by_abbr(abbr)
    assert found is not None
    assert found.name == name


@pytest.mark.parametrize("abbr", ["", "UBND", "VP", "X", "Q"])
def test_by_abbr_unknown(abbr):
    assert by_abbr(abbr) is None


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("CHỈ THỊ", "Chỉ thị"),
        ("chi thi", "Chỉ thị"),
        ("CHỈTHỊ", "Chỉ thị"),
        ("  BÁO CÁO ", "Báo cáo"),
        ("QUYẾT ĐỊNH:", "Quyết định"),
        ("GIẤY MỜI", "Giấy mời"),
        ("BẢN THOẢ THUẬN", "Bản thỏa thuận"),
        ("Giấy uỷ quyền", "Giấy ủy quyền"),
        ("công văn", "Công văn"),
    ],
)
def test_by_name(text, name):
    found = by_name(text)
    assert found is not None
    assert found.name == name


@pytest.mark.parametrize("text", ["", "ỦY BAN NHÂN DÂN", "CHỈ THỊ SỐ 11", "Về việc"])
def test_by_name_unknown(text):
    assert by_name(text) is None


# --- parsing ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number", "notation"),
    [
        ("Số: 11/CT-UBND", 11, "CT-UBND"),
        ("11/CT-UBND", 11, "CT-UBND"),
        ("Số 05/BNV-VP", 5, "BNV-VP"),
        ("SỐ: 125/UBND-VP", 125, "UBND-VP"),
        ("số: 45/GM-STTTT", 45, "GM-STTTT"),
        # OCR: a misread "ố", junk before the line, a space after the dash, dots after.
        ("S6: 11/CT-UBND", 11, "CT-UBND"),
        ("Sð:07/BC-UBND", 7, "BC-UBND"),
        ("` Số: 07/BC-UBND_. - Tân Phú", 7, "BC-UBND"),
        ("Số: 125/UBND- VP Tân Phú, ngày 03 tháng 10 năm 2012", 125, "UBND-VP"),
        ("Số: 11/CT-UBND........... Sông Lam", 11, "CT-UBND"),
        ("12/ÐA-UBND", 12, "ĐA-UBND"),  # the look-alike Ð (U+00D0)
        # Canonical case: upper, except the mixed-case abbreviations in type position.
        ("215/qđ-ubnd", 215, "QĐ-UBND"),
        ("15/QYĐ-UBND", 15, "QyĐ-UBND"),
        ("12/ttr-sgd", 12, "TTr-SGD"),
        ("3/ctr-ubnd", 3, "CTr-UBND"),
        ("8/trs-vp", 8, "TrS-VP"),
        ("30/2020/NĐ-CP", 30, "2020/NĐ-CP"),
        ("85/UBND", 85, "UBND"),
    ],
)
def test_parse_notation(text, number, notation):
    assert parse_notation(text) == Notation(number, notation)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Số:      /QĐ-UBND",  # a draft's blank number
        "Số: 0/QĐ-UBND",
        "05/6/2012",
        "CT-UBND",
        "Thực hiện Chỉ thị số 11/CT-UBND",  # running text is find_notations' business
        "1234567/CT-UBND",
        "11/",
    ],
)
def test_parse_notation_rejects(text):
    assert parse_notation(text) is None


def test_match_notation_reports_where_the_notation_ends():
    line = "Số: 125/UBND-VP Tân Phú, ngày 03 tháng 10 năm 2012"
    assert match_notation(line) == (Notation(125, "UBND-VP"), len("Số: 125/UBND-VP"))
    assert match_notation("12/UBND-VP - Tân Phú") == (Notation(12, "UBND-VP"), 10)


def test_printed_pads_numbers_below_ten():
    assert Notation(5, "BNV-VP").printed == "05/BNV-VP"
    assert Notation(11, "CT-UBND").printed == "11/CT-UBND"
    assert Notation(215, "QĐ-UBND").printed == "215/QĐ-UBND"


def test_the_three_spellings_of_215_share_one_key():
    spellings = ["215/QĐ-UBND", "215/qđ-ubnd", "215/QD-UBND", "0215/QĐ - UBND", "Số: 215/QĐ-UBND"]
    assert {notation_key(text) for text in spellings} == {"215/qd-ubnd"}


def test_leading_zero_does_not_change_the_key():
    assert notation_key("05/BNV-VP") == notation_key("5/BNV-VP") == "5/bnv-vp"


@pytest.mark.parametrize("dash", ["-", "–", "—", "‐", "‑"])
def test_unicode_dashes_share_the_key(dash):
    assert notation_key(f"11/CT{dash}UBND") == "11/ct-ubnd"
    assert parse_notation(f"11/CT{dash}UBND") == Notation(11, "CT-UBND")


def test_key_of_the_brief_example():
    assert Notation(11, "CT-UBND").key == "11/ct-ubnd"


def test_notation_key_of_non_notations_is_none():
    assert notation_key("hello") is None
    assert notation_key("") is None


def test_find_notations_in_running_text():
    text = (
        "Thực hiện Chỉ thị số 11/CT-UBND ngày 05/6/2012 của Chủ tịch UBND tỉnh, "
        "Nghị định số 30/2020/NĐ-CP và Công văn số 125/UBND-VP; diện tích 5/ha; "
        "nhắc lại Chỉ thị 11/CT–UBND."
    )
    assert find_notations(text) == [
        Notation(11, "CT-UBND"),
        Notation(30, "2020/NĐ-CP"),
        Notation(125, "UBND-VP"),
    ]


def test_find_notations_ignores_dates_and_fractions():
    assert find_notations("ngày 05/6/2012, tỷ lệ 3/4, giờ 24/7, mã ABC12/3") == []


# --- properties ------------------------------------------------------------------------------

_notation_chars = st.sampled_from("0123456789/-–QĐđCTUBNDyrsS :.")


@given(st.text())
def test_parse_notation_never_raises(text):
    parse_notation(text)
    notation_key(text)


@given(st.text(_notation_chars, max_size=40))
def test_parse_notation_never_raises_on_near_misses(text):
    found = parse_notation(text)
    if found is not None:
        assert found.number > 0
        assert parse_notation(found.printed) == found
        assert notation_key(found.printed) == found.key


@given(st.text(max_size=2000))
def test_find_notations_never_raises(text):
    for found in find_notations(text):
        assert parse_notation(found.printed) == found
