"""Tesseract's TSV output rebuilt into lines and paragraphs, with the mean word confidence."""

from __future__ import annotations

import re

import pytest
from PIL import Image

from govmail.register.extract import Limits
from govmail.register.extract.ocr import OcrError, parse_tsv, recognise

HEADER = (
    "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"
)


def row(level: int, block: int, paragraph: int, line: int, word: int, conf: float, text: str):
    return f"{level}\t1\t{block}\t{paragraph}\t{line}\t{word}\t0\t0\t10\t10\t{conf}\t{text}"


def test_tsv_words_lines_and_paragraphs():
    tsv = "\n".join(
        [
            HEADER,
            row(1, 0, 0, 0, 0, -1, ""),
            row(4, 1, 1, 1, 0, -1, ""),
            row(5, 1, 1, 1, 1, 96.5, "Số:"),
            row(5, 1, 1, 1, 2, 93.5, "11/CT-UBND"),
            row(5, 1, 1, 2, 1, 90, "CHỈ"),
            row(5, 1, 1, 2, 2, 90, "THỊ"),
            row(5, 1, 1, 2, 3, 95, " "),
            row(5, 1, 2, 1, 1, 80, "Về"),
            row(5, 2, 1, 1, 1, 70, "việc"),
            "5\t1\tbroken row",
        ]
    )
    result = parse_tsv(tsv)
    assert result.text == "Số: 11/CT-UBND\nCHỈ THỊ\n\nVề\n\nviệc"
    assert result.confidence == round((96.5 + 93.5 + 90 + 90 + 80 + 70) / 6, 2)


def test_no_words_means_no_confidence():
    assert parse_tsv(HEADER + "\n" + row(1, 0, 0, 0, 0, -1, "")) == parse_tsv("")
    assert (parse_tsv("").text, parse_tsv("").confidence) == ("", 0.0)


def test_ocr_language_cannot_smuggle_options():
    image = Image.new("L", (10, 10), "white")
    with pytest.raises(OcrError, match=re.escape("invalid OCR language 'vie --tessdata-dir /tmp'")):
        recognise(image, Limits(ocr_language="vie --tessdata-dir /tmp"))
