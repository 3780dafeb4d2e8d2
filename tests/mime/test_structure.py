"""Byte offsets of the MIME tree, checked against hand-written IMAP BODY[...] expectations."""

from __future__ import annotations

from govmail.mime import MAX_DEPTH, ParsedMessage, Part, parse_message
from govmail.mime.structure import MAX_PARTS

NESTED = (
    b"From: Alice <alice@example.vn>\r\n"
    b"Subject: test\r\n"
    b"MIME-Version: 1.0\r\n"
    b'Content-Type: multipart/mixed; boundary="outer"\r\n'
    b"\r\n"
    b"This is the preamble.\r\n"
    b"--outer\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"\r\n"
    b"Xin ch\xc3\xa0o\r\n"
    b"two lines\r\n"
    b"--outer\r\n"
    b"Content-Type: multipart/alternative; boundary=inner\r\n"
    b"\r\n"
    b"--inner\r\n"
    b"Content-Type: text/plain\r\n"
    b"\r\n"
    b"plain\r\n"
    b"--inner\r\n"
    b"Content-Type: text/html\r\n"
    b"Content-Transfer-Encoding: quoted-printable\r\n"
    b"\r\n"
    b"<p>h=C3=A9</p>\r\n"
    b"--inner--\r\n"
    b"--outer\r\n"
    b"Content-Type: message/rfc822\r\n"
    b"\r\n"
    b"From: Bob <bob@example.vn>\r\n"
    b"Subject: inner\r\n"
    b"Content-Type: multipart/mixed; boundary=nested\r\n"
    b"\r\n"
    b"--nested\r\n"
    b"\r\n"
    b"nested text\r\n"
    b"--nested\r\n"
    b"Content-Type: application/octet-stream\r\n"
    b"Content-Transfer-Encoding: base64\r\n"
    b"\r\n"
    b"AAEC\r\n"
    b"--nested--\r\n"
    b"--outer--\r\n"
    b"epilogue\r\n"
)


def imap_part(message: ParsedMessage, section: str) -> Part:
    """Resolve an IMAP section number the way RFC 3501 6.4.5 describes."""
    part = message.body
    for index, number in enumerate(section.split(".")):
        if index > 0 and part.message is not None:
            part = part.message.body
        if part.type == "multipart":
            part = part.children[int(number) - 1]
        else:
            assert number == "1"
    return part


def body(raw: bytes, message: ParsedMessage, section: str) -> bytes:
    part = imap_part(message, section)
    return raw[part.body_start : part.body_end]


def mime(raw: bytes, message: ParsedMessage, section: str) -> bytes:
    part = imap_part(message, section)
    return raw[part.header_start : part.header_end]


def test_top_level_header_and_text():
    message = parse_message(NESTED)
    assert NESTED[: message.header_end] == (
        b"From: Alice <alice@example.vn>\r\n"
        b"Subject: test\r\n"
        b"MIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="outer"\r\n'
        b"\r\n"
    )
    assert NESTED[message.header_end :].startswith(b"This is the preamble.\r\n--outer\r\n")
    assert message.body.body_start == message.header_end
    assert message.body.body_end == len(NESTED)
    assert message.defects == []


def test_leaf_bodies_exclude_the_crlf_before_the_delimiter():
    message = parse_message(NESTED)
    assert body(NESTED, message, "1") == b"Xin ch\xc3\xa0o\r\ntwo lines"
    assert body(NESTED, message, "2.1") == b"plain"
    assert body(NESTED, message, "2.2") == b"<p>h=C3=A9</p>"
    assert body(NESTED, message, "3.1") == b"nested text"
    assert body(NESTED, message, "3.2") == b"AAEC"


def test_mime_headers_include_the_blank_line():
    message = parse_message(NESTED)
    assert mime(NESTED, message, "1") == b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
    assert mime(NESTED, message, "2") == (
        b"Content-Type: multipart/alternative; boundary=inner\r\n\r\n"
    )
    assert mime(NESTED, message, "2.2") == (
        b"Content-Type: text/html\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
    )
    assert mime(NESTED, message, "3") == b"Content-Type: message/rfc822\r\n\r\n"
    assert mime(NESTED, message, "3.1") == b"\r\n"


