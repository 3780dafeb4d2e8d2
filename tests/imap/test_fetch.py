"""FETCH with exact responses: ENVELOPE with RFC 2047 Vietnamese names, BODYSTRUCTURE of
multipart, message/rfc822 and an RFC 2231 Vietnamese file name, body sections, partials, the
RFC822 items, BINARY, and \\Seen set by reading."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support.imap import RawImap, fresh_user

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "messages"

TEXT = "Kính gửi các đồng chí.".encode()
PDF = b"JVBERi0xLjQK"
INNER = (
    b"From: x@example.gov.vn\r\nSubject: inner\r\nDate: Mon, 2 Nov 2026 08:00:00 +0700\r\n"
    b"\r\nnoi dung ben trong\r\n"
)
FILENAME = "Gi%E1%BA%A5y%20m%E1%BB%9Di.pdf"
MESSAGE = (
    b"From: =?utf-8?b?Tmd1eeG7hW4gVsSDbiBBbg==?= <an@songlam.gov.vn>\r\n"
    b"To: binh@songlam.gov.vn\r\n"
    b"Subject: =?utf-8?q?Gi=E1=BA=A5y_m=E1=BB=9Di_h=E1=BB=8Dp?=\r\n"
    b"Date: Wed, 25 Nov 2026 09:00:00 +0700\r\n"
    b"Message-ID: <giaymoi-1@songlam.gov.vn>\r\n"
    b"MIME-Version: 1.0\r\n"
    b'Content-Type: multipart/mixed; boundary="b1"\r\n'
    b"\r\n"
    b"--b1\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"Content-Transfer-Encoding: 8bit\r\n"
    b"\r\n" + TEXT + b"\r\n"
    b"--b1\r\n"
    b"Content-Type: application/pdf\r\n"
    b"Content-Disposition: attachment; filename*=utf-8''" + FILENAME.encode() + b"\r\n"
    b"Content-Transfer-Encoding: base64\r\n"
    b"\r\n" + PDF + b"\r\n"
    b"--b1\r\n"
    b"Content-Type: message/rfc822\r\n"
    b"\r\n" + INNER + b"\r\n"
    b"--b1--\r\n"
)


@pytest.fixture
def mailbox(imap_server, deliver):
    """A user whose INBOX holds MESSAGE as UID 1, and a raw session with INBOX selected."""
    user = fresh_user(imap_server)
    deliver(user, raw=MESSAGE)
    with RawImap(imap_server, login=user) as raw:
        raw.command("s SELECT INBOX")
        yield raw


def stored(raw_session: RawImap) -> bytes:
    """The message as stored: MESSAGE with the Received header the MX prepended."""
    line = raw_session.command("x FETCH 1 BODY.PEEK[]")[0]
    return line.split(b"}\r\n", 1)[1][:-1]


def test_envelope_keeps_encoded_words_for_the_client(mailbox):
    line = mailbox.command("a FETCH 1 ENVELOPE")[0]
    assert line == (
        b'* 1 FETCH (ENVELOPE ("Wed, 25 Nov 2026 09:00:00 +0700" '
        b'"=?utf-8?q?Gi=E1=BA=A5y_m=E1=BB=9Di_h=E1=BB=8Dp?=" '
        b'(("=?utf-8?b?Tmd1eeG7hW4gVsSDbiBBbg==?=" NIL "an" "songlam.gov.vn")) '
        b'(("=?utf-8?b?Tmd1eeG7hW4gVsSDbiBBbg==?=" NIL "an" "songlam.gov.vn")) '
        b'(("=?utf-8?b?Tmd1eeG7hW4gVsSDbiBBbg==?=" NIL "an" "songlam.gov.vn")) '
        b'((NIL NIL "binh" "songlam.gov.vn")) NIL NIL NIL "<giaymoi-1@songlam.gov.vn>"))'
    )


def test_bodystructure_of_multipart_attachment_and_message(mailbox):
    line = mailbox.command("a FETCH 1 BODYSTRUCTURE")[0]
    inner_body = b"noi dung ben trong\r\n"
    text_part = b'("text" "plain" ("charset" "utf-8") NIL NIL "8bit" %d 1 NIL NIL NIL NIL)' % len(
        TEXT
    )
    pdf_part = (
        b'("application" "pdf" NIL NIL NIL "base64" %d NIL ("attachment" ("filename*" "utf-8\'\''
        % len(PDF)
        + FILENAME.encode()
        + b'")) NIL NIL)'
    )
    inner_envelope = (
        b'("Mon, 2 Nov 2026 08:00:00 +0700" "inner" ((NIL NIL "x" "example.gov.vn")) '
        b'((NIL NIL "x" "example.gov.vn")) ((NIL NIL "x" "example.gov.vn")) NIL NIL NIL NIL NIL)'
    )
    message_part = (
        b'("message" "rfc822" NIL NIL NIL "7bit" %d ' % len(INNER)
        + inner_envelope
        + b' ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" %d 1 NIL NIL NIL NIL) %d'
        % (len(inner_body), INNER.count(b"\n"))
        + b" NIL NIL NIL NIL)"
    )
    assert line == (
        b"* 1 FETCH (BODYSTRUCTURE ("
        + text_part
        + pdf_part
        + message_part
        + b' "mixed" ("boundary" "b1") NIL NIL NIL))'
    )
    body = mailbox.command("b FETCH 1 BODY")[0]
    assert body.startswith(b'* 1 FETCH (BODY (("text" "plain" ("charset" "utf-8") NIL NIL "8bit"')
    assert b'"mixed")' in body and b"boundary" not in body


def test_body_sections(mailbox):
    assert mailbox.command("a FETCH 1 BODY.PEEK[1]")[0] == (
        b"* 1 FETCH (BODY[1] {%d}\r\n" % len(TEXT) + TEXT + b")"
    )
    assert (
        mailbox.command("b FETCH 1 BODY.PEEK[2]")[0] == b"* 1 FETCH (BODY[2] {12}\r\n" + PDF + b")"
    )
    mime = mailbox.command("c FETCH 1 BODY.PEEK[2.MIME]")[0]
    assert mime.endswith(b"Content-Transfer-Encoding: base64\r\n\r\n)")
    inner = mailbox.command("d FETCH 1 BODY.PEEK[3]")[0]
    assert inner == b"* 1 FETCH (BODY[3] {%d}\r\n" % len(INNER) + INNER + b")"
    header = mailbox.command("e FETCH 1 BODY.PEEK[3.HEADER]")[0]
    assert header.endswith(b"Date: Mon, 2 Nov 2026 08:00:00 +0700\r\n\r\n)")
    assert mailbox.command("f FETCH 1 BODY.PEEK[3.TEXT]")[0].endswith(b"noi dung ben trong\r\n)")
    assert mailbox.command("g FETCH 1 BODY.PEEK[3.1]")[0].endswith(
        b"{20}\r\nnoi dung ben trong\r\n)"
    )
    assert mailbox.command("h FETCH 1 BODY.PEEK[9]")[0] == b'* 1 FETCH (BODY[9] "")'


def test_header_fields_and_not(mailbox):
    fields = mailbox.command("a FETCH 1 BODY.PEEK[HEADER.FIELDS (Subject message-id)]")[0]
    expected = (
        b"Subject: =?utf-8?q?Gi=E1=BA=A5y_m=E1=BB=9Di_h=E1=BB=8Dp?=\r\n"
        b"Message-ID: <giaymoi-1@songlam.gov.vn>\r\n\r\n"
    )
    assert fields == (
        b"* 1 FETCH (BODY[HEADER.FIELDS (SUBJECT MESSAGE-ID)] {%d}\r\n" % len(expected)
        + expected
        + b")"
    )
    without = mailbox.command("b FETCH 1 BODY.PEEK[HEADER.FIELDS.NOT (Received)]")[0]
    assert b"Received:" not in without and b"MIME-Version: 1.0\r\n" in without


def test_whole_message_header_text_and_partial(mailbox):
    raw = stored(mailbox)
    assert raw.endswith(MESSAGE) and raw.startswith(b"Received: ")
    header_end = raw.index(b"\r\n\r\n") + 4
    header = mailbox.command("a FETCH 1 RFC822.HEADER")[0]
    assert header == b"* 1 FETCH (RFC822.HEADER {%d}\r\n" % header_end + raw[:header_end] + b")"
    size = mailbox.command("b FETCH 1 RFC822.SIZE")[0]
    assert size == b"* 1 FETCH (RFC822.SIZE %d)" % len(raw)
    partial = mailbox.command("c FETCH 1 BODY.PEEK[]<0.10>")[0]
    assert partial == b"* 1 FETCH (BODY[]<0> {10}\r\n" + raw[:10] + b")"
    beyond = mailbox.command(f"d FETCH 1 BODY.PEEK[TEXT]<{len(raw)}.5>")[0]
    assert beyond == b'* 1 FETCH (BODY[TEXT]<%d> "")' % len(raw)


def test_reading_a_body_sets_seen_but_peek_does_not(mailbox):
    assert mailbox.command("a FETCH 1 FLAGS")[0] == b"* 1 FETCH (FLAGS ())"
    mailbox.command("b FETCH 1 BODY.PEEK[TEXT]")
    assert mailbox.command("c FETCH 1 FLAGS")[0] == b"* 1 FETCH (FLAGS ())"
    read = b"\n".join(mailbox.command("d FETCH 1 BODY[1]"))
    assert b"FLAGS (\\Seen)" in read
    assert mailbox.command("e FETCH 1 FLAGS")[0] == b"* 1 FETCH (FLAGS (\\Seen))"


def test_binary_decodes_the_transfer_encoding(mailbox):
    assert mailbox.command("a FETCH 1 BINARY.PEEK[2]")[0] == (
        b"* 1 FETCH (BINARY[2] {9}\r\n%PDF-1.4\n)"
    )
    assert mailbox.command("b FETCH 1 BINARY.SIZE[2]")[0] == b"* 1 FETCH (BINARY.SIZE[2] 9)"


def test_macros_uid_fetch_and_internaldate(mailbox):
    fast = mailbox.command("a FETCH 1 FAST")[0]
    assert re.fullmatch(
        rb'\* 1 FETCH \(FLAGS \(\) INTERNALDATE "\d\d-[A-Z][a-z]{2}-\d{4} \d\d:\d\d:\d\d [+-]\d{4}"'
        rb" RFC822\.SIZE \d+\)",
        fast,
    ), fast
    uid = mailbox.command("b UID FETCH 1:* (FLAGS)")[0]
    assert uid == b"* 1 FETCH (UID 1 FLAGS ())"
    assert mailbox.command("c FETCH 2 FLAGS")[-1].startswith(b"c BAD ")
    assert mailbox.command("d UID FETCH 5:9 FLAGS") == [b"d OK FETCH completed"]


def test_corpus_attachment_name_is_sent_as_rfc2231(imap_server, deliver):
    user = fresh_user(imap_server)
    deliver(user, raw=(CORPUS / "02-giay-moi-docx.eml").read_bytes())
    with RawImap(imap_server, login=user) as raw:
        raw.command("s SELECT INBOX")
        line = raw.command("a FETCH 1 BODYSTRUCTURE")[0]
        assert b'("filename*" "utf-8\'\'Gi%E1%BA%A5y%20m%E1%BB%9Di%2045-GM-STTTT.docx")' in line
        envelope = raw.command("b FETCH 1 ENVELOPE")[0]
        assert b"=?utf-8?b?R2nhuqV5IG3hu51pIGjhu41wIHRyaeG7g24ga2hhaSB0aMawIMSRaQ==?=" in envelope


def test_rfc822_and_rfc822_text_set_seen(mailbox):
    raw = stored(mailbox)
    body = raw[raw.index(b"\r\n\r\n") + 4 :]
    text = mailbox.command("a FETCH 1 RFC822.TEXT")[0]
    assert text == b"* 1 FETCH (RFC822.TEXT {%d}\r\n" % len(body) + body + b" FLAGS (\\Seen))"
    whole = mailbox.command("b FETCH 1 (FLAGS RFC822)")[0]
    assert whole == b"* 1 FETCH (FLAGS (\\Seen) RFC822 {%d}\r\n" % len(raw) + raw + b")"


def test_check_and_capability_after_login(mailbox):
    assert mailbox.command("a CHECK") == [b"a OK CHECK completed"]
    caps = mailbox.command("b CAPABILITY")
    assert caps[0].startswith(b"* CAPABILITY IMAP4rev1 LITERAL+ SASL-IR ID ENABLE IDLE ")
    assert b"STARTTLS" not in caps[0] and b"AUTH=" not in caps[0]
    assert caps[-1] == b"b OK CAPABILITY completed"
