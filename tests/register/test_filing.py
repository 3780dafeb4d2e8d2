"""Filing at commit: one entry per attachment and book, documents once per SHA-256, numbers
without gap or repeat per agency, book and Vietnam calendar year."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from govmail.mime import parse_message
from govmail.register.filing import (
    Attachment,
    Filing,
    Route,
    attachments,
    routes,
    safe_filename,
)
from govmail.store.commit import Committer, NewMessage
from govmail.store.models import Document, RegisterEntry, RegisterEvent
from tests.store.helpers import run, user_id

MESSAGES = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "messages"
PDF = b"%PDF-1.4\n% a tiny stand-in\n"


def test_attachments_of_every_corpus_message():
    found = {}
    for path in sorted(MESSAGES.glob("*.eml")):
        raw = path.read_bytes()
        found[path.name[:2]] = attachments(parse_message(raw), raw)
    assert [a.filename for a in found["01"]] == ["11-CT-UBND.pdf"]
    assert [a.filename for a in found["02"]] == ["Giấy mời 45-GM-STTTT.docx"]
    assert [a.filename for a in found["04"]] == ["125-UBND-VP.pdf", "125-UBND-VP-scan.pdf"]
    assert found["06"] == []
    assert all(a.data.startswith(b"%PDF-") for a in found["04"])
    assert found["04"][0].part == "2" and found["04"][1].part == "3"
    # The truncated message keeps its cut attachment, marked.
    (cut,) = found["05"]
    assert cut.damaged and "truncated" in cut.damaged
    assert all(a.damaged is None for key in ("01", "02", "03", "04") for a in found[key])


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\vanthu\\Tờ trình.pdf", "Tờ trình.pdf"),
        ("to\u0300 tri\u0300nh.pdf", "tờ trình.pdf".replace("ờ", "ò")),
        ("a\x00b\r\nc.pdf", "abc.pdf"),
        ("..", ""),
        ("x" * 1000, "x" * 255),
    ],
)
def test_file_names_are_for_display_only(name, shown):
    assert safe_filename(name) == shown


def test_routes_follow_who_sends_and_who_receives():
    province, district = "songlam.gov.vn", "tanphu.songlam.gov.vn"
    # From outside: incoming for each receiving agency.
    assert routes(None, [district, province, district], remote=False) == [
        Route("incoming", "incoming", province),
        Route("incoming", "incoming", district),
    ]
    # A province user writing out: the province's outgoing book only.
    assert routes(province, [], remote=True) == [Route("outgoing", "outgoing", province)]
    # Province to district on this server: outgoing here, incoming there.
    assert routes(province, [district], remote=False) == [
        Route("outgoing", "internal", province),
        Route("incoming", "internal", district),
    ]
    # Within one agency: its internal book, unnumbered.
    assert routes(province, [province], remote=False) == [Route("internal", "internal", province)]


def _message(user: int, n: int, data: bytes, at: datetime | None = None) -> NewMessage:
    raw = f"Subject: văn bản {n}\r\nMessage-ID: <{n}@x>\r\n\r\n.\r\n".encode()
    message = NewMessage(
        raw=raw,
        mail_from="vanthu@tinhkhac.gov.vn",
        recipients=["an@songlam.gov.vn"],
        local_user_ids=[user],
        remote_recipients=[],
        message_id=f"<{n}@x>",
        filing=Filing(
            attachments=[
                Attachment(data=data, filename=f"{n}.pdf", declared="application/pdf", part="2")
            ],
            routes=[Route("incoming", "incoming", "songlam.gov.vn")],
            mail_from="vanthu@tinhkhac.gov.vn",
            recipients=("an@songlam.gov.vn",),
            subject=f"văn bản {n}",
            message_id_header=f"<{n}@x>",
        ),
    )
    if at is not None:
        message.internal_date = at
    return message


@pytest.mark.parametrize("group", [True, False], ids=["group-commit", "one-by-one"])
def test_concurrent_filings_number_without_gap_or_repeat(make_store, group):
    async def test(db, blobs):
        user = await user_id(db, "an@songlam.gov.vn")
        committer = Committer(db, blobs, group=group, max_batch=16)
        committer.start()
        try:
            await asyncio.gather(
                *(committer.commit(_message(user, n, PDF + str(n).encode())) for n in range(200))
            )
        finally:
            await committer.stop()
        return await db.read(
            lambda s: list(
                s.execute(select(RegisterEntry.serial, RegisterEntry.subject, RegisterEntry.year))
            )
        )

    rows = run(make_store, test)
    assert sorted(serial for serial, _, _ in rows) == list(range(1, 201))
    assert {year for *_, year in rows} == {datetime.now(UTC).year}


def test_the_series_restarts_on_the_first_of_january_in_vietnam(make_store):
    # 16:59:59 UTC on 31 December is 23:59:59 in Vietnam; a second later it is New Year there.
    moments = [
        datetime(2012, 12, 31, 16, 59, 58, tzinfo=UTC),
        datetime(2012, 12, 31, 16, 59, 59, tzinfo=UTC),
        datetime(2012, 12, 31, 17, 0, 0, tzinfo=UTC),
        datetime(2013, 1, 2, 3, 0, 0, tzinfo=UTC),
    ]

    async def test(db, blobs):
        user = await user_id(db, "an@songlam.gov.vn")
        committer = Committer(db, blobs, group=False, max_batch=1)
        for n, moment in enumerate(moments):
            await committer.commit(_message(user, n, PDF + bytes([n]), at=moment))
        return await db.read(
            lambda s: list(
                s.execute(
                    select(RegisterEntry.year, RegisterEntry.serial).order_by(RegisterEntry.id)
                )
            )
        )

    assert run(make_store, test) == [(2012, 1), (2012, 2), (2013, 1), (2013, 2)]


def test_a_document_is_stored_once_however_many_messages_carry_it(make_store):
    async def test(db, blobs):
        user = await user_id(db, "an@songlam.gov.vn")
        committer = Committer(db, blobs, group=False, max_batch=1)
        for n in range(3):
            await committer.commit(_message(user, n, PDF))

        def look(s):
            documents = list(s.execute(select(Document.sha256, Document.status, Document.size)))
            entries = s.scalar(select(func.count()).select_from(RegisterEntry))
            filed = s.scalar(
                select(func.count())
                .select_from(RegisterEvent)
                .where(RegisterEvent.action == "filed")
            )
            return documents, entries, filed

        return await db.read(look), blobs

    (documents, entries, filed), blobs = run(make_store, test)
    assert len(documents) == 1 and entries == 3 and filed == 3
    digest, status, size = documents[0]
    assert status == "pending" and size == len(PDF)
    assert blobs.get(digest) == PDF