def test_multipart_body_is_everything_between_its_header_and_its_end():
    message = parse_message(NESTED)
    assert body(NESTED, message, "2") == (
        b"--inner\r\n"
        b"Content-Type: text/plain\r\n"
        b"\r\n"
        b"plain\r\n"
        b"--inner\r\n"
        b"Content-Type: text/html\r\n"
        b"Content-Transfer-Encoding: quoted-printable\r\n"
        b"\r\n"
        b"<p>h=C3=A9</p>\r\n"
        b"--inner--"
    )


def test_message_rfc822_body_header_and_text():
    message = parse_message(NESTED)
    part = imap_part(message, "3")
    inner = part.message
    assert inner is not None
    assert body(NESTED, message, "3") == (
        b"From: Bob <bob@example.vn>\r\n"
        b"Subject: inner\r\n"
        b"Content-Type: multipart/mixed; boundary=nested\r\n"
        b"\r\n"
        b"--nested\r\n"
        b"\r\n"
        b"nested text\r\n"
        b"--nested\r\n"
        b"Content-Type: application/octet-stream\r\n"
        b"Content-Transfer-Encoding: base64\r\n"
        b"\r\n"
        b"AAEC\r\n"
        b"--nested--"
    )
    # BODY[3.HEADER] and BODY[3.TEXT]
    assert NESTED[part.body_start : inner.header_end] == (
        b"From: Bob <bob@example.vn>\r\n"
        b"Subject: inner\r\n"
        b"Content-Type: multipart/mixed; boundary=nested\r\n"
        b"\r\n"
    )
    assert NESTED[inner.header_end : part.body_end].startswith(b"--nested\r\n\r\nnested text")
    assert inner.body.header_start == part.body_start
    assert inner.body.body_end == part.body_end
    assert inner.subject == "inner"
    assert [address.addr for address in inner.from_] == ["bob@example.vn"]


def test_lines_and_sizes():
    message = parse_message(NESTED)
    assert imap_part(message, "1").lines == 2
    assert imap_part(message, "2.1").lines == 1
    assert imap_part(message, "3").lines == 13
    assert imap_part(message, "3.2").size == 4


def test_decoding_through_offsets():
    message = parse_message(NESTED)
    assert imap_part(message, "1").text(NESTED) == "Xin chào\r\ntwo lines"
    assert imap_part(message, "2.2").decoded(NESTED) == b"<p>h\xc3\xa9</p>"
    assert imap_part(message, "2.2").text(NESTED) == "<p>hé</p>"
    assert imap_part(message, "3.2").decoded(NESTED) == b"\x00\x01\x02"


def test_types_and_defaults():
    message = parse_message(NESTED)
    kinds = [(part.type, part.subtype, part.charset) for part in message.body.walk()]
    assert kinds == [
        ("multipart", "mixed", None),
        ("text", "plain", "utf-8"),
        ("multipart", "alternative", None),
        ("text", "plain", "us-ascii"),
        ("text", "html", "us-ascii"),
        ("message", "rfc822", None),
    ]
    inner = imap_part(message, "3.1")
    assert (inner.type, inner.subtype, inner.params) == ("text", "plain", [("charset", "us-ascii")])


def test_bare_lf_line_endings():
    raw = NESTED.replace(b"\r\n", b"\n")
    message = parse_message(raw)
    assert message.defects == []
    assert body(raw, message, "1") == b"Xin ch\xc3\xa0o\ntwo lines"
    assert mime(raw, message, "2.2") == (
        b"Content-Type: text/html\nContent-Transfer-Encoding: quoted-printable\n\n"
    )
    assert body(raw, message, "3.2") == b"AAEC"
    assert imap_part(message, "3").lines == 13


def test_non_mime_message_is_text_plain_us_ascii():
    raw = b"Subject: hi\r\n\r\nline one\r\nline two"
    message = parse_message(raw)
    part = message.body
    assert (part.type, part.subtype, part.params) == ("text", "plain", [("charset", "us-ascii")])
    assert part.charset == "us-ascii"
    assert part.encoding == "7BIT"
    assert (part.header_start, part.header_end) == (0, 15)
    assert raw[part.body_start : part.body_end] == b"line one\r\nline two"
    assert part.lines == 2
    assert message.defects == []


def test_headers_only_message_has_an_empty_body():
    raw = b"Subject: hi\r\nFrom: a@b.vn\r\n"
    message = parse_message(raw)
    assert message.header_end == len(raw)
    assert message.body.size == 0
    assert message.body.lines == 0
    assert message.subject == "hi"
    assert message.defects == []


