"""The register end to end on a real server: the corpus messages delivered over SMTP and the corpus
documents imported are filed, read (OCR for scans), recognised, numbered and found again."""

from __future__ import annotations

import json
import subprocess
from datetime import datetime

import openpyxl
import pytest
from sqlalchemy import select

from govmail.register.numbering import VIETNAM
from govmail.store.models import RegisterEvent
from tests.register.corpus import (
    AGENCY,
    DOCUMENTS,
    PRINTED,
    SLUG_BY_SHA,
    listed,
    number_slug,
    queries,
    shown,
)
from tests.support.inspect import read


def test_every_attachment_of_every_message_is_filed_and_numbered(registered):
    incoming = listed(registered, "--book", "incoming")
    # 01, 02, 03 and 05 carry one attachment each, 04 two: six arrivals, numbered in order.
    assert [entry["serial"] for entry in incoming] == [1, 2, 3, 4, 5, 6]
    assert {entry["agency"] for entry in incoming} == {AGENCY}
    assert {entry["direction"] for entry in incoming} == {"incoming"}
    assert [entry["filename"] for entry in incoming] == [
        "11-CT-UBND.pdf",
        "Giấy mời 45-GM-STTTT.docx",
        "scan0001.pdf",
        "125-UBND-VP.pdf",
        "125-UBND-VP-scan.pdf",
        "11-CT-UBND.pdf",
    ]
    damaged = incoming[5]
    assert "damaged" in {w["code"] for w in damaged["warnings"]}
    assert damaged["message_id"] == "<ct11.2012@vpubnd.songlam.gov.vn>"
    # The archive holds each of the nine documents once, unnumbered.
    archive = listed(registered, "--book", "archive")
    assert len(archive) == 9 and {entry["serial"] for entry in archive} == {None}
    assert {SLUG_BY_SHA[entry["sha256"]] for entry in archive} == set(PRINTED)


def test_recognised_metadata_equals_what_each_document_prints(registered):
    checked = set()
    everything = listed(registered)
    for entry in everything:
        name = SLUG_BY_SHA.get(entry["sha256"])
        if name is None:  # the truncated copy: checked apart
            continue
        fields = {key: value["value"] for key, value in entry["fields"].items()}
        expected = PRINTED[name]
        assert {key: fields.get(key) for key in expected} == expected, entry["filename"]
        checked.add(entry["sha256"])
    # Every form of every document: text PDF, DOCX, and the scans, which only OCR can read.
    assert checked == set(SLUG_BY_SHA)
    for scan in DOCUMENTS.glob("*-scan.pdf"):
        (entry, *_) = (e for e in everything if e["filename"] == scan.name)
        assert shown(registered, entry["id"])["document"]["methods"] == ["ocr"]


@pytest.mark.parametrize(("query", "expected"), queries(), ids=[q for q, _ in queries()])
def test_every_corpus_query_finds_its_documents_in_the_top_three(registered, query, expected):
    hits = [
        json.loads(line)
        for line in registered.cli(
            "register", "search", query, "--json", "--limit", "3"
        ).stdout.splitlines()
    ]
    assert len(hits) <= 3
    assert set(expected) <= {number_slug(hit["number"]) for hit in hits}, hits
    for hit in hits:
        assert {"id", "number", "type", "issuer", "date", "subject", "direction", "score"} <= set(
            hit
        )


def test_snippets_keep_the_diacritics_and_mark_the_words(registered):
    (hit, *_) = [
        json.loads(line)
        for line in registered.cli(
            "register", "search", "van ban dien tu", "--json"
        ).stdout.splitlines()
    ]
    assert "**văn** **bản** **điện** **tử**" in hit["snippet"]
    table = registered.cli("register", "search", "van ban dien tu").stdout
    assert "11/CT-UBND" in table and "Chỉ thị" in table and "**" not in table


def test_a_second_import_files_nothing_new(registered):
    again = registered.cli(
        "register", "import", str(DOCUMENTS), "--book", "archive", "--agency", AGENCY
    )
    assert "filed 0, already in the book 9" in again.stdout


def test_a_clerk_corrects_a_field_and_the_history_keeps_it(registered):
    hit = json.loads(
        registered.cli("register", "search", "07/BC-UBND", "--json", "--limit", "1").stdout
    )
    registered.cli("register", "correct", str(hit["id"]), "signer", "Phạm Văn Đông (đã sửa)")
    view = shown(registered, hit["id"])
    assert view["entry"]["fields"]["signer"] == {
        "value": "Phạm Văn Đông (đã sửa)",
        "confidence": 1.0,
        "source": "clerk",
    }
    actions = [event["action"] for event in view["history"]]
    assert actions[:2] == ["filed", "recognised"]
    assert "corrected" in actions and actions.count("viewed") >= 1
    corrected = next(e for e in view["history"] if e["action"] == "corrected")
    assert corrected["detail"] == {
        "field": "signer",
        "old": "Phạm Văn Đông",
        "new": "Phạm Văn Đông (đã sửa)",
    }
    # A reindex reads the text again but never overrides the clerk.
    registered.cli("register", "reindex")
    assert shown(registered, hit["id"])["entry"]["fields"]["signer"]["source"] == "clerk"
    bad = registered.cli(
        "register", "correct", str(hit["id"]), "number", "không phải số", check=False
    )
    assert bad.returncode == 1 and "not a number and notation" in bad.stderr


def test_the_incoming_book_exports_as_xlsx_and_pdf(registered, tmp_path):
    year = str(datetime.now(VIETNAM).year)
    book = ("register", "export", "--book", "incoming", "--year", year, "--agency", AGENCY)
    xlsx, pdf = tmp_path / "den.xlsx", tmp_path / "den.pdf"
    registered.cli(*book, "--format", "xlsx", "--output", str(xlsx))
    registered.cli(*book, "--format", "pdf", "--output", str(pdf))
    rows = list(openpyxl.load_workbook(xlsx).active.iter_rows(values_only=True))
    heading = next(i for i, row in enumerate(rows) if row[1] == "Số đến")
    assert rows[heading][:6] == (
        "Ngày đến",
        "Số đến",
        "Tác giả",
        "Số, ký hiệu văn bản",
        "Ngày tháng văn bản",
        "Tên loại và trích yếu nội dung",
    )
    data = [row for row in rows[heading + 2 :] if row[1] is not None]
    assert [row[1] for row in data] == [1, 2, 3, 4, 5, 6]
    assert [row[3] for row in data[:5]] == [
        "11/CT-UBND",
        "45/GM-STTTT",
        "07/BC-UBND",
        "125/UBND-VP",
        "125/UBND-VP",
    ]
    assert data[0][2] == "ỦY BAN NHÂN DÂN TỈNH SÔNG LAM"
    assert data[3][5].startswith("Công văn: V/v số hóa văn bản")
    assert "damaged" not in (data[5][9] or "") and "truncated" in (data[5][9] or "")
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN" in text and f"Năm: {year}" in text.replace("  ", " ")
    for number in ("11/CT-UBND", "45/GM-STTTT", "07/BC-UBND", "125/UBND-VP"):
        assert number in text
    history = read(registered, lambda s: s.scalars(select(RegisterEvent.action)).all())
    assert history.count("exported") == 2
