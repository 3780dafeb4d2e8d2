"""Filing through the real SMTP doors: 200 concurrent deliveries to one agency are numbered 1..200
without gap or repeat, and what a user sends is filed in the books of sender and receivers."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from email.message import EmailMessage

from sqlalchemy import select

from govmail.store.models import RegisterEntry
from tests.support.inspect import read
from tests.support.mail import mx, submission

COMMUNE = "tanphu.songlam.gov.vn"
CONNECTIONS = 20
PER_CONNECTION = 10


def with_attachment(n: int, sender: str, to: str) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = f"Báo cáo số {n}"
    message.set_content("Kính gửi văn thư.")
    message.add_attachment(
        f"Số: {n:02d}/BC-UBND\nBÁO CÁO\nTình hình tuần {n}\n".encode(),
        maintype="text",
        subtype="plain",
        filename=f"bao-cao-{n}.txt",
    )
    return message.as_bytes()


def entries(server, agency: str, book: str) -> list[tuple[int | None, str]]:
    return read(
        server,
        lambda s: list(
            s.execute(
                select(RegisterEntry.serial, RegisterEntry.direction).where(
                    RegisterEntry.agency == agency, RegisterEntry.book == book
                )
            )
        ),
    )


def test_concurrent_deliveries_are_numbered_without_gap_or_repeat(smtp_server):
    def one_connection(first: int) -> None:
        with mx(smtp_server) as client:
            for n in range(first, first + PER_CONNECTION):
                raw = with_attachment(n, "xa@tinhkhac.gov.vn", f"vanthu@{COMMUNE}")
                assert client.sendmail("xa@tinhkhac.gov.vn", [f"vanthu@{COMMUNE}"], raw) == {}

    with ThreadPoolExecutor(CONNECTIONS) as pool:
        list(pool.map(one_connection, range(0, CONNECTIONS * PER_CONNECTION, PER_CONNECTION)))
    filed = entries(smtp_server, COMMUNE, "incoming")
    assert sorted(serial for serial, _ in filed) == list(range(1, CONNECTIONS * PER_CONNECTION + 1))
    assert {direction for _, direction in filed} == {"incoming"}


def test_what_a_user_sends_is_filed_for_sender_and_receivers(smtp_server):
    sender = "an@songlam.gov.vn"
    recipients = [f"vanthu@{COMMUNE}", "vanthu@boxaydung.gov.vn"]
    raw = with_attachment(1, sender, ", ".join(recipients))
    before = len(entries(smtp_server, COMMUNE, "incoming"))
    with submission(smtp_server, sender) as client:
        assert client.sendmail(sender, recipients, raw) == {}
    assert entries(smtp_server, "songlam.gov.vn", "outgoing") == [(1, "outgoing")]
    incoming = entries(smtp_server, COMMUNE, "incoming")
    assert len(incoming) == before + 1 and (before + 1, "internal") in incoming
