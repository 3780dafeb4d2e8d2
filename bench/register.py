"""Register benchmark: filing and text extraction of PDFs (pages/s), OCR (pages/min) beside bare
tesseract on the same pages, and search latency over a generated register.

The generated register is built from the corpus texts with varied numbers, dates and issuers.
Run: .venv/bin/python bench/register.py [--documents 100000] [--backend postgresql]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pypdfium2
from sqlalchemy import insert
from sqlalchemy.orm import Session

from bench.smtp_delivery import percentile
from govmail.accounts import admin
from govmail.config import RegisterSettings
from govmail.register.extract import extract
from govmail.register.filing import Attachment, Filing, Route
from govmail.register.notation import notation_key
from govmail.register.recognise import recognise
from govmail.register.search import Query, search
from govmail.register.textindex import issuer_key, text_row
from govmail.register.worker import RegisterWorker
from govmail.store.blobs import BlobStore
from govmail.store.commit import Committer, NewMessage
from govmail.store.db import Database
from govmail.store.migrate import upgrade
from govmail.store.models import Document, RegisterEntry, RegisterText
from tests.support.postgres import PostgresCluster, require_postgres_bin

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
DOCUMENTS = CORPUS / "documents"
TEXT_PDFS = sorted(p for p in DOCUMENTS.glob("*.pdf") if not p.stem.endswith("-scan"))
SCANS = sorted(DOCUMENTS.glob("*-scan.pdf"))
AGENCY = "songlam.gov.vn"
ISSUERS = (
    "ỦY BAN NHÂN DÂN TỈNH SÔNG LAM",
    "ỦY BAN NHÂN DÂN HUYỆN TÂN PHÚ",
    "ỦY BAN NHÂN DÂN XÃ TÂN PHÚ",
    "SỞ THÔNG TIN VÀ TRUYỀN THÔNG",
    "SỞ NỘI VỤ",
    "SỞ TÀI CHÍNH",
    "SỞ GIÁO DỤC VÀ ĐÀO TẠO",
    "ỦY BAN NHÂN DÂN HUYỆN BẮC SƠN",
)
ABBREVIATIONS = ("UBND", "UBND", "UBND", "STTTT", "SNV", "STC", "SGDĐT", "UBND")


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def latency_line(label: str, seconds: list[float]) -> str:
    ms = [s * 1e3 for s in seconds]
    return (
        f"{label:<28}{len(ms):>8}{percentile(ms, 0.5):>10.2f}{percentile(ms, 0.95):>10.2f}"
        f"{percentile(ms, 0.99):>10.2f}"
    )


async def open_store(url: str, root: Path) -> tuple[Database, BlobStore]:
    db = Database(url)
    await upgrade(db)
    await admin.add_domain(db, AGENCY)
    return db, BlobStore(root / "blobs")


def variant(pdf: bytes, n: int) -> bytes:
    """The same PDF with distinct bytes (a comment after the end), so each is a new document."""
    return pdf + f"\n% govmail bench copy {n}\n".encode()


def filing_message(n: int, data: bytes, name: str) -> NewMessage:
    raw = f"Subject: văn bản {n}\r\nMessage-ID: <bench-{n}@x>\r\n\r\n.\r\n".encode()
    return NewMessage(
        raw=raw,
        mail_from="vanthu@tinhkhac.gov.vn",
        recipients=[f"vanthu@{AGENCY}"],
        local_user_ids=[],
        remote_recipients=[],
        filing=Filing(
            attachments=[
                Attachment(data=data, filename=name, declared="application/pdf", part="2")
            ],
            routes=[Route("incoming", "incoming", AGENCY)],
        ),
    )


async def bench_text_pdfs(url: str, root: Path, count: int, processes: int) -> str:
    """Commit *count* messages each carrying a distinct text PDF, then drain the workers."""
    db, blobs = await open_store(url, root)
    sources = [(path.name, path.read_bytes()) for path in TEXT_PDFS]
    pages = [len(pypdfium2.PdfDocument(data)) for _, data in sources]
    committer = Committer(db, blobs, group=True, max_batch=64)
    committer.start()
    started = time.perf_counter()
    await asyncio.gather(
        *(
            committer.commit(filing_message(n, variant(sources[n % len(sources)][1], n), name))
            for n, name in ((n, sources[n % len(sources)][0]) for n in range(count))
        )
    )
    filed = time.perf_counter() - started
    await committer.stop()
    worker = RegisterWorker(db, blobs, RegisterSettings(processes=processes))
    while await worker.drain_once():
        pass
    await worker.stop()
    total = time.perf_counter() - started
    await db.close()
    page_count = sum(pages[n % len(pages)] for n in range(count))
    return (
        f"text PDFs: {count} documents, {page_count} pages, {processes} worker processes\n"
        f"  filed at commit        {count / filed:10.1f} documents/s\n"
        f"  filed + extracted + recognised {page_count / total:10.1f} pages/s "
        f"({count / total:.1f} documents/s)"
    )


def bench_ocr(workdir: Path) -> str:
    """govmail's OCR of each scanned page against bare tesseract on the same 300 dpi render."""
    ours = 0.0
    bare = 0.0
    pages = 0
    for scan in SCANS:
        data = scan.read_bytes()
        started = time.perf_counter()
        result = extract(data, filename=scan.name)
        ours += time.perf_counter() - started
        pages += len(result.pages)
        prefix = workdir / scan.stem
        subprocess.run(
            ["pdftoppm", "-r", "300", "-gray", "-png", str(scan), str(prefix)], check=True
        )
        for image in sorted(workdir.glob(f"{scan.stem}-*.png")):
            started = time.perf_counter()
            subprocess.run(
                ["tesseract", str(image), "stdout", "-l", "vie"],
                check=True,
                capture_output=True,
                env={"OMP_THREAD_LIMIT": "1", "PATH": "/usr/bin:/bin"},
            )
            bare += time.perf_counter() - started
    return (
        f"OCR: {pages} scanned pages (one process, one tesseract thread)\n"
        f"  govmail extract (render, clean, OCR)  {60 * pages / ours:8.1f} pages/min\n"
        f"  bare tesseract on a 300 dpi PNG       {60 * pages / bare:8.1f} pages/min\n"
        f"  overhead govmail adds                 {100 * (ours - bare) / bare:8.1f} %"
    )


