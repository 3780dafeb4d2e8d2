"""IMAP load benchmark: govmail beside Dovecot under the same mix of commands.

The INBOX of one user holds --messages generated Vietnamese official letters (a few KB each, one in
four with a small PDF). C concurrent clients, over TLS on the imaps port, each log in, SELECT INBOX
and loop, with a fixed seed, over a realistic mix: SELECT; FETCH (UID FLAGS ENVELOPE
BODY.PEEK[HEADER.FIELDS (FROM TO SUBJECT DATE)]) of the newest 50; FETCH BODY.PEEK[] of one random
message; SEARCH UNSEEN; SEARCH SUBJECT "van ban"; STORE +FLAGS or -FLAGS \\Seen on one message;
APPEND of a small message; IDLE, then DONE after 0.1 s (the pause is not counted in its latency).
It prints operations/s and p50/p99 latency per command, the servers side by side, then each
server's memory with --idle-connections connections that log in, SELECT INBOX and IDLE.

govmail gets the messages over SMTP (MX port, several connections); Dovecot (Debian's
dovecot-imapd, configured by bench/dovecot.py) gets the same bytes as Maildir files. Then both get
the same \\Seen flags (all but the newest tenth) and one untimed pass of the mix before the clock
starts. Dovecot needs root; it is installed with apt-get when missing.

Run: .venv/bin/python bench/imap_load.py [--quick] [--server govmail|dovecot|both]
     [--backend sqlite|postgresql] [--clients 16] [--seconds 30 | --operations N]
--quick takes about 2 minutes on 2 cores; a full run about 20, most of it spent opening govmail's
2,000 idle connections (each LOGIN verifies an argon2id hash: about 0.3 s of CPU).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import functools
import itertools
import os
import quopri
import random
import re
import resource
import ssl
import sys
import tempfile
import textwrap
import time
import unicodedata
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from email.header import Header
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.dovecot import Dovecot, dovecot_version, require_dovecot
from bench.smtp_delivery import expect
from tests.support.postgres import PostgresCluster, require_postgres_bin
from tests.support.server import PASSWORD, GovmailServer, write_config

USER = "an@songlam.gov.vn"
ENVELOPE_SENDER = b"bench@tinhkhac.gov.vn"
SEED = 2020
FULL = {"messages": 10_000, "idle_connections": 2_000, "seconds": 30.0}
QUICK = {"messages": 1_000, "idle_connections": 200, "seconds": 10.0}
SMTP_CONNECTIONS = 16
IDLE_PAUSE = 0.1  # seconds a mix client stays in IDLE before DONE
OPENING = 32  # idle connections being opened at once
SETTLE = 2.0  # seconds for connections to open or close before memory is read
IDLE_WINDOW = 10.0  # seconds over which the server's CPU use with idle connections is measured
COMMAND_TIMEOUT = 120.0
MAX_LINE = 4 * 1024 * 1024
VIETNAM = timezone(timedelta(hours=7))
TRANSFER_ENCODINGS = ("8bit", "8bit", "quoted-printable", "base64")

# -- messages -------------------------------------------------------------------------------

AGENCIES = (
    ("Văn phòng UBND tỉnh", "vanthu@vpubnd.songlam.gov.vn"),
    ("Sở Thông tin và Truyền thông", "vanthu@stttt.songlam.gov.vn"),
    ("Sở Nội vụ", "vanthu@snv.songlam.gov.vn"),
    ("Sở Tài chính", "vanthu@stc.songlam.gov.vn"),
    ("Sở Kế hoạch và Đầu tư", "vanthu@skhdt.songlam.gov.vn"),
    ("Thanh tra tỉnh", "vanthu@thanhtra.songlam.gov.vn"),
    ("UBND huyện Tân Phú", "vanthu@tanphu.songlam.gov.vn"),
    ("UBND xã Tân Phú", "ubndxa.tanphu@tanphu.songlam.gov.vn"),
)
KINDS = (
    ("Công văn", "UBND-VP"),
    ("Giấy mời", "GM-STTTT"),
    ("Báo cáo", "BC-UBND"),
    ("Quyết định", "QĐ-UBND"),
    ("Kế hoạch", "KH-UBND"),
    ("Thông báo", "TB-SNV"),
    ("Tờ trình", "TTr-STC"),
)
TOPICS = (
    "chuyển đổi số trong cơ quan nhà nước",
    "sử dụng văn bản điện tử có chữ ký số",
    "cải cách hành chính năm 2024",
    "phòng, chống thiên tai và tìm kiếm cứu nạn",
    "bảo đảm an toàn thông tin mạng",
    "tiếp công dân định kỳ tháng 10",
    "xây dựng nông thôn mới giai đoạn 2021-2025",
    "quyết toán ngân sách địa phương",
    "tuyển dụng công chức cấp xã",
    "triển khai hệ thống quản lý văn bản và điều hành",
    "giải quyết thủ tục hành chính trực tuyến",
    "kiểm tra công tác văn thư, lưu trữ",
)
SUBJECTS = (
    "V/v {topic}",
    "Gửi văn bản về {topic}",
    "Góp ý dự thảo văn bản {topic}",
    "Lịch công tác tuần {week}",
    "Báo cáo tình hình {topic}",
    "Thông báo kết luận cuộc họp về {topic}",
)
SENTENCES = (
    "Thực hiện chỉ đạo của Ủy ban nhân dân tỉnh, cơ quan đề nghị các đơn vị triển khai "
    "thực hiện nghiêm túc các nội dung sau.",
    "Các đơn vị rà soát, tổng hợp số liệu và gửi báo cáo về Văn phòng trước ngày 25 hằng tháng.",
    "Văn bản điện tử gửi qua hệ thống có giá trị pháp lý như văn bản giấy theo Nghị định "
    "30/2020/NĐ-CP.",
    "Đề nghị thủ trưởng các cơ quan, đơn vị quan tâm chỉ đạo, phân công cán bộ đầu mối phối hợp.",
    "Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, đề nghị phản ánh kịp thời để tổng "
    "hợp, báo cáo cấp có thẩm quyền xem xét, giải quyết.",
    "Thời gian: 08 giờ 00, thứ Hai; địa điểm: Hội trường tầng 3, trụ sở Ủy ban nhân dân tỉnh.",
    "Thành phần tham dự gồm lãnh đạo các sở, ban, ngành và Chủ tịch Ủy ban nhân dân các huyện.",
    "Kinh phí thực hiện được bố trí từ nguồn ngân sách nhà nước theo phân cấp hiện hành.",
    "Sở Thông tin và Truyền thông chủ trì, phối hợp với các cơ quan liên quan hướng dẫn, kiểm "
    "tra, đôn đốc việc thực hiện.",
    "Kết quả thực hiện là căn cứ để đánh giá, xếp loại thi đua khen thưởng cuối năm.",
    "Đề nghị các đơn vị cập nhật tài liệu lên hệ thống quản lý văn bản và điều hành đúng hạn.",
    "Tỷ lệ hồ sơ giải quyết trực tuyến toàn trình phải đạt tối thiểu 50% trong năm nay.",
)


def fold(text: str) -> str:
    """Vietnamese without its tone marks, as old mail clients and PDF core fonts write it."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass(frozen=True)
