"""Text search on SQLite (FTS5 trigram) and PostgreSQL (pg_trgm): Vietnamese folding, address
and header fields, short needles, and hostile text that must be stored without error."""

from __future__ import annotations

import pytest

from govmail.store import entries
from govmail.store.blobs import BlobStore
from govmail.store.check import problems
from govmail.store.db import Database
from govmail.store.textindex import header_text
from tests.store.helpers import deliver, mailbox_id, new_message, run, user_id

MESSAGES = [
    {
        "subject": "Văn bản điện tử số 215/QĐ-UBND",
        "from": "Nguyễn Văn An <an@songlam.gov.vn>",
        "to": "Phòng Hành chính <hanhchinh@songlam.gov.vn>",
        "cc": "",
        "bcc": "lanhdao@songlam.gov.vn",
        "body": "Kính gửi: UBND thành phố Đà Nẵng.\nGiảm 50% phí; mã a_b; đường dẫn C:\\temp",
        "headers": header_text(
            [
                ("Subject", "Văn bản điện tử số 215/QĐ-UBND"),
                ("From", "Nguyễn Văn An <an@songlam.gov.vn>"),
                ("X-Priority", "Khẩn"),
            ]
        ),
    },
    {
        "subject": "Giấy mời họp",
        "from": "Trần Thị Bình <binh@tinhkhac.gov.vn>",
        "to": "Nguyễn Văn An <an@songlam.gov.vn>",
        "cc": "Văn thư <vanthu@songlam.gov.vn>",
        "bcc": "",
        "body": 'Mời họp tại Hà Nội lúc 8 giờ. Nói "xin chào" 3 lần.',
        "headers": header_text(
            [("Subject", "Giấy mời họp"), ("X-Mailer", "Khẩn cấp mailer"), ("X-Empty", "")]
        ),
    },
]


async def searchable(db: Database, blobs: BlobStore) -> tuple[int, int]:
    """MESSAGES as UIDs 1 and 2 of a user's INBOX: (user id, INBOX id)."""
    owner = await user_id(db, "an@songlam.gov.vn")
    for i, text in enumerate(MESSAGES):  # one by one: UID order is MESSAGES order
        await deliver(db, blobs, [new_message([owner], n=i, search_text=text)])
    return owner, await mailbox_id(db, owner)


CASES = [
    # Vietnamese with or without diacritics, in any case.
    ("SUBJECT", "van ban dien tu", {1}),
    ("SUBJECT", "VĂN BẢN ĐIỆN TỬ", {1}),
    ("SUBJECT", "điện tử", {1}),
    ("SUBJECT", "215/qd-ubnd", {1}),
    ("BODY", "da nang", {1}),
    ("BODY", "Đà Nẵng", {1}),
    ("BODY", "ha noi", {2}),
    ("BODY", "giay moi", set()),  # in the subject, not the body
    ("TEXT", "giay moi", {2}),
    ("TEXT", "kinh gui", {1}),
    # Addresses by any substring of name or address.
    ("FROM", "an@songlam", {1}),
    ("FROM", "nguyen van", {1}),
    ("FROM", "tinhkhac.gov", {2}),
    ("TO", "nguyen van an", {2}),
    ("TO", "hanhchinh@", {1}),
    ("CC", "vanthu", {2}),
    ("BCC", "lanhdao", {1}),
    ("BCC", "vanthu", set()),
    # HEADER fields: the phrase must be in that very field.
    ("HEADER:X-PRIORITY", "khan", {1}),
    ("HEADER:X-Mailer", "khan", {2}),
    ("HEADER:X-PRIORITY", "mailer", set()),
    ("HEADER:X-PRIORITY", "nguyen", set()),  # in another field of the same message
    ("HEADER:X-EMPTY", "", {2}),
    ("HEADER:X-PRIORITY", "", {1}),
    ("HEADER:X-MISSING", "", set()),
    ("HEADER:SUBJECT", "moi hop", {2}),
    ("HEADER:FROM", "binh@", {2}),
    # Short needles are scanned for, not looked up in the trigram index.
    ("BODY", "3", {2}),
    ("SUBJECT", "số", {1}),
    ("TO", "ph", {1}),
    ("HEADER:X-PRIORITY", "kh", {1}),
    # LIKE wildcards and FTS5 syntax in a needle are plain characters.
    ("BODY", "50%", {1}),
    ("BODY", "0% p", {1}),
    ("BODY", "%", {1}),
    ("BODY", "a_b", {1}),
    ("BODY", "a%b", set()),
    ("BODY", "_", {1}),
    ("BODY", "c:\\temp", {1}),
    ("BODY", '"xin chao"', {2}),
    ("BODY", "AND OR NOT", set()),
    ("BODY", "{body} : x", set()),
    ("BODY", "*", set()),
    # An empty needle matches everything.
    ("SUBJECT", "", {1, 2}),
    ("TEXT", "", {1, 2}),
]


