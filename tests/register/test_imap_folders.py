"""The register's read-only IMAP folders on a real server, over real sockets: the corpus delivered
and imported, then read by a user with the register right through IMAP (folders, headers,
documents, SEARCH through the register's index, refusals, history, corrections, revocation)."""

from __future__ import annotations

import base64
import hashlib
import imaplib
import re
from email.message import Message
from email.parser import BytesHeaderParser
from email.policy import default
from urllib.parse import quote

import pytest
from sqlalchemy import select

from govmail.imap.protocol import utf7
from govmail.register.folders import BOOK_FOLDERS, ROOT, folder_name
from govmail.store.models import RegisterEvent
from tests.register.corpus import (
    DOCUMENTS,
    PRINTED,
    SLUG_BY_SHA,
    listed,
    number_slug,
    queries,
    shown,
)
from tests.support.imap import RawImap, imaps
from tests.support.inspect import read
from tests.support.server import GovmailServer

AN = "an@songlam.gov.vn"
BINH = "binh@songlam.gov.vn"
UID = re.compile(rb"UID (\d+)")


@pytest.fixture
def server(registered: GovmailServer) -> GovmailServer:
    """The corpus server of the package, where an@ has the register right."""
    return registered


def book(server: GovmailServer, name: str) -> str:
    """The folder of one of the agency's books, for the year its entries were filed in."""
    (year,) = {row["year"] for row in listed(server, "--book", name)}
    return folder_name(name, year)


def wire(name: str) -> str:
    return '"' + utf7.encode(name) + '"'


def folders(client: imaplib.IMAP4) -> dict[str, str]:
    """Folder name (decoded) → its LIST attributes."""
    typ, lines = client.list()
    assert typ == "OK"
    found = {}
    for line in lines:
        match = re.match(rb'\(([^)]*)\) "/" "?([^"]*)"?$', line)
        assert match, line
        found[utf7.decode(match[2].decode())] = match[1].decode()
    return found


def views(client: imaplib.IMAP4, uids: str = "1:*") -> dict[int, Message]:
    """UID → the decoded headers of the views in the selected folder."""
    typ, data = client.uid("FETCH", uids, "(BODY.PEEK[HEADER])")
    assert typ == "OK", data
    found = {}
    for item in data:
        if isinstance(item, tuple):
            (uid,) = UID.findall(item[0])
            found[int(uid)] = BytesHeaderParser(policy=default).parsebytes(item[1])
    return found


def by_entry(client: imaplib.IMAP4) -> dict[int, int]:
    """Entry id → UID of its view in the selected folder."""
    return {int(headers["X-Govmail-Register-Entry"]): uid for uid, headers in views(client).items()}


def search(client: imaplib.IMAP4, *keys: str, text: str | None = None) -> set[int]:
    """UID SEARCH CHARSET UTF-8 <keys>, ending with TEXT {literal} when *text* is given."""
    if text is not None:
        client.literal = text.encode()
        keys = (*keys, "TEXT")
    typ, data = client.uid("SEARCH", "CHARSET", "UTF-8", *keys)
    assert typ == "OK", data
    return {int(uid) for uid in data[0].split()}


def messages(client: imaplib.IMAP4, name: str) -> int:
    typ, data = client.status(wire(name), "(MESSAGES)")
    assert typ == "OK", data
    return int(re.findall(rb"MESSAGES (\d+)", data[0])[0])


def history(server: GovmailServer, entry_id: int, action: str) -> list[dict]:
    return [event for event in shown(server, entry_id)["history"] if event["action"] == action]


def test_the_folders_follow_the_register_right(server):
    with imaps(server, BINH) as client:
        assert not [name for name in folders(client) if name.startswith(ROOT)]
        typ, data = client.create(wire(f"{ROOT}/Riêng"))
        assert typ == "NO" and data[0].startswith(b"[CANNOT]"), data
    server.cli("register", "grant", BINH)
    incoming = book(server, "incoming")
    with imaps(server, BINH) as client:
        assert client.select(wire(incoming), readonly=True)[1] == [b"6"]
    server.cli("register", "revoke", BINH)
    with imaps(server, BINH) as client:
        assert not [name for name in folders(client) if name.startswith(ROOT)]
        assert client.select(wire(incoming))[0] == "NO"


