"""The register's workers on a real store: extraction, recognition, warnings, retries and the
search over what they produced."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select, update

from govmail.config import RegisterSettings
from govmail.register.filing import Attachment, Filing, Route
from govmail.register.search import Query, matching_ids, search
from govmail.register.worker import RegisterWorker
from govmail.store import flags as stored_flags
from govmail.store.commit import Committer, NewMessage
from govmail.store.models import Document, MailboxEntry, RegisterEntry, utcnow
from tests.store.helpers import run, user_id

HEADER = """ỦY BAN NHÂN DÂN
TỈNH SÔNG LAM
Số: {number}
{mark}
Sông Lam, ngày {day} tháng {month} năm 2012

{title}
{summary}

{body}

Nơi nhận:
- Như trên;
TM. ỦY BAN NHÂN DÂN
CHỦ TỊCH

Nguyễn Văn An
"""


def document(
    number: str = "215/QĐ-UBND",
    title: str = "QUYẾT ĐỊNH",
    summary: str = "Về việc ban hành quy chế sử dụng thư điện tử công vụ",
    body: str = "Các cơ quan sử dụng hộp thư điện tử để trao đổi văn bản.",
    mark: str = "",
    day: int = 12,
    month: int = 3,
) -> bytes:
    text = HEADER.format(
        number=number, mark=mark, title=title, summary=summary, body=body, day=day, month=month
    )
    return text.encode()


def message(user: int, n: int, data: bytes, route: Route | None = None) -> NewMessage:
    raw = f"Subject: văn bản {n}\r\nMessage-ID: <{n}@x>\r\n\r\n.\r\n".encode()
    return NewMessage(
        raw=raw,
        mail_from="vanthu@tinhkhac.gov.vn",
        recipients=["an@songlam.gov.vn"],
        local_user_ids=[user],
        remote_recipients=[],
        filing=Filing(
            attachments=[Attachment(data=data, filename=f"{n}.txt", declared="", part="2")],
            routes=[route or Route("incoming", "incoming", "songlam.gov.vn")],
            subject=f"văn bản {n}",
        ),
    )


async def file_and_read(db, blobs, items: list[bytes], settings=None) -> RegisterWorker:
    user = await user_id(db, "an@songlam.gov.vn")
    committer = Committer(db, blobs, group=False, max_batch=1)
    for n, data in enumerate(items):
        await committer.commit(message(user, n, data))
    worker = RegisterWorker(db, blobs, settings or RegisterSettings(processes=1))
    while await worker.drain_once():
        pass
    return worker


def test_recognised_fields_land_in_columns_and_the_index(make_store):
    async def test(db, blobs):
        worker = await file_and_read(db, blobs, [document()])
        await worker.stop()
        entry = await db.read(lambda s: s.scalars(select(RegisterEntry)).one())
        by_number = await db.read(lambda s: search(s, Query(text="215/qd-ubnd")))
        by_words = await db.read(lambda s: search(s, Query(text="quy che thu dien tu cong vu")))
        return entry, by_number, by_words

    entry, by_number, by_words = run(make_store, test)
    assert (entry.number, entry.number_key, entry.doc_type) == (
        "215/QĐ-UBND",
        "215/qd-ubnd",
        "Quyết định",
    )
    assert entry.doc_date == date(2012, 3, 12)
    assert entry.issuer == "ỦY BAN NHÂN DÂN TỈNH SÔNG LAM" and entry.signer == "Nguyễn Văn An"
    assert (
        entry.fields["number"]["source"] == "text" and 0 < entry.fields["number"]["confidence"] <= 1
    )
    assert entry.warnings == []
    assert [hit.id for hit in by_number] == [entry.id]
    assert by_words[0].id == entry.id
    # Each matched word is marked on its own, in its original diacritics.
    assert "**quy** **chế**" in by_words[0].snippet


def test_a_confidential_document_flags_its_message_and_warns(make_store):
    async def test(db, blobs):
        worker = await file_and_read(db, blobs, [document(mark="MẬT")])
        await worker.stop()
        entry = await db.read(lambda s: s.scalars(select(RegisterEntry)).one())
        flags = await db.read(lambda s: s.scalars(select(MailboxEntry.flags)).one())
        return entry, stored_flags.parse(flags)

    entry, flags = run(make_store, test)
    assert entry.confidentiality == "Mật"
    assert [warning["code"] for warning in entry.warnings] == ["confidential"]
    assert {"\\Flagged", "$Confidential"} <= flags


def test_the_same_number_and_issuer_twice_is_a_duplicate(make_store):
    async def test(db, blobs):
        first = document(body="Bản thứ nhất.")
        second = document(body="Bản thứ hai, cùng số, cùng cơ quan ban hành.")
        other = document(number="216/QĐ-UBND")
        worker = await file_and_read(db, blobs, [first, second, other])
        await worker.stop()
        return await db.read(
            lambda s: list(
                s.execute(
                    select(RegisterEntry.id, RegisterEntry.warnings).order_by(RegisterEntry.id)
                )
            )
        )

    (first_id, first), (_, second), (_, other) = run(make_store, test)
    assert first == [] and other == []
    (duplicate,) = second
    assert duplicate["code"] == "duplicate" and duplicate["entries"] == [first_id]
    assert "215/QĐ-UBND" in duplicate["text"]


def test_a_document_that_cannot_be_read_is_retried_then_marked_failed(make_store):
    settings = RegisterSettings(processes=1, max_attempts=2)

    async def test(db, blobs):
        user = await user_id(db, "an@songlam.gov.vn")
        await Committer(db, blobs, group=False, max_batch=1).commit(message(user, 1, document()))
        digest = await db.read(lambda s: s.scalar(select(Document.sha256)))
        blobs.path_for(digest).unlink()  # a disk that lost the file
        worker = RegisterWorker(db, blobs, settings)
        await worker.drain_once()
        after_one = await db.read(lambda s: s.execute(select(Document)).scalar_one())
        # Time passes: the retry falls due.
        await db.write(lambda s: s.execute(update(Document).values(next_attempt_at=utcnow())))
        while await worker.drain_once():
            pass
        await worker.stop()
        after_two = await db.read(lambda s: s.execute(select(Document)).scalar_one())
        entry = await db.read(lambda s: s.scalars(select(RegisterEntry)).one())
        return after_one, after_two, entry

    after_one, after_two, entry = run(make_store, test)
    assert after_one.status == "pending" and after_one.attempts == 1
    assert "FileNotFoundError" in after_one.reason
    assert after_one.next_attempt_at > after_one.created_at + timedelta(seconds=30)
    assert after_two.status == "failed" and after_two.attempts == 2
    assert after_two.reason.startswith("extraction failed 2 times: FileNotFoundError")
    # Still filed, recognised as far as nothing goes, and marked.
    assert entry.recognised_at is not None
    assert [warning["code"] for warning in entry.warnings] == ["unreadable"]


def test_filters_narrow_the_search(make_store):
    async def test(db, blobs):
        worker = await file_and_read(
            db,
            blobs,
            [
                document(number="01/QĐ-UBND", month=1),
                document(number="02/KH-UBND", title="KẾ HOẠCH", month=6),
                document(number="03/QĐ-UBND", month=11),
            ],
        )
        await worker.stop()

        def look(session):
            def ask(query: Query) -> list[str | None]:
                return sorted(hit.number for hit in search(session, query))

            words = "thu dien tu"
            return {
                "all": ask(Query(text=words)),
                "type": ask(Query(text=words, doc_type="quyết định")),
                "dates": ask(
                    Query(text=words, date_from=date(2012, 5, 1), date_to=date(2012, 12, 31))
                ),
                "issuer": ask(Query(text=words, issuer="ubnd tinh song lam")),
                "issuer in full": ask(Query(text=words, issuer="Ủy ban nhân dân tỉnh")),
                "other issuer": ask(Query(text=words, issuer="so noi vu")),
                "outgoing": ask(Query(text=words, direction="outgoing")),
                "imap": sorted(matching_ids(session, Query(text="02/kh-ubnd"))),
            }

        return await db.read(look)

    found = run(make_store, test)
    assert found["all"] == ["01/QĐ-UBND", "02/KH-UBND", "03/QĐ-UBND"]
    assert found["type"] == ["01/QĐ-UBND", "03/QĐ-UBND"]
    assert found["dates"] == ["02/KH-UBND", "03/QĐ-UBND"]
    assert found["issuer"] == found["issuer in full"] == found["all"]
    assert found["other issuer"] == [] and found["outgoing"] == []
    assert len(found["imap"]) == 1
