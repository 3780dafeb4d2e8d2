"""IMAP test fixtures: deliver a message over SMTP to a user of the running server."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.support.mail import message, mx

Deliver = Callable[..., bytes]


@pytest.fixture
def deliver(imap_server) -> Deliver:
    """deliver(address, raw=None, **message_fields) sends over the MX port; returns the bytes."""

    def send(address: str, raw: bytes | None = None, **fields: str) -> bytes:
        if raw is None:
            _, raw = message(to=address, **fields)
        with mx(imap_server) as client:
            assert client.sendmail("vanthu@tinhkhac.gov.vn", [address], raw) == {}
        return raw

    return send
