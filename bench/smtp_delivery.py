"""SMTP delivery benchmark: N messages of a given size over C connections to the MX port.

Prints messages/s and the p50/p99 latency from the end of DATA to the 250 reply, with and
without group commit, for SQLite or PostgreSQL. Run: .venv/bin/python bench/smtp_delivery.py
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.postgres import PostgresCluster, require_postgres_bin
from tests.support.server import GovmailServer, provision, write_config

RECIPIENT = "an@songlam.gov.vn"


def payload(size: int, n: int) -> bytes:
    header = (
        f"From: bench@tinhkhac.gov.vn\r\nTo: {RECIPIENT}\r\nSubject: Báo cáo số {n}\r\n"
        f"Message-ID: <bench-{n}@tinhkhac.gov.vn>\r\n\r\n"
    ).encode()
    line = b"Noi dung van ban hanh chinh dien tu, dong " + b"x" * 30 + b"\r\n"
    body = line * max(1, (size - len(header)) // len(line))
    return header + body


async def expect(reader: asyncio.StreamReader, code: bytes) -> None:
    while True:
        line = await reader.readline()
        if not line.startswith(code):
            raise RuntimeError(f"expected {code!r}, got {line!r}")
        if line[3:4] != b"-":
            return


async def connection(
    port: int, jobs: asyncio.Queue[int], size: int, latencies: list[float]
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    await expect(reader, b"220")
    writer.write(b"EHLO bench.client\r\n")
    await expect(reader, b"250")
    while True:
        try:
            n = jobs.get_nowait()
        except asyncio.QueueEmpty:
            break
        writer.write(
            f"MAIL FROM:<bench@tinhkhac.gov.vn>\r\nRCPT TO:<{RECIPIENT}>\r\nDATA\r\n".encode()
        )
        await expect(reader, b"250")
        await expect(reader, b"250")
        await expect(reader, b"354")
        writer.write(payload(size, n))
        writer.write(b".\r\n")
        await writer.drain()
        started = time.perf_counter()
        await expect(reader, b"250")
        latencies.append(time.perf_counter() - started)
    writer.write(b"QUIT\r\n")
    await writer.drain()
    writer.close()


async def load(port: int, messages: int, size: int, concurrency: int) -> tuple[float, list[float]]:
    jobs: asyncio.Queue[int] = asyncio.Queue()
    for n in range(messages):
        jobs.put_nowait(n)
    latencies: list[float] = []
    started = time.perf_counter()
    await asyncio.gather(*(connection(port, jobs, size, latencies) for _ in range(concurrency)))
    return time.perf_counter() - started, latencies


def resident_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def run_case(args: argparse.Namespace, group_commit: bool, database_url: str | None) -> str:
    with tempfile.TemporaryDirectory(prefix="govmail-bench-") as root:
        config, ports = write_config(
            Path(root),
            database_url=database_url,
            group_commit=group_commit,
            max_message_size=max(10 * args.size, 1_000_000),
        )
        server = GovmailServer(config, ports)
        provision(server)
        server.start()
        try:
            asyncio.run(load(ports["mx"], min(50, args.messages), args.size, args.concurrency))
            elapsed, latencies = asyncio.run(
                load(ports["mx"], args.messages, args.size, args.concurrency)
            )
            assert server.process is not None
            rss = resident_kib(server.process.pid)
        finally:
            server.stop()
    rate = len(latencies) / elapsed
    p50, p99 = percentile(latencies, 0.5) * 1e3, percentile(latencies, 0.99) * 1e3
    mean = statistics.mean(latencies) * 1e3
    label = "on" if group_commit else "off"
    return f"{label:<13}{rate:>10.1f}{p50:>10.2f}{p99:>10.2f}{mean:>10.2f}{rss / 1024:>10.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--size", type=int, default=10_240, help="message size in bytes")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args()
    cluster = None
    if args.backend == "postgresql":
        require_postgres_bin()
        cluster = PostgresCluster(Path(tempfile.mkdtemp(prefix="govmail-bench-pg-")))
        cluster.start()
    print(
        f"govmail SMTP delivery: {args.messages} messages of {args.size} B over "
        f"{args.concurrency} connections, {args.backend}, fsync on"
    )
    columns = ("msg/s", "p50 ms", "p99 ms", "mean ms", "RSS MiB")
    print(f"{'group commit':<13}" + "".join(f"{c:>10}" for c in columns))
    try:
        for n, group_commit in enumerate((True, False)):
            url = cluster.create_database(f"bench_{n}") if cluster else None
            print(run_case(args, group_commit, url), flush=True)
    finally:
        if cluster is not None:
            cluster.destroy()


if __name__ == "__main__":
    main()