class Document:
    """An official document (văn bản) sent as a PDF attachment."""

    kind: str
    number: str  # số ký hiệu, e.g. 125/UBND-VP
    topic: str

    @property
    def title(self) -> str:
        return f"{self.kind} số {self.number} về việc {self.topic}"

    def pdf(self) -> bytes:
        """One page with a text layer in Helvetica (ASCII, so without tone marks)."""
        lines = [
            "UY BAN NHAN DAN TINH SONG LAM",
            f"So: {fold(self.number)}",
            fold(self.kind).upper(),
            f"Ve viec {fold(self.topic)}",
            *textwrap.wrap(fold(" ".join(SENTENCES)), 90),
        ]
        escaped = (
            line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") for line in lines
        )
        text = " ".join(f"({line}) '" for line in escaped)
        stream = f"BT /F1 10 Tf 60 790 Td 14 TL {text} ET".encode()
        return _pdf(
            [
                b"<< /Type /Catalog /Pages 2 0 R >>",
                b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
                b"/Resources << /Font << /F1 5 0 R >> >> >>",
                b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
                b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            ]
        )


def _pdf(objects: list[bytes]) -> bytes:
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def documents(rng: random.Random, count: int = 12) -> list[Document]:
    """A small pool, so that the register (attachments deduplicated by SHA-256) stays small."""
    return [
        Document(kind, f"{rng.randint(1, 400)}/{suffix}", rng.choice(TOPICS))
        for kind, suffix in (rng.choice(KINDS) for _ in range(count))
    ]


