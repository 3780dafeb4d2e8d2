"""A real govmail server for tests: its own config, data directory and ports, run as a process."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "correct-horse-9"
DOMAINS = ("songlam.gov.vn", "stttt.songlam.gov.vn", "tanphu.songlam.gov.vn")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_config(
    root: Path,
    *,
    database_url: str | None = None,
    group_commit: bool = True,
    max_message_size: int = 1_000_000,
    max_recipients: int = 50,
    max_failures: int = 5,
    allow_plaintext_loopback: bool = False,
    imap_idle_timeout: int = 1800,
    imap_max_connections: int = 20,
) -> tuple[Path, dict[str, int]]:
    doors = ("mx", "submission", "submissions", "imap", "imaps")
    ports = {door: free_port() for door in doors}
    domains = ", ".join(f'"{d}"' for d in DOMAINS)
    text = f"""
[server]
hostname = "mail.test.songlam.gov.vn"
data_dir = "data"
domains = [{domains}]
log_level = "INFO"

[database]
url = "{database_url or "sqlite:///data/govmail.db"}"

[storage]
group_commit = {str(group_commit).lower()}

[smtp]
mx = "127.0.0.1:{ports["mx"]}"
submission = "127.0.0.1:{ports["submission"]}"
submissions = "127.0.0.1:{ports["submissions"]}"
max_message_size = {max_message_size}
max_recipients = {max_recipients}

[imap]
imap = "127.0.0.1:{ports["imap"]}"
imaps = "127.0.0.1:{ports["imaps"]}"
max_append_size = {max_message_size}
idle_timeout = {imap_idle_timeout}
max_connections_per_user = {imap_max_connections}

[auth]
allow_plaintext_loopback = {str(allow_plaintext_loopback).lower()}
max_failures = {max_failures}
"""
    root.mkdir(parents=True, exist_ok=True)
    path = root / "govmail.toml"
    path.write_text(text, encoding="utf-8")
    return path, ports


@dataclass
class GovmailServer:
    """One configured govmail; start() runs `govmail serve` as a child process."""

    config: Path
    ports: dict[str, int]
    process: subprocess.Popen[bytes] | None = None
    log_path: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log_path = self.config.parent / "server.log"

    @property
    def root(self) -> Path:
        return self.config.parent

    def cli(
        self, *args: str, input: str | None = None, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "-m", "govmail", "--config", str(self.config), *args],
            input=input,
            capture_output=True,
            text=True,
            timeout=120,
            cwd=REPO,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"govmail {' '.join(args)} exited {result.returncode}:\n{result.stderr}"
            )
        return result

    def start(self) -> None:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "govmail", "--config", str(self.config), "serve"],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=REPO,
        )
        log.close()
        self._wait_ready()

    def _wait_ready(self, limit: float = 30.0) -> None:
        deadline = time.monotonic() + limit
        assert self.process is not None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"govmail serve exited:\n{self.log_tail()}")
            if all(answers(port) for port in self.ports.values()):
                return
            time.sleep(0.05)
        raise AssertionError(f"govmail serve did not listen within {limit}s:\n{self.log_tail()}")

    def stop(self) -> int:
        """SIGTERM, and wait; returns the exit status."""
        return self._signal(signal.SIGTERM)

    def kill(self) -> int:
        return self._signal(signal.SIGKILL)

    def _signal(self, sig: signal.Signals) -> int:
        if self.process is None:
            return 0
        if self.process.poll() is None:
            os.kill(self.process.pid, sig)
        status = self.process.wait(timeout=30)
        self.process = None
        return status

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return "(no log)"
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def answers(port: int) -> bool:
    """Something accepts connections on this loopback port."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def provision(server: GovmailServer) -> None:
    """init, then the users and aliases the SMTP tests rely on."""
    server.cli("init")
    for address in (
        "an@songlam.gov.vn",
        "binh@songlam.gov.vn",
        "giamdoc@stttt.songlam.gov.vn",
        "vanthu@tanphu.songlam.gov.vn",
        "nghihuu@songlam.gov.vn",
    ):
        server.cli("user", "add", address, "--password-stdin", input=PASSWORD + "\n")
    server.cli("user", "disable", "nghihuu@songlam.gov.vn")
    server.cli(
        "alias",
        "add",
        "lanhdao@songlam.gov.vn",
        "an@songlam.gov.vn",
        "giamdoc@stttt.songlam.gov.vn",
    )
    server.cli("alias", "add", "vanphong@songlam.gov.vn", "an@songlam.gov.vn")
