"""Hostile and broken input: every failure is a status and a reason, never an exception."""

from __future__ import annotations

import pickle
import random
from concurrent.futures import ProcessPoolExecutor

from hypothesis import given, settings
from hypothesis import strategies as st

from govmail.register.extract import Extraction, Limits, Page, extract
from tests.register.extract.builders import DOCUMENTS, corpus

STATUSES = {"ok", "partial", "failed", "unsupported"}
SETTINGS = settings(max_examples=200, deadline=None, derandomize=True)
CORPUS = {path.name: path.read_bytes() for path in sorted(DOCUMENTS.iterdir())}


def check(result: Extraction) -> None:
    """What every result must satisfy, whatever went in."""
    assert result.status in STATUSES
    assert (result.reason is None) == (result.status == "ok")
    assert "/" in result.kind
    assert [page.number for page in result.pages] == list(range(1, len(result.pages) + 1))
    for page in result.pages:
        assert page.method in {"text", "ocr", "office", "plain"}
        assert "\x00" not in page.text and "\r" not in page.text
        assert (page.confidence is None) == (page.method != "ocr") or not page.text
    if result.status == "unsupported":
        assert result.pages == ()


def test_empty_file_fails():
    result = extract(b"", declared="application/pdf", filename="x.pdf")
    assert (result.kind, result.status, result.reason, result.pages) == (
        "application/octet-stream",
        "failed",
        "empty file",
        (),
    )


def test_random_bytes_are_unsupported():
    data = random.Random(30).randbytes(100_000)
    result = extract(data, declared="application/pdf", filename="scan.pdf")
    assert (result.kind, result.status) == ("application/octet-stream", "unsupported")
    assert result.reason == "unsupported type application/octet-stream"


def test_other_types_are_unsupported_with_their_kind():
    result = extract(b"\x1f\x8b\x08\x00" + bytes(100))
    assert (result.status, result.reason) == ("unsupported", "unsupported type application/gzip")


def test_text_is_capped_at_max_text():
    result = extract(corpus("chi-thi-11-CT-UBND.pdf"), limits=Limits(max_text=100))
    assert result.status == "partial"
    assert result.reason == "text truncated after 100 characters"
    assert len(result.text) == 100
    assert result.text.startswith("ỦY BAN NHÂN DÂN")


def test_text_joins_pages_with_form_feeds():
    pages = (Page(1, "một", "text", None), Page(2, "hai", "ocr", 91.5))
    assert Extraction("application/pdf", pages, "ok", None).text == "một\n\f\nhai"


def test_extract_runs_in_a_worker_process():
    with ProcessPoolExecutor(max_workers=1) as pool:
        future = pool.submit(extract, corpus("giay-moi-45-GM-STTTT.pdf"), limits=Limits())
        result = future.result(timeout=60)
    assert result.status == "ok"
    assert "Số: 45/GM-STTTT" in result.text
    assert pickle.loads(pickle.dumps(result)) == result


@SETTINGS
@given(st.binary(max_size=4096), st.none() | st.sampled_from(["application/pdf", "text/csv"]))
def test_random_bytes_never_raise(data, declared):
    check(extract(data, declared=declared, ocr=False))


@st.composite
def mutated_corpus(draw: st.DrawFn) -> bytes:
    """A corpus document truncated, overwritten or spliced with random bytes."""
    data = bytearray(CORPUS[draw(st.sampled_from(sorted(CORPUS)))])
    for _ in range(draw(st.integers(1, 4))):
        position = draw(st.integers(0, len(data) - 1))
        action = draw(st.sampled_from(["truncate", "overwrite", "insert", "delete"]))
        chunk = draw(st.binary(min_size=1, max_size=64))
        if action == "truncate":
            del data[position:]
        elif action == "overwrite":
            data[position : position + len(chunk)] = chunk
        elif action == "insert":
            data[position:position] = chunk
        else:
            del data[position : position + len(chunk)]
        if not data:
            break
    return bytes(data)


@SETTINGS
@given(mutated_corpus())
def test_mutated_corpus_documents_never_raise(data):
    check(extract(data, ocr=False))