def test_missing_separator_starts_the_body_at_the_first_non_header_line():
    raw = b"Subject: hi\r\nthis is body text\r\n"
    message = parse_message(raw)
    assert message.header_end == 13
    assert raw[message.body.body_start :] == b"this is body text\r\n"
    assert len(message.defects) == 1


def test_empty_and_blank_input():
    empty = parse_message(b"")
    assert (empty.headers, empty.header_end, empty.body.size) == ([], 0, 0)
    blank = parse_message(b"\r\n")
    assert (blank.header_end, blank.body.size) == (2, 0)


def test_empty_parts_and_parts_without_headers():
    raw = (
        b"Content-Type: multipart/mixed; boundary=b\r\n\r\n"
        b"--b\r\nContent-Type: text/plain\r\n\r\n"
        b"--b\r\n\r\nno headers\r\n"
        b"--b\r\n"
        b"--b\r\nstarts with text\r\n"
        b"--b--\r\n"
    )
    message = parse_message(raw)
    empty_body, no_headers, empty_part, no_separator = message.body.children
    assert raw[empty_body.header_start : empty_body.header_end] == (
        b"Content-Type: text/plain\r\n\r\n"
    )
    assert empty_body.size == 0
    assert raw[no_headers.header_start : no_headers.header_end] == b"\r\n"
    assert raw[no_headers.body_start : no_headers.body_end] == b"no headers"
    assert empty_part.header_end - empty_part.header_start == 0
    assert empty_part.size == 0
    assert raw[no_separator.body_start : no_separator.body_end] == b"starts with text"
    assert len(message.defects) == 1


def test_delimiter_recognition():
    raw = (
        b"Content-Type: multipart/mixed; boundary=b\r\n\r\n"
        b"--b \t\r\n\r\none\r\n"
        b"--bb\r\n"
        b"x--b\r\n"
        b"--b x\r\n"
        b"--b\r\n\r\ntwo\r\n"
        b"--b--  \r\n"
        b"--b\r\n\r\nepilogue, not a part\r\n"
    )
    message = parse_message(raw)
    first, second = message.body.children
    assert raw[first.body_start : first.body_end] == b"one\r\n--bb\r\nx--b\r\n--b x"
    assert raw[second.body_start : second.body_end] == b"two"
    assert message.defects == []


def test_boundary_with_rfc2046_special_characters():
    boundary = b"=_a b'()+,-./:=?"
    raw = (
        b'Content-Type: multipart/mixed; boundary="' + boundary + b'"\r\n\r\n'
        b"--" + boundary + b"\r\n\r\ninside\r\n--" + boundary + b"--\r\n"
    )
    message = parse_message(raw)
    [part] = message.body.children
    assert raw[part.body_start : part.body_end] == b"inside"


def test_truncated_nested_multiparts_end_at_the_end_of_input():
    raw = (
        b"Content-Type: multipart/mixed; boundary=a\r\n\r\n"
        b"--a\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n"
        b"--b\r\n\r\ncut he"
    )
    message = parse_message(raw)
    [alternative] = message.body.children
    [leaf] = alternative.children
    assert raw[leaf.body_start : leaf.body_end] == b"cut he"
    assert alternative.body_end == leaf.body_end == len(raw)
    assert sum("truncated" in defect for defect in message.defects) == 2


def test_multipart_without_boundary_becomes_text():
    raw = b"Content-Type: multipart/mixed\r\n\r\n--x\r\n\r\nhello\r\n--x--\r\n"
    message = parse_message(raw)
    assert (message.body.type, message.body.subtype) == ("text", "plain")
    assert message.body.children == []
    assert len(message.defects) == 1


def test_boundary_never_found():
    raw = b"Content-Type: multipart/mixed; boundary=zz\r\n\r\njust text\r\n"
    message = parse_message(raw)
    assert message.body.type == "multipart"
    assert message.body.children == []
    assert "no body parts" in message.defects[0]


def test_digest_parts_default_to_message_rfc822():
    raw = (
        b"Content-Type: multipart/digest; boundary=d\r\n\r\n"
        b"--d\r\n\r\nSubject: one\r\n\r\nfirst\r\n"
        b"--d\r\nContent-Type: text/plain\r\n\r\nnot a message\r\n"
        b"--d--\r\n"
    )
    message = parse_message(raw)
    digest_item, plain = message.body.children
    assert (digest_item.type, digest_item.subtype, digest_item.params) == (
        "message",
        "rfc822",
        [],
    )
    assert digest_item.message is not None
    assert digest_item.message.subject == "one"
    assert raw[digest_item.message.body.body_start : digest_item.body_end] == b"first"
    assert plain.message is None