def letter(
    rng: random.Random,
    n: int,
    date: datetime,
    pool: Sequence[Document] = (),
    sentences: tuple[int, int] = (6, 18),
) -> bytes:
    """One official letter to USER, CRLF line ends; with a PDF from *pool* one time in four."""
    name, sender = rng.choice(AGENCIES)
    document = rng.choice(pool) if pool and rng.random() < 0.25 else None
    title = document.title if document else subject(rng)
    headers = (
        f"From: {encoded(name)} <{sender}>\r\n"
        f"To: {encoded('Nguyễn Văn An')} <{USER}>\r\n"
        f"Subject: {encoded(title)}\r\n"
        f"Date: {format_datetime(date)}\r\n"
        f"Message-ID: <bench.{n}.{rng.getrandbits(32):08x}@{sender.split('@')[1]}>\r\n"
        "MIME-Version: 1.0\r\n"
    ).encode()
    text = text_part(body(rng, name, sentences), rng.choice(TRANSFER_ENCODINGS))
    if document is None:
        return headers + text
    boundary = b"=_bench_%d" % n
    return (
        headers
        + b'Content-Type: multipart/mixed; boundary="%s"\r\n\r\n' % boundary
        + b"--%s\r\n%s\r\n--%s\r\n%s\r\n--%s--\r\n"
        % (boundary, text, boundary, pdf_part(document), boundary)
    )


def encoded(text: str) -> str:
    """A header value: as is when ASCII, else RFC 2047 encoded words in UTF-8."""
    return text if text.isascii() else Header(text, "utf-8").encode(linesep="\r\n")


def body(rng: random.Random, signer: str, sentences: tuple[int, int]) -> str:
    paragraphs = [
        "Kính gửi: Văn phòng Ủy ban nhân dân tỉnh.",
        *(rng.choice(SENTENCES) for _ in range(rng.randint(*sentences))),
        f"Trân trọng./.\n\nNơi nhận:\n- Như trên;\n- Lưu: VT.\n\n{signer.upper()}",
    ]
    return "\n\n".join(textwrap.fill(p, 76, replace_whitespace=False) for p in paragraphs) + "\n"


def text_part(text: str, transfer_encoding: str) -> bytes:
    """A text/plain part in UTF-8: its header lines, a blank line and the encoded text."""
    if transfer_encoding == "base64":
        data = base64.encodebytes(text.replace("\n", "\r\n").encode())
    elif transfer_encoding == "quoted-printable":
        data = quopri.encodestring(text.encode())
    else:
        data = text.encode()
    head = b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: %s\r\n\r\n"
    return head % transfer_encoding.encode() + data.replace(b"\n", b"\r\n")


@functools.cache
def pdf_part(document: Document) -> bytes:
    filename = quote(f"{document.kind} {document.number.replace('/', '-')}.pdf")
    return (
        b"Content-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n"
        b"Content-Disposition: attachment; filename*=utf-8''%s\r\n\r\n%s"
        % (filename.encode(), base64.encodebytes(document.pdf()).replace(b"\n", b"\r\n"))
    )


def subject(rng: random.Random) -> str:
    text = rng.choice(SUBJECTS).format(topic=rng.choice(TOPICS), week=rng.randint(1, 52))
    # One in seven as an old client sends it: without tone marks.
    return fold(text) if rng.random() < 1 / 7 else text


def mailbox(count: int) -> list[bytes]:
    """The INBOX both servers get, oldest first, over the year before the benchmark."""
    rng = random.Random(SEED)
    pool = documents(rng)
    start = datetime(2024, 1, 2, 8, 0, tzinfo=VIETNAM)
    step = timedelta(days=365) / max(1, count)
    return [letter(rng, n, start + n * step, pool) for n in range(count)]


def draft(rng: random.Random) -> bytes:
    """The small message a client APPENDs."""
    return letter(rng, rng.getrandbits(48), datetime.now(UTC), sentences=(2, 5))


# -- IMAP client ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """An IMAP server under test: where it listens and the process that owns its memory."""

    name: str
    port: int
    tls: ssl.SSLContext
    pid: int


class ImapError(Exception):
    """The server answered a command with a tagged NO or BAD."""


LITERAL = re.compile(rb"\{(\d+)\}\r\n$")
EXISTS = re.compile(rb"\* (\d+) EXISTS")


def quoted(text: str) -> bytes:
    return b'"' + text.replace("\\", "\\\\").replace('"', '\\"').encode() + b'"'