def test_search_cases(make_store):
    async def test(db: Database, blobs: BlobStore) -> list[tuple[str, str, set[int]]]:
        _, inbox = await searchable(db, blobs)
        found = []
        for field, needle, _ in CASES:
            uids = await db.read(lambda s, f=field, n=needle: entries.search_text(s, inbox, f, n))
            found.append((field, needle, uids))
        return found

    assert run(make_store, test) == CASES


def test_search_stays_within_the_mailbox(make_store):
    async def test(db: Database, blobs: BlobStore) -> None:
        owner, inbox = await searchable(db, blobs)
        other = await user_id(db, "binh@songlam.gov.vn")
        await deliver(db, blobs, [new_message([other], n=9, search_text=MESSAGES[0])])
        archive = await mailbox_id(db, owner, "Archive")
        theirs = await mailbox_id(db, other)
        await db.write(lambda s: entries.move_entries(s, inbox, [1], archive))
        assert await db.read(lambda s: entries.search_text(s, inbox, "BODY", "da nang")) == set()
        assert await db.read(lambda s: entries.search_text(s, archive, "BODY", "da nang")) == {1}
        assert await db.read(lambda s: entries.search_text(s, theirs, "BODY", "da nang")) == {1}
        assert await db.read(lambda s: entries.search_text(s, archive, "BODY", "a")) == {1}

    run(make_store, test)


def test_unknown_fields_are_refused(make_store):
    async def test(db: Database, blobs: BlobStore) -> None:
        _, inbox = await searchable(db, blobs)
        with pytest.raises(ValueError):
            await db.read(lambda s: entries.search_text(s, inbox, "SIZE", "x"))

    run(make_store, test)


HOSTILE = {
    "subject": "NUL\x00in subject \ud800 lone surrogate",
    "from": "\u202eevil\u202c <x@y>",
    "to": "a" * 10_000,
    "cc": "e\u0301\u0301\u0301 z\u0338",
    "bcc": "\U0001f600" * 100,
    "body": ("Tài liệu \x00 mật " * 100_000) + "đuôi cuối",
    "headers": header_text([(f"X-H{i}", f"giá trị {i}\x00") for i in range(2000)]),
}


def test_hostile_text_is_stored_and_searchable(make_store):
    async def test(db: Database, blobs: BlobStore) -> None:
        owner = await user_id(db, "an@songlam.gov.vn")
        await deliver(db, blobs, [new_message([owner], n=1, search_text=HOSTILE)])
        inbox = await mailbox_id(db, owner)
        for field, needle in (
            ("SUBJECT", "nulin subject"),
            ("SUBJECT", "nul\x00in"),
            ("BODY", "duoi cuoi"),
            ("BODY", "tai lieu  mat"),
            ("CC", "e z"),
            ("BCC", "\U0001f600\U0001f600\U0001f600"),
            ("FROM", "evil"),
            ("TO", "aaaa"),
            ("HEADER:X-H1999", "gia tri 1999"),
        ):
            found = await db.read(lambda s, f=field, n=needle: entries.search_text(s, inbox, f, n))
            assert found == {1}, (field, needle)
        assert await problems(db, blobs) == []

    run(make_store, test)
