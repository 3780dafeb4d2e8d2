"""Address and domain syntax."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govmail.accounts.names import (
    InvalidName,
    mailbox_key,
    normalize_address,
    normalize_domain,
    split_address,
)


@pytest.mark.parametrize(
    ("given_", "expected"),
    [
        ("SongLam.Gov.VN", "songlam.gov.vn"),
        ("songlam.gov.vn.", "songlam.gov.vn"),
        ("sônglam.vn", "xn--snglam-ixa.vn"),
    ],
)
def test_domains_are_normalised(given_, expected):
    assert normalize_domain(given_) == expected


@pytest.mark.parametrize(
    "bad", ["", "localhost", "a..b", "-a.vn", "a-.vn", "a b.vn", "x" * 64 + ".vn", "a.vn\x00"]
)
def test_invalid_domains_are_refused(bad):
    with pytest.raises(InvalidName):
        normalize_domain(bad)


def test_addresses_keep_the_local_part_and_lower_the_domain():
    assert normalize_address("Chanh.VP@SongLam.gov.vn") == "Chanh.VP@songlam.gov.vn"
    assert mailbox_key("Chanh.VP@SongLam.gov.vn") == "chanh.vp@songlam.gov.vn"
    assert split_address('"van thu"@songlam.gov.vn') == ('"van thu"', "songlam.gov.vn")
    assert split_address("văn.thư@songlam.gov.vn")[0] == "văn.thư"


@pytest.mark.parametrize(
    "bad",
    [
        "songlam.gov.vn",
        "@songlam.gov.vn",
        "a@",
        "a b@songlam.gov.vn",
        "a..b@songlam.gov.vn",
        "a\x00b@songlam.gov.vn",
        "a\r\nb@songlam.gov.vn",
        "x" * 65 + "@songlam.gov.vn",
        "a@b@songlam..gov.vn",
    ],
)
def test_invalid_addresses_are_refused(bad):
    with pytest.raises(InvalidName):
        split_address(bad)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(max_size=300))
def test_any_text_is_either_an_address_or_invalid_name(text):
    try:
        local, domain = split_address(text)
    except InvalidName:
        return
    assert "\r" not in local and "\n" not in local and "\x00" not in local
    assert normalize_domain(domain) == domain