class Imap:
    """One IMAP connection: tagged commands, literals both ways, the EXISTS count it is told."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.tags = itertools.count(1)
        self.exists = 0
        self.literal_plus = False

    @classmethod
    async def login(cls, target: Target) -> Imap:
        """Connect over TLS and LOGIN as USER."""
        reader, writer = await asyncio.open_connection(
            "127.0.0.1", target.port, ssl=target.tls, limit=MAX_LINE
        )
        client = cls(reader, writer)
        async with asyncio.timeout(COMMAND_TIMEOUT):
            await client.read_line()
        await client.command(b"LOGIN " + quoted(USER) + b" " + quoted(PASSWORD))
        capabilities = b" ".join(await client.command(b"CAPABILITY")).split()
        client.literal_plus = b"LITERAL+" in capabilities
        return client

    async def read_line(self) -> bytes:
        """One response line, with the literals it carries inlined."""
        part = await self.reader.readuntil(b"\r\n")
        line = part
        while match := LITERAL.search(part):
            line += await self.reader.readexactly(int(match.group(1)))
            part = await self.reader.readuntil(b"\r\n")
            line += part
        return line

    def _next_tag(self) -> bytes:
        return b"T%d" % next(self.tags)

    def _untagged(self, line: bytes, tag: bytes) -> None:
        if line.startswith(tag + b" "):
            raise ImapError(line.decode("utf-8", "replace").strip())
        if match := EXISTS.match(line):
            self.exists = int(match.group(1))

    async def _response(self, tag: bytes) -> list[bytes]:
        """The untagged lines up to the tagged OK."""
        lines = []
        while True:
            line = await self.read_line()
            if line.startswith(tag + b" OK"):
                return lines
            self._untagged(line, tag)
            lines.append(line)

    async def _continuation(self, tag: bytes) -> None:
        while not (line := await self.read_line()).startswith(b"+"):
            self._untagged(line, tag)

    async def command(self, text: bytes, literal: bytes | None = None) -> list[bytes]:
        """Send a command (with *literal* appended as its last argument); its untagged lines."""
        tag = self._next_tag()
        async with asyncio.timeout(COMMAND_TIMEOUT):
            if literal is None:
                self.writer.write(b"%s %s\r\n" % (tag, text))
            elif self.literal_plus:
                self.writer.write(b"%s %s {%d+}\r\n%s\r\n" % (tag, text, len(literal), literal))
            else:
                self.writer.write(b"%s %s {%d}\r\n" % (tag, text, len(literal)))
                await self._continuation(tag)
                self.writer.write(literal + b"\r\n")
            await self.writer.drain()
            return await self._response(tag)

    async def search(self, criteria: bytes) -> list[int]:
        lines = await self.command(b"SEARCH " + criteria)
        found = b" ".join(line[8:] for line in lines if line.startswith(b"* SEARCH"))
        return [int(n) for n in found.split()]

    async def idle(self) -> bytes:
        """Enter IDLE; the tag that DONE completes."""
        tag = self._next_tag()
        async with asyncio.timeout(COMMAND_TIMEOUT):
            self.writer.write(tag + b" IDLE\r\n")
            await self._continuation(tag)
        return tag

    async def done(self, tag: bytes) -> None:
        async with asyncio.timeout(COMMAND_TIMEOUT):
            self.writer.write(b"DONE\r\n")
            await self._response(tag)

    async def logout(self) -> None:
        await self.command(b"LOGOUT")
        self.writer.close()

    def abort(self) -> None:
        self.writer.transport.abort()


# -- the mix ----------------------------------------------------------------------------------

Operation = Callable[[Imap, random.Random], Awaitable[float]]
HEADERS = b"FETCH %d:* (UID FLAGS ENVELOPE BODY.PEEK[HEADER.FIELDS (FROM TO SUBJECT DATE)])"


async def timed(command: Awaitable[object]) -> float:
    started = time.perf_counter()
    await command
    return time.perf_counter() - started


async def select(client: Imap, rng: random.Random) -> float:
    return await timed(client.command(b"SELECT INBOX"))


async def fetch_headers(client: Imap, rng: random.Random) -> float:
    return await timed(client.command(HEADERS % max(1, client.exists - 49)))


async def fetch_body(client: Imap, rng: random.Random) -> float:
    return await timed(client.command(b"FETCH %d BODY.PEEK[]" % rng.randint(1, client.exists)))


async def search_unseen(client: Imap, rng: random.Random) -> float:
    return await timed(client.search(b"UNSEEN"))


async def search_subject(client: Imap, rng: random.Random) -> float:
    return await timed(client.search(b'SUBJECT "van ban"'))


async def store_seen(client: Imap, rng: random.Random) -> float:
    sign = rng.choice((b"+", b"-"))
    return await timed(
        client.command(b"STORE %d %sFLAGS (\\Seen)" % (rng.randint(1, client.exists), sign))
    )


async def append(client: Imap, rng: random.Random) -> float:
    return await timed(client.command(b"APPEND INBOX (\\Seen)", literal=draft(rng)))


async def idle_cycle(client: Imap, rng: random.Random) -> float:
    """IDLE until the server's go-ahead, a short pause, then DONE; the pause is not counted."""
    started = time.perf_counter()
    tag = await client.idle()
    entering = time.perf_counter() - started
    await asyncio.sleep(IDLE_PAUSE)
    return entering + await timed(client.done(tag))


