"""fold(): the Vietnamese search folding, by example and by property."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from govmail.store.fold import fold


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Văn bản điện tử", "van ban dien tu"),
        ("ĐÀ NẴNG", "da nang"),
        ("Đà Nẵng", "da nang"),
        # Decomposed input (as some Mac clients send) folds like the composed form.
        (unicodedata.normalize("NFD", "Quyết định số 215/QĐ-UBND"), "quyet dinh so 215/qd-ubnd"),
        ("Thủ tướng Chính phủ", "thu tuong chinh phu"),
        ("plain ASCII Text", "plain ascii text"),
        ("nul\x00byte", "nulbyte"),
        ("lone \ud800 surrogate", "lone  surrogate"),
        ("emoji 👍 kept, \U0001d167 mark dropped", "emoji 👍 kept,  mark dropped"),
        ("", ""),
    ],
)
def test_fold_examples(text: str, folded: str):
    assert fold(text) == folded


@given(st.text())
def test_fold_is_idempotent(text: str):
    assert fold(fold(text)) == fold(text)


@given(st.text())
def test_folded_text_has_no_marks_no_d_stroke_and_no_nul(text: str):
    folded = fold(text)
    assert not any(unicodedata.category(char).startswith("M") for char in folded)
    assert "đ" not in folded and "Đ" not in folded
    assert "\x00" not in folded
    folded.encode("utf-8")  # no lone surrogates: storable in any database


@given(st.text())
def test_fold_is_nfc_and_lower_case(text: str):
    folded = fold(text)
    assert unicodedata.is_normalized("NFC", folded)
    assert folded.lower() == folded


# Every Vietnamese letter with its diacritics, by the base letter it folds to.
VIETNAMESE = {
    "a": "aàáạảãăằắặẳẵâầấậẩẫ",
    "e": "eèéẹẻẽêềếệểễ",
    "i": "iìíịỉĩ",
    "o": "oòóọỏõôồốộổỗơờớợởỡ",
    "u": "uùúụủũưừứựửữ",
    "y": "yỳýỵỷỹ",
    "d": "dđ",
}
BASE = {
    variant: base
    for base, variants in VIETNAMESE.items()
    for variant in variants + variants.upper()
}


@given(st.text(alphabet="".join(BASE) + " bcgh"))
def test_vietnamese_letters_fold_to_their_base_letter(text: str):
    assert fold(text) == "".join(BASE.get(char, char) for char in text)
    assert fold(unicodedata.normalize("NFD", text)) == fold(text)