def test_a_granted_user_sees_the_books_as_a_hierarchy(server):
    incoming, archive = book(server, "incoming"), book(server, "archive")
    year = incoming.rsplit("/", 1)[1]
    with imaps(server) as client:
        listing = folders(client)
        assert {
            name: attributes for name, attributes in listing.items() if "/" in name or name == ROOT
        } == {
            "Sổ văn bản": "\\HasChildren",
            "Sổ văn bản/Đến": "\\HasChildren",
            f"Sổ văn bản/Đến/{year}": "\\Noinferiors",
            "Sổ văn bản/Lưu trữ": "\\HasChildren",
            f"Sổ văn bản/Lưu trữ/{year}": "\\Noinferiors",
        }
        assert (messages(client, incoming), messages(client, archive)) == (6, 9)


def test_each_view_carries_the_metadata_and_the_document(server):
    rows = {row["id"]: row for row in listed(server, "--book", "incoming")}
    corpus = {hashlib.sha256(path.read_bytes()).hexdigest(): path for path in DOCUMENTS.iterdir()}
    with imaps(server) as client:
        client.select(wire(book(server, "incoming")), readonly=True)
        shown_views = views(client)
        assert {int(h["X-Govmail-Register-Entry"]) for h in shown_views.values()} == set(rows)
        checked = 0
        for uid, headers in shown_views.items():
            row = rows[int(headers["X-Govmail-Register-Entry"])]
            assert headers["X-Govmail-Register-Book"] == "incoming"
            assert int(headers["X-Govmail-Register-Serial"]) == row["serial"]
            structure = client.uid("FETCH", str(uid), "(BODYSTRUCTURE)")[1][0].lower()
            name = row["filename"]
            printed_name = name if name.isascii() else "utf-8''" + quote(name, safe="")
            assert b'("attachment" ("filename' in structure
            assert printed_name.lower().encode() in structure, structure
            document = base64.b64decode(client.uid("FETCH", str(uid), "(BODY.PEEK[2])")[1][0][1])
            assert hashlib.sha256(document).hexdigest() == row["sha256"]
            if row["sha256"] not in corpus:  # the truncated copy: not a corpus file
                continue
            assert document == corpus[row["sha256"]].read_bytes()
            printed = PRINTED[SLUG_BY_SHA[row["sha256"]]]
            assert headers["X-Govmail-Document-Number"] == printed["number"]
            assert headers["X-Govmail-Document-Type"] == printed["type"]
            assert headers["X-Govmail-Document-Issuer"] == printed["issuer"]
            assert headers["From"].addresses[0].display_name == printed["issuer"]
            assert headers["Subject"].startswith(f"{printed['number']} {printed['type']}: ")
            checked += 1
        assert checked == 5


@pytest.mark.parametrize(("query", "expected"), queries(), ids=[q for q, _ in queries()])
def test_every_corpus_query_finds_its_documents_through_imap_search(server, query, expected):
    with imaps(server) as client:
        client.select(wire(book(server, "archive")), readonly=True)
        found = search(client, text=query)
        assert found
        numbers = {
            headers["X-Govmail-Document-Number"]
            for headers in views(client, ",".join(map(str, sorted(found)))).values()
        }
        assert set(expected) <= {number_slug(number) for number in numbers}, numbers


def test_text_keys_combine_with_the_other_keys(server):
    with imaps(server) as client:
        client.select(wire(book(server, "archive")), readonly=True)
        everything = search(client, text="văn bản")
        report = search(client, "HEADER", "X-Govmail-Document-Number", "07/BC-UBND")
        assert report and report <= everything
        assert (
            search(
                client, "NOT", "HEADER", "X-Govmail-Document-Number", "07/BC-UBND", text="văn bản"
            )
            == everything - report
        )
        first = min(everything)
        assert search(client, "UID", str(first), text="văn bản") == {first}