MIX: tuple[tuple[str, int, Operation], ...] = (
    ("SELECT", 5, select),
    ("FETCH headers", 20, fetch_headers),
    ("FETCH body", 25, fetch_body),
    ("SEARCH UNSEEN", 10, search_unseen),
    ("SEARCH SUBJECT", 5, search_subject),
    ("STORE", 15, store_seen),
    ("APPEND", 10, append),
    ("IDLE", 10, idle_cycle),
)
WEIGHTS = [weight for _, weight, _ in MIX]


@dataclass
class MixResult:
    elapsed: float = 0.0
    server_cpu: float = 0.0  # seconds of CPU, user and system
    client_cpu: float = 0.0
    latencies: defaultdict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    failures: defaultdict[str, list[str]] = field(default_factory=lambda: defaultdict(list))


async def selected(target: Target) -> Imap:
    """A client logged in with INBOX selected."""
    client = await Imap.login(target)
    await client.command(b"SELECT INBOX")
    return client


async def mix_client(
    client: Imap, index: int, deadline: float | None, operations: int | None, result: MixResult
) -> None:
    rng = random.Random(SEED * 1000 + index)
    done = 0
    while (operations is None or done < operations) and (
        deadline is None or time.perf_counter() < deadline
    ):
        name, _, operation = rng.choices(MIX, weights=WEIGHTS)[0]
        try:
            result.latencies[name].append(await operation(client, rng))
        except ImapError as refusal:
            result.failures[name].append(str(refusal))
        done += 1


async def run_mix(target: Target, args: argparse.Namespace) -> MixResult:
    """Every client logs in and selects INBOX, then the clock starts."""
    clients = await asyncio.gather(*(selected(target) for _ in range(args.clients)))
    result = MixResult()
    server_cpu, client_cpu = cpu_seconds(target.pid), time.process_time()
    started = time.perf_counter()
    deadline = started + args.seconds if args.seconds is not None else None
    await asyncio.gather(
        *(
            mix_client(client, i, deadline, args.operations, result)
            for i, client in enumerate(clients)
        )
    )
    result.elapsed = time.perf_counter() - started
    result.server_cpu = cpu_seconds(target.pid) - server_cpu
    result.client_cpu = time.process_time() - client_cpu
    await asyncio.gather(*(client.logout() for client in clients))
    return result


