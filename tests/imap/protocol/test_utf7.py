"""Modified UTF-7 mailbox names: examples both ways, malformed input, round trips."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govmail.imap.protocol import utf7

SETTINGS = settings(max_examples=200, deadline=None, derandomize=True)


@pytest.mark.parametrize(
    ("name", "wire"),
    [
        ("INBOX", "INBOX"),
        ("", ""),
        ("&", "&-"),
        ("Tom & Jerry", "Tom &- Jerry"),
        ("Văn bản đến", "V&AQM-n b&HqM-n &AREevw-n"),
        ("Thư đã gửi", "Th&AbA- &AREA4w- g&Hu0-i"),
        ("~peter/mail/台北/日本語", "~peter/mail/&U,BTFw-/&ZeVnLIqe-"),
        ("😀", "&2D3eAA-"),
        ("tab\there", "tab&AAk-here"),
    ],
)
def test_examples_both_ways(name, wire):
    assert utf7.encode(name) == wire
    assert utf7.decode(wire) == name


@pytest.mark.parametrize(
    "wire",
    [
        "&",  # unterminated
        "&AQM",  # unterminated
        "a&-b&",  # unterminated after a good shift
        "&AQM!-",  # & followed by characters outside modified base64
        "&A/M-",  # "/" is "," in modified base64
        "&AQM=-",  # no padding in modified base64
        "&AQ-",  # not a whole UTF-16 unit
        "&AQN-",  # padding bits set: not the shortest form
        "&AGE-",  # "a" encoded: printable ASCII must stand for itself
        "&ACY-",  # "&" encoded instead of "&-"
        "&AQM-&AQM-",  # two shifts where one would do
        "&2D0-",  # a lone surrogate
        "Văn",  # raw 8-bit text is not modified UTF-7
        "a\nb",  # nor are controls
    ],
)
def test_malformed_names_are_refused(wire):
    with pytest.raises(ValueError):
        utf7.decode(wire)


@SETTINGS
@given(st.text())
def test_any_name_round_trips(name):
    wire = utf7.encode(name)
    assert wire.isascii() and wire.isprintable()
    assert utf7.decode(wire) == name


@SETTINGS
@given(st.text(alphabet=st.sampled_from("&-AQMagz+,/09 ")))
def test_whatever_decodes_encodes_back_to_itself(wire):
    try:
        name = utf7.decode(wire)
    except ValueError:
        return
    assert utf7.encode(name) == wire
