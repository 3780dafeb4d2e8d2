"""Property tests: any input parses without raising, into a tree with consistent offsets."""

from __future__ import annotations

import json
import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from govmail.mime import MAX_DEPTH, ParsedMessage, Part, parse_message
from govmail.mime.structure import MAX_PARTS

SETTINGS = settings(max_examples=300, deadline=None, derandomize=True)
CORPUS = [path.read_bytes() for path in sorted(Path("/work/shared/corpus/messages").glob("*.eml"))]
# Delimiter lines and header/body separators: where mutations find the most bugs.
STRUCTURE = re.compile(rb"\n--|\n\r?\n")
# Decoding every big attachment of every example would make the suite slow for no extra cover.
DECODE_LIMIT = 4096

MIME_LINES = [
    b"",
    b" folded continuation",
    b"\t",
    b"Subject: =?utf-8?b?Q8O0bmcgdsSDbg==?= =?utf-8?q?_h=E1=BB?=",
    b"Subject: B\xc3\xa1o c\xc3\xa1o \xea\xf2",
    b'To: Ph\xc3\xb2ng KT: a@x.vn, "B, b" <b@x.vn>; c@x.vn (C), <@r:d@x>, :;, ((',
    b"From: =?utf-8?q?S=E1=BB=9F?= <",
    b"Date: Wed, 03 Oct 2012 09:15:00 +0700",
    b"Date: 99 Foo 99999 99:99:99 +9999",
    b"Content-Type: multipart/mixed; boundary=a",
    b'Content-Type: multipart/alternative; boundary="b"',
    b"Content-Type: multipart/digest; boundary=a",
    b"Content-Type: multipart/related",
    b"Content-Type: message/rfc822",
    b"Content-Type: text/plain; charset=windows-1258",
    b"Content-Type: text/plain; charset=idna",
    b"Content-Type: application/pdf; name*0*=utf-8''%E1; name*1*=%BA%A5.pdf; name*99999=x",
    b"Content-Type: /",
    b"Content-Transfer-Encoding: base64",
    b"Content-Transfer-Encoding: quoted-printable",
    b"Content-Transfer-Encoding: 8bit",
    b"Content-Disposition: attachment; filename*=utf-8''..%2F%E1%BA%A5y",
    b'Content-Disposition: inline; filename="a\\',
    b"--a",
    b"--a--",
    b"--a  ",
    b"--b",
    b"--b--",
    b"--",
    b"QUJDRA==",
    b"QUJ",
    b"Vi=E1=BB=87t=",
    b"=?",
    b"not a header line",
    b"\x00\xff\xfe",
]


@st.composite
def mime_like(draw: st.DrawFn) -> bytes:
    """Messages assembled from header, delimiter and body lines, with mixed line endings."""
    lines = draw(st.lists(st.sampled_from(MIME_LINES) | st.binary(max_size=12), max_size=80))
    endings = draw(st.lists(st.sampled_from([b"\r\n", b"\n", b"\r", b""]), min_size=len(lines)))
    return b"".join(line + ending for line, ending in zip(lines, endings, strict=False))


@st.composite
def mutated_corpus(draw: st.DrawFn) -> bytes:
    """A corpus message truncated, cut, overwritten or spliced, often near its structure."""
    raw = bytearray(draw(st.sampled_from(CORPUS)))
    for _ in range(draw(st.integers(1, 4))):
        hotspots = [match.start() for match in STRUCTURE.finditer(raw)] or [0]
        at = draw(st.integers(0, len(raw)) | st.sampled_from(hotspots))
        operation = draw(st.sampled_from(["truncate", "insert", "delete", "overwrite"]))
        if operation == "truncate":
            del raw[at:]
        elif operation == "insert":
            raw[at:at] = draw(st.binary(max_size=64) | st.sampled_from(MIME_LINES))
        elif operation == "delete":
            del raw[at : at + draw(st.integers(0, 512))]
        else:
            patch = draw(st.binary(min_size=1, max_size=16))
            raw[at : at + len(patch)] = patch
    return bytes(raw)


def count_lines(data: bytes) -> int:
    """Lines as LF-separated pieces, a final unterminated piece counting as a line."""
    return len(data.split(b"\n")) - data.endswith(b"\n") if data else 0


def check_part(raw: bytes, part: Part, lower: int, upper: int, depth: int) -> int:
    """Check one part's offsets against its container; return how many parts it holds."""
    assert lower <= part.header_start <= part.header_end == part.body_start
    assert part.body_start <= part.body_end <= upper
    assert part.size == part.body_end - part.body_start
    assert part.lines == count_lines(raw[part.body_start : part.body_end])
    assert part.type == part.type.lower() and part.subtype == part.subtype.lower()
    assert part.encoding == part.encoding.upper()
    assert depth <= MAX_DEPTH
    if part.size <= DECODE_LIMIT:
        assert isinstance(part.decoded(raw), bytes)
        assert isinstance(part.text(raw), str)
    part.is_attachment()
    total = 1
    previous_end = part.body_start
    for child in part.children:
        assert child.header_start >= previous_end
        total += check_part(raw, child, part.body_start, part.body_end, depth + 1)
        previous_end = child.body_end
    if part.message is not None:
        assert part.children == []
        total += check_message(raw, part.message, part.body_start, part.body_end, depth + 1)
    return total


def check_message(raw: bytes, message: ParsedMessage, start: int, end: int, depth: int) -> int:
    assert start <= message.header_end <= end
    assert message.body.header_start == start
    assert message.body.header_end == message.header_end
    message.envelope()
    for read in (
        lambda: message.subject,
        lambda: message.message_id,
        lambda: message.date,
        lambda: message.from_ + message.to + message.cc + message.bcc,
        lambda: message.reply_to + message.sender,
    ):
        read()
    return check_part(raw, message.body, start, end, depth)


def check(raw: bytes) -> None:
    message = parse_message(raw)
    assert not any(defect.startswith("internal parser error") for defect in message.defects)
    total = check_message(raw, message, 0, len(raw), 0)
    assert total <= MAX_PARTS
    walked = list(message.body.walk())
    assert walked[0] is message.body
    assert len(walked) <= total
    assert message.attachments() == [part for part in walked if part.is_attachment()]
    data = json.loads(json.dumps(message.to_json()))
    assert ParsedMessage.from_json(data) == message


@SETTINGS
@given(st.binary(max_size=4096))
def test_arbitrary_bytes(raw):
    check(raw)


@SETTINGS
@given(mime_like())
def test_mime_like_messages(raw):
    check(raw)


@SETTINGS
@given(mutated_corpus())
def test_mutated_corpus_messages(raw):
    check(raw)


@SETTINGS
@given(st.sampled_from(CORPUS), st.integers(min_value=0))
def test_truncated_corpus_messages(raw, cut):
    check(raw[: cut % (len(raw) + 1)])


def test_every_corpus_message_satisfies_the_invariants():
    for raw in CORPUS:
        check(raw)