async def prepare(target: Target) -> list[str]:
    """First SELECT (Dovecot indexes the Maildir), \\Seen on all but the newest tenth, one
    untimed pass of the mix; returns notes on what the mailbox looks like to each server."""
    client = await Imap.login(target)
    first_select = await timed(client.command(b"SELECT INBOX"))
    total = client.exists
    await client.command(b"STORE 1:%d +FLAGS.SILENT (\\Seen)" % (total - total // 10))
    rng = random.Random(SEED)
    for _, _, operation in MIX:
        await operation(client, rng)
    matches = len(await client.search(b'SUBJECT "van ban"'))
    unseen = len(await client.search(b"UNSEEN"))
    await client.logout()
    return [
        f"first SELECT of {total} messages took {first_select:.2f} s",
        f'SEARCH SUBJECT "van ban" matches {matches} messages, SEARCH UNSEEN {unseen}',
    ]


# -- idle connections and memory --------------------------------------------------------------


@dataclass(frozen=True)
class Memory:
    processes: int
    rss_kib: int
    pss_kib: int


def process_tree(root: int) -> list[int]:
    """*root* and all its descendants."""
    children: defaultdict[int, list[int]] = defaultdict(list)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                stat = (entry / "stat").read_text()
                children[int(stat.rsplit(")", 1)[1].split()[1])].append(int(entry.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children[pid])
    return tree


def memory(root: int) -> Memory:
    """Resident (RSS) and proportional (PSS: shared pages divided among their users) memory of a
    process tree, summed."""
    totals = {"Rss:": 0, "Pss:": 0}
    pids = process_tree(root)
    for pid in pids:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                name, *value = line.split()
                if name in totals:
                    totals[name] += int(value[0])
    return Memory(len(pids), totals["Rss:"], totals["Pss:"])


def cpu_seconds(root: int) -> float:
    """CPU time, user and system, of a process tree and of the children it has reaped."""
    ticks = 0
    for pid in process_tree(root):
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += sum(int(value) for value in fields[11:15])  # utime stime cutime cstime
    return ticks / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class IdleResult:
    connections: int
    opened_in: float
    before: Memory
    idle: Memory
    cpu: float  # seconds of server CPU per second while every connection idles


async def open_idle(
    target: Target, opening: asyncio.Semaphore, clients: list[Imap], count: int
) -> None:
    async with opening:
        client = await selected(target)
        await client.idle()
    clients.append(client)
    if len(clients) % max(1, count // 10) == 0:
        say(f"{target.name}: {len(clients)} of {count} connections in IDLE")


async def measure_idle(target: Target, count: int) -> IdleResult:
    await asyncio.sleep(SETTLE)  # for the mix's connections to be gone
    before = memory(target.pid)
    opening = asyncio.Semaphore(OPENING)
    clients: list[Imap] = []
    started = time.perf_counter()
    outcomes = await asyncio.gather(
        *(open_idle(target, opening, clients, count) for _ in range(count)),
        return_exceptions=True,
    )
    opened_in = time.perf_counter() - started
    await asyncio.sleep(SETTLE)
    cpu = cpu_seconds(target.pid)
    await asyncio.sleep(IDLE_WINDOW)
    cpu = (cpu_seconds(target.pid) - cpu) / IDLE_WINDOW
    idle = memory(target.pid)
    for client in clients:
        client.abort()
    errors = [e for e in outcomes if isinstance(e, BaseException)]
    if errors:
        raise RuntimeError(f"{len(errors)} of {count} idle connections failed: {errors[0]!r}")
    return IdleResult(count, opened_in, before, idle, cpu)


# -- one server -------------------------------------------------------------------------------


@dataclass
class ServerResult:
    name: str
    mix: MixResult
    idle: IdleResult
    notes: list[str]


def say(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


async def exercise(target: Target, args: argparse.Namespace, notes: list[str]) -> ServerResult:
    say(f"{target.name}: first SELECT, flags, warm-up")
    notes += await prepare(target)
    say(f"{target.name}: mix with {args.clients} clients")
    notes.append(f"load average before the mix: {os.getloadavg()[0]:.1f}")
    mix = await run_mix(target, args)
    say(f"{target.name}: opening {args.idle_connections} idle connections")
    idle = await measure_idle(target, args.idle_connections)
    return ServerResult(target.name, mix, idle, notes)


def tls_trusting(cafile: Path) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(cafile))


def connection_limit(args: argparse.Namespace) -> int:
    return args.idle_connections + args.clients + 16


async def smtp_connection(port: int, pending: Iterator[bytes]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    await expect(reader, b"220")
    writer.write(b"EHLO bench.tinhkhac.gov.vn\r\n")
    await expect(reader, b"250")
    for raw in pending:
        writer.write(
            b"MAIL FROM:<%s>\r\nRCPT TO:<%s>\r\nDATA\r\n" % (ENVELOPE_SENDER, USER.encode())
        )
        for code in (b"250", b"250", b"354"):
            await expect(reader, code)
        writer.write(re.sub(rb"(?m)^\.", b"..", raw) + b".\r\n")
        await expect(reader, b"250")
    writer.write(b"QUIT\r\n")
    await writer.drain()
    writer.close()


async def deliver(port: int, messages: Sequence[bytes]) -> None:
    """Every message to USER over the MX port, over several connections."""
    pending = iter(messages)
    await asyncio.gather(*(smtp_connection(port, pending) for _ in range(SMTP_CONNECTIONS)))


@contextlib.contextmanager
def postgres_database(base: Path) -> Iterator[str]:
    require_postgres_bin()
    cluster = PostgresCluster(base)
    cluster.start()
    try:
        yield cluster.create_database("bench_imap")
    finally:
        cluster.destroy()


def run_govmail(args: argparse.Namespace, messages: Sequence[bytes]) -> ServerResult:
    with contextlib.ExitStack() as stack:
        root = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="govmail-bench-imap-")))
        url = None
        if args.backend == "postgresql":
            url = stack.enter_context(postgres_database(root / "postgres"))
        config, ports = write_config(
            root / "govmail", database_url=url, imap_max_connections=connection_limit(args)
        )
        server = GovmailServer(config, ports)
        say("govmail: init and the user")
        server.cli("init")
        server.cli("user", "add", USER, "--password-stdin", input=PASSWORD + "\n")
        server.start()
        stack.callback(server.stop)
        say(f"govmail: delivering {len(messages)} messages over SMTP")
        started = time.perf_counter()
        asyncio.run(deliver(ports["mx"], messages))
        loaded = time.perf_counter() - started
        notes = [f"{len(messages)} messages delivered over SMTP in {loaded:.1f} s"]
        assert server.process is not None
        cafile = server.root / "data" / "tls" / "cert.pem"
        target = Target("govmail", ports["imaps"], tls_trusting(cafile), server.process.pid)
        return asyncio.run(exercise(target, args, notes))


def run_dovecot(args: argparse.Namespace, messages: Sequence[bytes]) -> ServerResult:
    binary = require_dovecot()
    with tempfile.TemporaryDirectory(prefix="govmail-bench-dovecot-") as root:
        dovecot = Dovecot(Path(root), USER, PASSWORD, connection_limit(args))
        say(f"dovecot: writing {len(messages)} messages to a Maildir")
        started = time.perf_counter()
        dovecot.write_maildir(messages)
        notes = [
            f"{dovecot_version(binary)}, login service in high-performance mode",
            f"{len(messages)} messages written as Maildir files in "
            f"{time.perf_counter() - started:.1f} s",
        ]
        dovecot.prepare()
        dovecot.start(binary)
        try:
            assert dovecot.process is not None
            target = Target(
                "dovecot", dovecot.port, tls_trusting(dovecot.cert), dovecot.process.pid
            )
            return asyncio.run(exercise(target, args, notes))
        finally:
            dovecot.stop()


PASSWORD_SCHEMES = {
    "govmail": "argon2id (parameters in govmail/accounts/passwords.py)",
    "dovecot": "SHA512-CRYPT",
}
RUNNERS: dict[str, Callable[[argparse.Namespace, Sequence[bytes]], ServerResult]] = {
    "govmail": run_govmail,
    "dovecot": run_dovecot,
}

# -- report -----------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def mix_cells(latencies: list[float], elapsed: float) -> str:
    if not latencies:
        return f"{0:>8}{'-':>9}{'-':>8}{'-':>9}"
    p50, p99 = percentile(latencies, 0.5) * 1e3, percentile(latencies, 0.99) * 1e3
    return f"{len(latencies):>8}{len(latencies) / elapsed:>9.1f}{p50:>8.2f}{p99:>9.2f}"


def mix_table(results: Sequence[ServerResult]) -> list[str]:
    lines = [
        f"{'':<16}" + "".join(f"  {' ' + r.name + ' ':-^32}" for r in results),
        f"{'command':<16}" + f"{'count':>8}{'ops/s':>9}{'p50 ms':>8}{'p99 ms':>9}" * len(results),
    ]
    for name, _, _ in MIX:
        cells = (mix_cells(r.mix.latencies[name], r.mix.elapsed) for r in results)
        lines.append(f"{name:<16}" + "".join(cells))
    everything = ([x for values in r.mix.latencies.values() for x in values] for r in results)
    lines.append(
        f"{'total':<16}"
        + "".join(mix_cells(a, r.mix.elapsed) for a, r in zip(everything, results, strict=True))
    )
    return lines


def idle_table(results: Sequence[ServerResult]) -> list[str]:
    lines = [
        f"{'':<9}{'procs':>7}{'RSS MiB':>10}{'RSS MiB':>10}{'RSS KiB':>10}"
        f"{'PSS MiB':>10}{'PSS MiB':>10}{'PSS KiB':>10}{'open':>8}{'CPU %':>7}",
        f"{'server':<9}{'':>7}{'before':>10}{'idle':>10}{'per conn':>10}"
        f"{'before':>10}{'idle':>10}{'per conn':>10}{'conn/s':>8}{'idle':>7}",
    ]
    for r in results:
        before, idle, count = r.idle.before, r.idle.idle, r.idle.connections
        lines.append(
            f"{r.name:<9}{idle.processes:>7}"
            f"{before.rss_kib / 1024:>10.1f}{idle.rss_kib / 1024:>10.1f}"
            f"{(idle.rss_kib - before.rss_kib) / count:>10.1f}{before.pss_kib / 1024:>10.1f}"
            f"{idle.pss_kib / 1024:>10.1f}{(idle.pss_kib - before.pss_kib) / count:>10.1f}"
            f"{count / r.idle.opened_in:>8.1f}{100 * r.idle.cpu:>7.1f}"
        )
    return lines


def report(args: argparse.Namespace, results: Sequence[ServerResult]) -> None:
    budget = f"{args.seconds:g} s" if args.seconds is not None else f"{args.operations} ops"
    backend = f"; govmail on {args.backend}" if args.server != "dovecot" else ""
    print(
        f"\nIMAP load: {args.messages} messages in INBOX, {args.clients} clients for {budget} "
        f"each, TLS (imaps) on 127.0.0.1{backend}"
    )
    for r in results:
        for note in r.notes:
            print(f"  {r.name}: {note}")
    print()
    print("\n".join(mix_table(results)))
    for r in results:
        mix = r.mix
        print(
            f"  {r.name}: CPU during the mix: server {mix.server_cpu:.1f} s, benchmark clients "
            f"{mix.client_cpu:.1f} s, of {mix.elapsed * (os.cpu_count() or 1):.1f} s on "
            f"{os.cpu_count()} cores"
        )
        for name, failures in mix.failures.items():
            print(f"  {r.name}: {name} failed {len(failures)} times, first: {failures[0]}")
    print(
        f"\nmemory with {args.idle_connections} idle connections "
        "(each: TLS, LOGIN, SELECT INBOX, IDLE)"
    )
    print("\n".join(idle_table(results)))
    print(
        f"  idle CPU %: the server's CPU (100 = one core) over {IDLE_WINDOW:g} s while every"
        " connection idles"
    )
    if any(r.name == "dovecot" for r in results):
        print(
            "  dovecot runs one imap process per connection (and imap-login processes that proxy"
            " TLS):\n  its RSS sums all its processes, counting shared pages once per process;"
            " PSS divides them."
        )
    checks = ", ".join(f"{r.name} {PASSWORD_SCHEMES[r.name]}" for r in results)
    print(f"  most of the cost of opening a connection is LOGIN's password check:\n  {checks}.")


# -- main -------------------------------------------------------------------------------------


def positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text}")
    return value


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=positive, help="messages in INBOX (10000; --quick 1000)")
    parser.add_argument("--clients", type=positive, default=16, help="clients in the mix (16)")
    budget = parser.add_mutually_exclusive_group()
    budget.add_argument("--seconds", type=float, help="length of the mix (30; --quick 10)")
    budget.add_argument("--operations", type=positive, help="operations per client, not a time")
    parser.add_argument(
        "--idle-connections", type=positive, help="idle IDLE connections (2000; --quick 200)"
    )
    parser.add_argument("--server", choices=("govmail", "dovecot", "both"), default="both")
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--quick", action="store_true", help="a small run to try it out")
    args = parser.parse_args()
    defaults = QUICK if args.quick else FULL
    for name, value in defaults.items():
        if getattr(args, name) is None and not (name == "seconds" and args.operations):
            setattr(args, name, value)
    return args


def raise_open_files(needed: int) -> None:
    """Both ends of every connection live on this machine; servers inherit the limit."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if hard != resource.RLIM_INFINITY and hard < needed:
        raise SystemExit(f"the open-files limit is {hard}; this run needs about {needed}")


def main() -> None:
    args = parse_args()
    raise_open_files(2 * connection_limit(args) + 256)
    servers = ("govmail", "dovecot") if args.server == "both" else (args.server,)
    if "dovecot" in servers:
        require_dovecot()  # before the minutes that govmail takes
    say(f"generating {args.messages} messages")
    messages = mailbox(args.messages)
    results = []
    for name in servers:
        try:
            results.append(RUNNERS[name](args, messages))
        except Exception as failure:  # one server's failure must not hide the other's figures
            print(f"{name}: the benchmark failed: {failure!r}", file=sys.stderr)
    if results:
        report(args, results)


if __name__ == "__main__":
    main()