def corpus_texts() -> list[str]:
    return [extract(path.read_bytes(), filename=path.name).text for path in TEXT_PDFS]


def generated(n: int, texts: list[str], rng: random.Random) -> tuple[str, dict[str, str]]:
    """One generated document: a corpus text with its number, date and issuer replaced."""
    base = texts[n % len(texts)]
    found = recognise(base).fields
    kind = rng.randrange(len(ISSUERS))
    issuer, abbreviation = ISSUERS[kind], ABBREVIATIONS[kind]
    old_number = found["number"].value
    type_abbr = old_number.split("/", 1)[1].split("-", 1)[0] if "-" in old_number else ""
    notation = f"{type_abbr}-{abbreviation}" if type_abbr and type_abbr != "UBND" else abbreviation
    number = f"{rng.randint(1, 999):02d}/{notation}"
    day = date(2010, 1, 1) + timedelta(days=rng.randrange(15 * 365))
    dated = f"ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"
    text = f"{issuer}\n{dated}\n" + base.replace(old_number, number)
    fields = {
        "number": number,
        "type": found["type"].value,
        "date": day.isoformat(),
        "issuer": issuer,
        "summary": found["summary"].value,
        "signer": found.get("signer").value if found.get("signer") else "",
    }
    return text, fields


async def build_register(db: Database, documents: int) -> list[dict[str, str]]:
    """Insert *documents* recognised entries directly, in batches; returns their fields."""
    rng = random.Random(2012)
    texts = corpus_texts()
    made: list[dict[str, str]] = []
    batch = 2000
    for start in range(0, documents, batch):
        rows = [generated(n, texts, rng) for n in range(start, min(documents, start + batch))]
        made.extend(fields for _, fields in rows)
        await db.write(lambda session, rows=rows, start=start: _insert(session, rows, start))
        print(f"  built {len(made)} / {documents}", end="\r", flush=True)
    print()
    return made


