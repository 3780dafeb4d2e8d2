"""Transfer and charset decoding: tolerant base64, quoted-printable, charsets, NFC."""

from __future__ import annotations

import base64

import pytest

from govmail.mime import Part
from govmail.mime.decode import (
    decode_8bit,
    decode_base64,
    decode_quoted_printable,
    decode_text,
    lookup_codec,
)


@pytest.mark.parametrize(
    ("encoded", "decoded"),
    [
        (b"QUJDRA==", b"ABCD"),
        (b"QUJD\r\nREVG\r\n", b"ABCDEF"),
        # truncated: missing padding, then a dangling single character
        (b"QUJDRA", b"ABCD"),
        (b"QUJDREVGR", b"ABCDEF"),
        # garbage between lines, and in the alphabet's gaps
        (b"QU*J\x00D!!\r\n  RA==\r\n", b"ABCD"),
        # several padded blocks glued together
        (b"QQ==QkM=RA==", b"ABCD"),
        (b"", b""),
        (b"====", b""),
    ],
)
def test_base64_is_tolerant(encoded, decoded):
    assert decode_base64(encoded) == decoded


def test_base64_round_trip_of_binary():
    data = bytes(range(256)) * 4
    assert decode_base64(base64.encodebytes(data)) == data


def test_quoted_printable():
    assert (
        decode_quoted_printable(b"Vi=E1=BB=87t=\r\n Nam=3D=XY\r\n")
        == b"Vi\xe1\xbb\x87t Nam==XY\r\n"
    )


def test_part_decoded_by_transfer_encoding():
    raw = b"SGVsbG8=|caf=C3=A9|plain"
    assert Part("application", "x", encoding="BASE64", body_end=8).decoded(raw) == b"Hello"
    qp = Part("text", "plain", encoding="QUOTED-PRINTABLE", body_start=9, body_end=18)
    assert qp.decoded(raw) == b"caf\xc3\xa9"
    other = Part("text", "plain", encoding="X-UNKNOWN", body_start=19, body_end=24)
    assert other.decoded(raw) == b"plain"


@pytest.mark.parametrize(
    ("data", "charset", "text"),
    [
        ("Việt Nam".encode(), "utf-8", "Việt Nam"),
        ("\ufeffViệt".encode(), "UTF-8", "Việt"),
        (b"Vi\xea\xf2t Nam", "windows-1258", "Việt Nam"),
        (b"Vi\xea\xf2t Nam", "cp1258", "Việt Nam"),
        (b"caf\xe9", "iso-8859-1", "café"),
        (b"\xe1\xbb", "iso-8859-15", "á»"),
        # mislabelled us-ascii and unknown labels: UTF-8, else windows-1258
        ("Việt".encode(), "us-ascii", "Việt"),
        (b"Vi\xea\xf2t", "x-vietnamese-vni", "Việt"),
        (b"Vi\xea\xf2t", None, "Việt"),
        # invalid bytes for the declared charset are replaced, not fatal
        (b"ok \xff", "utf-8", "ok \ufffd"),
        # codec names that are not charsets
        (b"abc", "base64", "abc"),
        (b"abc", "rot13", "abc"),
        (b"abc", "idna", "abc"),
        (b"abc", '"utf-8"', "abc"),
        (b"abc", "utf-8\x00", "abc"),
        (b"a\x00b", "utf-8", "a\ufffdb"),
    ],
)
def test_decode_text(data, charset, text):
    assert decode_text(data, charset) == text


def test_decode_8bit_order():
    assert decode_8bit("Huế".encode()) == "Huế"
    assert decode_8bit(b"Hu\xea\xec") == "Hu\xea\u0301"
    assert decode_8bit(b"\x81") == "\x81"


def test_lookup_codec():
    assert lookup_codec("UTF8") == "utf-8"
    assert lookup_codec("Windows-1258") == "cp1258"
    assert lookup_codec("x-unknown") is None
    assert lookup_codec("hex") is None
    assert lookup_codec("") is None
    assert lookup_codec(None) is None
