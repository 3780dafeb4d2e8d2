"""to_json / from_json: JSON-able and an exact round trip, nested messages included."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from govmail.mime import ParsedMessage, Part, parse_message
from tests.mime.test_structure import NESTED

MESSAGES = sorted(Path("/work/shared/corpus/messages").glob("*.eml"))


def through_json(data: dict) -> dict:
    return json.loads(json.dumps(data, ensure_ascii=False, allow_nan=False))


@pytest.mark.parametrize("path", MESSAGES, ids=lambda path: path.name)
def test_corpus_round_trip(path):
    message = parse_message(path.read_bytes())
    assert ParsedMessage.from_json(through_json(message.to_json())) == message
    assert Part.from_json(through_json(message.body.to_json())) == message.body


def test_nested_message_round_trip():
    message = parse_message(NESTED)
    restored = ParsedMessage.from_json(through_json(message.to_json()))
    assert restored == message
    inner = restored.body.children[2].message
    assert inner is not None
    assert inner.subject == "inner"
    assert inner.body.children[1].decoded(NESTED) == b"\x00\x01\x02"


def test_all_fields_round_trip():
    part = Part(
        type="application",
        subtype="pdf",
        params=[("name", "Tờ trình.pdf")],
        id="<a@b>",
        description="mô tả",
        encoding="BASE64",
        disposition=("attachment", [("filename", "Tờ trình.pdf"), ("size", "3")]),
        language=["vi"],
        location="http://x.vn/a.pdf",
        md5="abc=",
        header_start=1,
        header_end=2,
        body_start=2,
        body_end=9,
        lines=3,
        filename="Tờ trình.pdf",
        charset=None,
    )
    data = through_json(part.to_json())
    assert Part.from_json(data) == part
    assert data["disposition"] == ["attachment", [["filename", "Tờ trình.pdf"], ["size", "3"]]]


def test_raw_header_bytes_survive_json():
    message = parse_message(b"Subject: \xff\x00 raw\r\n\r\n")
    restored = ParsedMessage.from_json(through_json(message.to_json()))
    assert restored.headers[0].raw == b" \xff\x00 raw"
    assert "\\u0000" not in json.dumps(message.to_json())
