"""`govmail register import`, run as a real process: each file filed once per book, and an import
killed half way finishes on the next run without repeating anything."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import func, select

from govmail.store.models import RegisterEntry
from tests.conftest import BACKENDS, new_server
from tests.support.inspect import read
from tests.support.server import REPO

FILES = 150


def archive_sources(server) -> list[str]:
    return read(
        server,
        lambda s: list(
            s.scalars(select(RegisterEntry.source).where(RegisterEntry.book == "archive"))
        ),
    )


@pytest.fixture(params=BACKENDS)
def initialised(request, tmp_path):
    server = new_server(tmp_path / "server", request.param, request)
    server.cli("init")
    return server


def scans(folder, count: int):
    folder.mkdir()
    for n in range(count):
        text = (
            f"ỦY BAN NHÂN DÂN XÃ TÂN PHÚ\nSố: {n + 1:02d}/BC-UBND\nBÁO CÁO\nHồ sơ lưu trữ số {n}\n"
        )
        (folder / f"ho-so-{n:03d}.txt").write_text(text, encoding="utf-8")
    (folder / ".hidden").write_text("not a document")
    return folder


def test_an_interrupted_import_resumes_where_it_stopped(initialised, tmp_path):
    folder = scans(tmp_path / "luu-tru", FILES)
    command = [
        sys.executable,
        "-m",
        "govmail",
        "--config",
        str(initialised.config),
        "register",
        "import",
        str(folder),
        "--book",
        "archive",
        "--agency",
        "tanphu.songlam.gov.vn",
    ]
    process = subprocess.Popen(
        command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 120
    while len(archive_sources(initialised)) < 20:
        assert process.poll() is None, "the import finished before it could be interrupted"
        assert time.monotonic() < deadline, "the import filed nothing"
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    before = archive_sources(initialised)
    assert 20 <= len(before) < FILES
    resumed = initialised.cli(
        "register", "import", str(folder), "--book", "archive", "--agency", "tanphu.songlam.gov.vn"
    )
    filed = FILES - len(before)
    assert f"filed {filed}, already in the book {len(before)}, refused 0" in resumed.stdout
    after = archive_sources(initialised)
    assert sorted(after) == sorted(str(path) for path in folder.glob("ho-so-*.txt"))
    waiting = read(
        initialised,
        lambda s: s.scalar(
            select(func.count())
            .select_from(RegisterEntry)
            .where(RegisterEntry.recognised_at.is_(None))
        ),
    )
    assert waiting == 0
    again = initialised.cli(
        "register", "import", str(folder), "--book", "archive", "--agency", "tanphu.songlam.gov.vn"
    )
    assert f"filed 0, already in the book {FILES}" in again.stdout


def test_unreadable_and_refused_files_are_summarised(initialised, tmp_path):
    folder = tmp_path / "lan-lon"
    folder.mkdir()
    (folder / "hong.pdf").write_bytes(b"%PDF-1.7\n" + os.urandom(2000))
    (folder / "la.bin").write_bytes(os.urandom(4000))
    (folder / "tot.txt").write_text("Số: 09/TB-UBND\nTHÔNG BÁO\nLịch tiếp công dân\n")
    result = initialised.cli(
        "register", "import", str(folder), "--book", "archive", "--agency", "songlam.gov.vn"
    )
    assert "filed 3, already in the book 0, refused 0, unreadable 2" in result.stdout
    assert f"unreadable {folder / 'hong.pdf'}: corrupt PDF" in result.stdout
    assert f"unreadable {folder / 'la.bin'}: unsupported type" in result.stdout