def test_no_change_is_allowed_in_the_register_folders(server):
    incoming = book(server, "incoming")
    with RawImap(server) as raw:
        before = raw.command(f"a STATUS {wire(incoming)} (MESSAGES UIDNEXT HIGHESTMODSEQ)")[0]
        assert raw.command(f"b SELECT {wire(incoming)}")[-1] == b"b OK [READ-ONLY] SELECT completed"
        for command in (
            "c STORE 1 +FLAGS (\\Seen)",
            "d UID STORE 1:* +FLAGS.SILENT (\\Deleted)",
            "e EXPUNGE",
            "f UID EXPUNGE 1:*",
            "g MOVE 1 INBOX",
            f"h DELETE {wire(incoming)}",
            f"i RENAME {wire(incoming)} Elsewhere",
            f"j DELETE {wire(ROOT)}",
            f"k RENAME Archive {wire(ROOT + '/Mine')}",
            f"l CREATE {wire(BOOK_FOLDERS['incoming'] + '/Mine')}",
            f"m COPY 1 {wire(incoming)}",
            f"n MOVE 1 {wire(book(server, 'archive'))}",
        ):
            tag = command.split(" ", 1)[0]
            answer = raw.command(command)[-1]
            assert answer.startswith(f"{tag} NO [CANNOT] ".encode()), (command, answer)
        # Reading does not set \Seen (a view is \Seen from the start) nor change a MODSEQ.
        flags = raw.command("o FETCH 1 (FLAGS MODSEQ)")[0]
        raw.command("p FETCH 1 BODY[]")
        assert raw.command("q FETCH 1 (FLAGS MODSEQ)")[0] == flags
        # Copying out is reading: it is allowed.
        assert raw.command("r COPY 1 Archive")[-1].startswith(b"r OK [COPYUID ")
        raw.command("s SELECT INBOX")
        append = raw.command(f"t APPEND {wire(incoming)} {{7+}}\r\nSubject")[-1]
        assert append.startswith(b"t NO [CANNOT] "), append
        assert raw.command(f"u COPY 1 {wire(incoming)}")[-1].startswith(b"u NO [CANNOT] ")
        assert raw.command(f"v MOVE 1 {wire(incoming)}")[-1].startswith(b"v NO [CANNOT] ")
        after = raw.command(f"w STATUS {wire(incoming)} (MESSAGES UIDNEXT HIGHESTMODSEQ)")[0]
        assert after == before
    with imaps(server) as client:
        assert incoming in folders(client)


def test_reading_and_searching_go_into_the_history(server):
    incoming = book(server, "incoming")
    with imaps(server) as client:
        client.select(wire(incoming), readonly=True)
        entry_id, uid = next(iter(by_entry(client).items()))
        before = len(history(server, entry_id, "fetched"))
        # What a message list shows is not a read of the document.
        client.uid("FETCH", str(uid), "(BODY.PEEK[HEADER.FIELDS (SUBJECT)] ENVELOPE)")
        assert len(history(server, entry_id, "fetched")) == before
        client.uid("FETCH", str(uid), "(BODY[])")
        fetched = history(server, entry_id, "fetched")[before:]
        assert [(event["actor"], event["detail"]) for event in fetched] == [
            (AN, {"via": "imap", "folder": incoming})
        ]
        found = search(client, text="hộp thư điện tử")
    searched = read(
        server,
        lambda session: [
            event.detail
            for event in session.scalars(
                select(RegisterEvent).where(
                    RegisterEvent.action == "searched", RegisterEvent.actor == AN
                )
            )
        ],
    )
    query = {"via": "imap", "folder": incoming, "query": "hộp thư điện tử", "results": len(found)}
    assert query in searched


def test_a_correction_replaces_the_view(server):
    incoming = book(server, "incoming")
    with RawImap(server) as raw:
        raw.command("a ENABLE QRESYNC")
        raw.command(f"b SELECT {wire(incoming)}")
        with imaps(server) as client:
            client.select(wire(incoming), readonly=True)
            entries = by_entry(client)
        entry_id = min(entries)
        old = entries[entry_id]
        server.cli("register", "correct", str(entry_id), "signer", "Nguyễn Thị Sửa")
        lines = raw.command("c NOOP")
        assert f"* VANISHED {old}".encode() in lines, lines
        assert any(line.endswith(b" EXISTS") for line in lines), lines
    with imaps(server) as client:
        client.select(wire(incoming), readonly=True)
        now = by_entry(client)
        assert len(now) == 6 and now[entry_id] > old
        headers = views(client, str(now[entry_id]))[now[entry_id]]
        assert headers["X-Govmail-Document-Signer"] == "Nguyễn Thị Sửa"