def test_encoded_message_rfc822_is_a_leaf():
    raw = (
        b"Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        b"U3ViamVjdDogeA0KDQpi\r\n"
    )
    message = parse_message(raw)
    assert message.body.message is None
    assert message.body.decoded(raw) == b"Subject: x\r\n\r\nb"
    assert len(message.defects) == 1


def test_deep_nesting_is_capped():
    levels = MAX_DEPTH + 8
    raw = b"".join(
        b"Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n" % (level, level)
        for level in range(levels)
    )
    message = parse_message(raw)
    parts = list(message.body.walk())
    assert len(parts) == MAX_DEPTH + 1
    assert parts[-1].type == "multipart"
    assert parts[-1].children == []
    assert any("deeper" in defect for defect in message.defects)


def test_deep_message_rfc822_nesting_is_capped():
    raw = b"Content-Type: message/rfc822\r\n\r\n" * (MAX_DEPTH + 8) + b"Subject: bottom\r\n\r\n"
    message = parse_message(raw)
    depth = 0
    current = message
    while current.body.message is not None:
        current = current.body.message
        depth += 1
    assert depth == MAX_DEPTH
    assert any("deeper" in defect for defect in message.defects)


def test_part_count_is_capped():
    raw = b"Content-Type: multipart/mixed; boundary=b\r\n\r\n" + b"--b\r\n" * (MAX_PARTS + 50)
    message = parse_message(raw)
    assert len(message.body.children) == MAX_PARTS - 1
    assert message.body.children[-1].body_end == len(raw)
    assert any(str(MAX_PARTS) in defect for defect in message.defects)


def test_part_header_fields():
    raw = (
        b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
        b'Content-Type: Application/PDF; Name="a.pdf"\r\n'
        b"Content-Transfer-Encoding:  Base64 \r\n"
        b"Content-ID: <img1@example.vn>\r\n"
        b"Content-Description: =?utf-8?q?V=C4=83n_b=E1=BA=A3n?=\r\n"
        b"Content-Disposition: INLINE; filename=b.pdf; size=3\r\n"
        b"Content-Language: vi, en\r\n"
        b"Content-Location: http://example.vn/b.pdf\r\n"
        b"Content-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==\r\n"
        b"\r\nAAAA\r\n--b--\r\n"
    )
    [part] = parse_message(raw).body.children
    assert (part.type, part.subtype, part.params) == ("application", "pdf", [("name", "a.pdf")])
    assert part.encoding == "BASE64"
    assert part.id == "<img1@example.vn>"
    assert part.description == "=?utf-8?q?V=C4=83n_b=E1=BA=A3n?="
    assert part.disposition == ("inline", [("filename", "b.pdf"), ("size", "3")])
    assert part.language == ["vi", "en"]
    assert part.location == "http://example.vn/b.pdf"
    assert part.md5 == "Q2hlY2sgSW50ZWdyaXR5IQ=="
    assert part.filename == "b.pdf"
    assert part.charset is None


def leaf(headers: bytes) -> Part:
    raw = b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n" + headers + b"\r\nx\r\n--b--"
    return parse_message(raw).body.children[0]


def test_is_attachment():
    assert not leaf(b"Content-Type: text/plain\r\n").is_attachment()
    assert leaf(b"Content-Type: text/plain\r\nContent-Disposition: attachment\r\n").is_attachment()
    assert leaf(b"Content-Type: text/plain; name=notes.txt\r\n").is_attachment()
    assert leaf(b"Content-Type: application/pdf\r\n").is_attachment()
    assert leaf(b"Content-Type: image/png\r\n").is_attachment()
    assert not leaf(b"Content-Type: image/png\r\nContent-ID: <logo@x>\r\n").is_attachment()
    assert not leaf(b"Content-Type: image/png\r\nContent-Disposition: inline\r\n").is_attachment()
    assert leaf(b"Content-Type: message/rfc822\r\n").is_attachment()
    assert not parse_message(NESTED).body.is_attachment()


def test_attachments_lists_only_attachments():
    message = parse_message(NESTED)
    assert [part.content_type for part in message.attachments()] == ["message/rfc822"]