def _insert(session: Session, rows: list[tuple[str, dict[str, str]]], start: int) -> None:
    conn = session.connection()
    now = datetime.now(UTC)
    document_ids = conn.scalars(
        insert(Document.__table__).returning(Document.__table__.c.id, sort_by_parameter_order=True),
        [
            {
                "sha256": f"{start + i:064x}",
                "size": len(text),
                "kind": "application/pdf",
                "status": "ok",
                "attempts": 1,
                "pages": [],
                "text": text,
                "next_attempt_at": now,
                "created_at": now,
            }
            for i, (text, _) in enumerate(rows)
        ],
    ).all()
    entry_ids = conn.scalars(
        insert(RegisterEntry.__table__).returning(
            RegisterEntry.__table__.c.id, sort_by_parameter_order=True
        ),
        [
            {
                "document_id": document_id,
                "book": "incoming",
                "direction": "incoming",
                "agency": AGENCY,
                "year": int(fields["date"][:4]),
                "serial": start + i + 1,
                "filed_at": now,
                "filename": f"{start + i}.pdf",
                "declared_type": "application/pdf",
                "part": "2",
                "source": "",
                "mail_from": "",
                "recipients": [],
                "subject": "",
                "recognised_at": now,
                "number": fields["number"],
                "number_key": notation_key(fields["number"]),
                "doc_type": fields["type"],
                "doc_date": date.fromisoformat(fields["date"]),
                "issuer": fields["issuer"],
                "issuer_folded": issuer_key(fields["issuer"]),
                "summary": fields["summary"],
                "signer": fields["signer"],
                "fields": {
                    k: {"value": v, "confidence": 1.0, "source": "text"} for k, v in fields.items()
                },
                "warnings": [],
            }
            for i, (document_id, (_, fields)) in enumerate(zip(document_ids, rows, strict=True))
        ],
    ).all()
    conn.execute(
        insert(RegisterText.__table__),
        [
            text_row(fields, text) | {"entry_id": entry_id}
            for entry_id, (text, fields) in zip(entry_ids, rows, strict=True)
        ],
    )


def search_queries(made: list[dict[str, str]], rng: random.Random) -> dict[str, list[Query]]:
    words = [
        line.split("\t")[0]
        for line in (CORPUS / "queries.tsv").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#") and "/" not in line.split("\t")[0]
    ]
    picks = [made[rng.randrange(len(made))] for _ in range(200)]
    return {
        "full text": [Query(text=words[n % len(words)], limit=20) for n in range(200)],
        "number lookup": [Query(text=pick["number"], limit=20) for pick in picks],
        "filtered (type, dates, issuer)": [
            Query(
                text=words[n % len(words)],
                doc_type=pick["type"],
                issuer=pick["issuer"].split()[-1].lower(),
                date_from=date.fromisoformat(pick["date"]) - timedelta(days=365),
                date_to=date.fromisoformat(pick["date"]) + timedelta(days=365),
                limit=20,
            )
            for n, pick in enumerate(picks)
        ],
    }


async def bench_search(db: Database, documents: int) -> list[str]:
    started = time.perf_counter()
    made = await build_register(db, documents)
    lines = [f"search over {documents} documents (built in {time.perf_counter() - started:.0f} s)"]
    lines.append(f"{'query':<28}{'n':>8}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}")
    for label, queries in search_queries(made, random.Random(7)).items():
        await db.read(lambda session, q=queries[0]: search(session, q))  # warm the cache
        seconds = []
        for query in queries:
            began = time.perf_counter()
            await db.read(lambda session, q=query: search(session, q))
            seconds.append(time.perf_counter() - began)
        lines.append(latency_line(label, seconds))
    return lines


async def run(args: argparse.Namespace, url_for: Callable[[str], str], root: Path) -> None:
    print(await bench_text_pdfs(url_for("filing"), root / "filing", args.pdfs, args.processes))
    print(bench_ocr(root))
    db, _ = await open_store(url_for("search"), root / "search")
    try:
        for line in await bench_search(db, args.documents):
            print(line)
    finally:
        await db.close()
    print(f"peak RSS of the benchmark process: {peak_rss_mib():.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--pdfs", type=int, default=200, help="text PDFs to file and extract")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="govmail-bench-register-") as name:
        root = Path(name)
        cluster = None
        if args.backend == "postgresql":
            require_postgres_bin()
            cluster = PostgresCluster(root / "pg")
            cluster.start()

        def url_for(label: str) -> str:
            if cluster is None:
                (root / label).mkdir(exist_ok=True)
                return f"sqlite:///{root / label / 'govmail.db'}"
            return cluster.create_database(f"bench_{label}").replace(
                "postgresql://", "postgresql+asyncpg://"
            )

        print(f"govmail register benchmark, {args.backend}")
        try:
            asyncio.run(run(args, url_for, root))
        finally:
            if cluster is not None:
                cluster.destroy()


if __name__ == "__main__":
    main()
