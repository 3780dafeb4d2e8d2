"""Invariant 1: a message that got 250 survives SIGKILL at any moment, exactly once, and the
store stays consistent."""

from __future__ import annotations

import random
import smtplib
import threading
import time
from collections import Counter

import pytest

from tests.conftest import new_server
from tests.support import inspect
from tests.support.mail import message
from tests.support.server import GovmailServer, provision

CLIENTS = 4
KILLS = 4
RECIPIENTS = ["an@songlam.gov.vn", "lanhdao@songlam.gov.vn"]


def sender_loop(server: GovmailServer, acked: list[str], stop: threading.Event) -> None:
    """Send until the connection breaks or *stop* is set; record each id answered 250."""
    try:
        client = smtplib.SMTP("127.0.0.1", server.ports["mx"], timeout=10)
        client.ehlo("durability.test")
        while not stop.is_set():
            message_id, raw = message(subject="bền vững")
            client.sendmail("x@tinhkhac.gov.vn", RECIPIENTS, raw)
            acked.append(message_id)  # sendmail returned: the server said 250
    except (OSError, smtplib.SMTPException):
        return


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
@pytest.mark.parametrize("group_commit", [True, False], ids=["group", "single"])
def test_acknowledged_messages_survive_sigkill(request, tmp_path, backend, group_commit):
    server = new_server(tmp_path, backend, request, group_commit=group_commit)
    provision(server)
    rng = random.Random(f"{backend}-{group_commit}")
    acked: list[str] = []
    for _ in range(KILLS):
        server.start()
        stop = threading.Event()
        threads = [
            threading.Thread(target=sender_loop, args=(server, acked, stop)) for _ in range(CLIENTS)
        ]
        for thread in threads:
            thread.start()
        time.sleep(rng.uniform(0.3, 1.2))
        server.kill()
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    assert len(acked) > 20, "too few messages were sent for the test to mean anything"
    for address in ("an@songlam.gov.vn", "giamdoc@stttt.songlam.gov.vn"):
        stored = Counter(inspect.message_ids(server, address))
        missing = [m for m in acked if stored[m] == 0]
        doubled = [m for m, n in stored.items() if n > 1]
        assert not missing, f"{len(missing)} acknowledged messages lost for {address}"
        assert not doubled, f"{len(doubled)} messages stored twice for {address}"
    assert inspect.store_problems(server) == []
    assert server.cli("doctor").returncode == 0
