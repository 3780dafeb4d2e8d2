"""Header splitting and decoding: folding, RFC 2047, raw 8-bit, addresses, groups, envelope."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from govmail.mime import Address, parse_message
from govmail.mime.headers import decode_words


def headers(block: bytes):
    return parse_message(block + b"\r\n\r\nbody")


def test_raw_keeps_folding_and_value_is_unfolded():
    message = headers(b"Subject: first\r\n\tsecond\r\n  third\r\nX-Empty:")
    subject, empty = message.headers
    assert subject.name == "Subject"
    assert subject.raw == b" first\r\n\tsecond\r\n  third"
    assert subject.value == "first\tsecond  third"
    assert (empty.name, empty.raw, empty.value) == ("X-Empty", b"", "")


def test_get_and_get_all_are_case_insensitive():
    message = headers(b"Received: one\r\nreceived: two\r\nRECEIVED: three")
    assert message.get("Received") == "one"
    assert message.get("RECEIVED") == "one"
    assert message.get_all("received") == ["one", "two", "three"]
    assert message.get("x-missing") is None
    assert message.get_all("x-missing") == []


def test_name_as_written_and_space_before_colon():
    message = headers(b"X-Custom-Header : value")
    assert message.headers[0].name == "X-Custom-Header"
    assert message.get("x-custom-header") == "value"


def test_continuation_without_a_field_is_a_defect():
    message = parse_message(b" orphan\r\nSubject: ok\r\n\r\n")
    assert message.subject == "ok"
    assert len(message.defects) == 1


@pytest.mark.parametrize(
    ("encoded", "decoded"),
    [
        ("=?UTF-8?B?Q8O0bmcgdsSDbg==?=", "Công văn"),
        ("=?utf-8?q?C=C3=B4ng_v=C4=83n?=", "Công văn"),
        ("=?UTF-8?Q?Gi=E1=BA=A5y?= =?UTF-8?Q?_m=E1=BB=9Di?=", "Giấy mời"),
        ("=?utf-8?b?R2nhuqV5?=\r\n =?utf-8?b?IG3hu51p?=", "Giấy mời"),
        ("=?utf-8?q?a?= b =?utf-8?q?c?=", "a b c"),
        ("Re: =?utf-8?q?h=E1=BB=8Dp?= (2)", "Re: họp (2)"),
        ("=?iso-8859-1?q?caf=E9?= =?utf-8?q?_v=C3=A0?=", "café và"),
        ("=?UTF-8*vi?Q?Vi=E1=BB=87t?=", "Việt"),
        ("=?windows-1258?Q?Vi=EA=F2t?=", "Việt"),
        ("=?x-no-such-charset?q?abc?=", "abc"),
        ("=?utf-8?x?not-a-word?=", "=?utf-8?x?not-a-word?="),
        ("=?utf-8?b?broken", "=?utf-8?b?broken"),
    ],
)
def test_rfc2047_subjects(encoded, decoded):
    assert headers(b"Subject: " + encoded.encode()).subject == decoded


def test_multibyte_character_split_across_encoded_words():
    # "ệ" is E1 BB 87; the encoder cut it between two words.
    assert decode_words("=?utf-8?q?Vi=E1=BB?= =?utf-8?q?=87t?=") == "Việt"
    assert decode_words("=?UTF-8?B?Vmnhuw==?= =?UTF-8?B?h3Q=?=") == "Việt"


@pytest.mark.parametrize(
    ("raw", "decoded"),
    [
        ("Báo cáo tháng".encode(), "Báo cáo tháng"),
        # Windows-1258 with the tones as combining marks, composed to NFC.
        (b"Vi\xea\xf2t Nam", "Việt Nam"),
        # 0x81 is undefined in windows-1258: latin-1 is the last resort.
        (b"caf\xe9 \x81", "café \x81"),
        # Decomposed UTF-8 is composed.
        ("Vie\u0302\u0323t".encode(), "Việt"),
    ],
)
def test_raw_8bit_header_values(raw, decoded):
    assert headers(b"Subject: " + raw).subject == decoded


def test_nul_bytes_do_not_reach_decoded_values():
    message = headers(b"Subject: a\x00b")
    assert message.headers[0].raw == b" a\x00b"
    assert message.subject == "a\ufffdb"


def test_addresses_with_encoded_and_quoted_names():
    message = headers(
        b'From: "=?utf-8?b?VsSDbiBwaMOybmc=?=" <vanthu@vpubnd.songlam.gov.vn>\r\n'
        b"To: =?utf-8?q?Nguy=E1=BB=85n?= =?utf-8?q?_V=C4=83n_A?= <a@x.vn>,\r\n"
        b' "Tran, B" <b@x.vn>, c@x.vn (Chi C), <d@x.vn>,, '
    )
    assert message.from_ == [Address("Văn phòng", "vanthu", "vpubnd.songlam.gov.vn")]
    assert message.to == [
        Address("Nguyễn Văn A", "a", "x.vn"),
        Address("Tran, B", "b", "x.vn"),
        Address("Chi C", "c", "x.vn"),
        Address(None, "d", "x.vn"),
    ]
    assert [address.addr for address in message.to] == ["a@x.vn", "b@x.vn", "c@x.vn", "d@x.vn"]


def test_group_syntax_in_to():
    message = headers(
        b"From: a@x.vn\r\n"
        b"To: =?utf-8?q?Ph=C3=B2ng?= KT: kt1@x.vn, Kim <kt2@x.vn>;, boss@x.vn,\r\n"
        b" undisclosed-recipients:;"
    )
    assert message.to == [
        Address(None, "kt1", "x.vn"),
        Address("Kim", "kt2", "x.vn"),
        Address(None, "boss", "x.vn"),
    ]
    assert message.envelope()[5] == [
        [None, None, "=?utf-8?q?Ph=C3=B2ng?= KT", None],
        [None, None, "kt1", "x.vn"],
        ["Kim", None, "kt2", "x.vn"],
        [None, None, None, None],
        [None, None, "boss", "x.vn"],
        [None, None, "undisclosed-recipients", None],
        [None, None, None, None],
    ]


def test_address_edge_cases():
    message = headers(
        b'To: <@relay.vn,@other.vn:route@x.vn>, nobody, "quoted local"@x.vn, '
        b"(only a comment), Name With Dot. <dot@x.vn>"
    )
    assert message.to == [
        Address(None, "route", "x.vn"),
        Address(None, "nobody", None),
        Address(None, "quoted local", "x.vn"),
        Address("Name With Dot.", "dot", "x.vn"),
    ]
    assert message.to[1].addr == ""
    assert message.envelope()[5] == [
        [None, "@relay.vn,@other.vn", "route", "x.vn"],
        [None, None, "nobody", "MISSING_DOMAIN"],
        [None, None, "quoted local", "x.vn"],
        ["Name With Dot.", None, "dot", "x.vn"],
    ]


def test_envelope_exact_value():
    raw = (
        b"Date: Mon, 26 Nov 2012 09:15:00 +0700\r\n"
        b"Subject: =?utf-8?q?B=C3=A1o_c=C3=A1o?=\r\n"
        b" tu\xe1\xba\xa7n\r\n"
        b"From: =?utf-8?q?X=C3=A3?= <xa@tanphu.vn>\r\n"
        b"Sender: Bot <bot@tanphu.vn>\r\n"
        b"Reply-To:\r\n"
        b"To: vanthu@tanphu.vn\r\n"
        b"Cc: A <a@x.vn>, b@x.vn\r\n"
        b"In-Reply-To: <prev@tanphu.vn>\r\n"
        b"Message-ID:\r\n <id-1@tanphu.vn>\r\n"
        b"\r\n"
        b"text\r\n"
    )
    from_ = [["=?utf-8?q?X=C3=A3?=", None, "xa", "tanphu.vn"]]
    assert parse_message(raw).envelope() == [
        "Mon, 26 Nov 2012 09:15:00 +0700",
        "=?utf-8?q?B=C3=A1o_c=C3=A1o?= tuần",
        from_,
        [["Bot", None, "bot", "tanphu.vn"]],
        from_,
        [[None, None, "vanthu", "tanphu.vn"]],
        [["A", None, "a", "x.vn"], [None, None, "b", "x.vn"]],
        None,
        "<prev@tanphu.vn>",
        "<id-1@tanphu.vn>",
    ]


def test_envelope_of_a_message_without_headers():
    assert parse_message(b"\r\njust a body").envelope() == [None] * 10


def test_decoded_convenience_properties():
    message = headers(
        b"Message-ID:   <abc@x.vn>  \r\n"
        b"Reply-To: R <r@x.vn>\r\nSender: s@x.vn\r\nBcc: hidden@x.vn\r\nCc: c@x.vn"
    )
    assert message.message_id == "<abc@x.vn>"
    assert message.reply_to == [Address("R", "r", "x.vn")]
    assert message.sender == [Address(None, "s", "x.vn")]
    assert message.bcc == [Address(None, "hidden", "x.vn")]
    assert message.cc == [Address(None, "c", "x.vn")]
    assert message.from_ == []
    assert message.subject is None
    assert message.date is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (b"Wed, 03 Oct 2012 09:15:00 +0700", datetime(2012, 10, 3, 2, 15, tzinfo=UTC)),
        (b"3 Oct 2012 09:15 GMT", datetime(2012, 10, 3, 9, 15, tzinfo=UTC)),
        (b"Wed, 03 Oct 2012 09:15:00 -0000", datetime(2012, 10, 3, 9, 15, tzinfo=UTC)),
        (b"not a date", None),
        (b"Wed, 99 Oct 2012 09:15:00 +0700", None),
        (b"", None),
    ],
)
def test_date(value, expected):
    parsed = headers(b"Date: " + value).date
    assert parsed == expected
    if parsed is not None:
        assert parsed.utcoffset() is not None


def test_date_keeps_the_written_offset():
    parsed = headers(b"Date: Wed, 03 Oct 2012 09:15:00 +0700").date
    assert parsed is not None
    assert parsed.tzinfo == timezone(timedelta(hours=7))
