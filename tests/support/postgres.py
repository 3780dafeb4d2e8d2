"""Throwaway PostgreSQL clusters on a loopback port for the test suite."""

from __future__ import annotations

import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

_DEBIAN_PG_GLOB = "/usr/lib/postgresql/*/bin"
_REQUIRED_BINARIES = ("initdb", "pg_ctl", "postgres", "psql", "pg_isready")
_SERVER_OS_USER = "postgres"
_SUPERUSER = "postgres"
_APP_ROLE = "govmail"
_HOST = "127.0.0.1"
_DB_NAME_RE = re.compile(r"[a-z_][a-z0-9_]{0,62}")
# Linux sun_path is 108 bytes including the terminating NUL.
_MAX_SOCKET_PATH = 107
_START_ATTEMPTS = 3
_INITDB_TIMEOUT = 120.0
_CTL_TIMEOUT = 60
_SQL_TIMEOUT = 60.0
_READY_TIMEOUT = 30.0
_HBA = f"local all all trust\nhost all all {_HOST}/32 trust\n"


def find_postgres_bin() -> Path | None:
    """Directory holding initdb/pg_ctl/postgres: newest Debian install first, then PATH."""
    debian = sorted(Path("/").glob(_DEBIAN_PG_GLOB.lstrip("/")), key=_version_key, reverse=True)
    on_path = shutil.which("pg_ctl")
    candidates = [*debian, *([Path(on_path).resolve().parent] if on_path else [])]
    return next((d for d in candidates if _has_binaries(d)), None)


def _version_key(bin_dir: Path) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", bin_dir.parent.name))


def _has_binaries(bin_dir: Path) -> bool:
    return all(os.access(bin_dir / name, os.X_OK) for name in _REQUIRED_BINARIES)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((_HOST, 0))
        return int(sock.getsockname()[1])


def _clean_env() -> dict[str, str]:
    # Stray PG* variables (PGHOST, PGSSLMODE, ...) would redirect or break our clients.
    return {k: v for k, v in os.environ.items() if not k.startswith("PG")}


def _initdb_locale() -> str:
    out = subprocess.run(["locale", "-a"], capture_output=True, text=True, timeout=10, check=False)
    names = {line.strip().lower() for line in out.stdout.splitlines()}
    return "C.UTF-8" if names & {"c.utf8", "c.utf-8"} else "C"


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _check_db_name(name: str) -> None:
    if not _DB_NAME_RE.fullmatch(name):
        raise ValueError(f"database name must match {_DB_NAME_RE.pattern}: {name!r}")


class PostgresCluster:
    """A throwaway PostgreSQL cluster on a loopback port, owned by the test run."""

    def __init__(self, base_dir: Path) -> None:
        self.base_dir = Path(base_dir)
        self.port = 0
        self.run_dir = self.base_dir
        self._private_dir: Path | None = None
        self._role_ready = False
        bin_dir = find_postgres_bin()
        if bin_dir is None:
            raise RuntimeError("PostgreSQL binaries not found; run `make test` to install them")
        self.bin_dir = bin_dir
        self._server_user = _server_os_user()

    @property
    def data_dir(self) -> Path:
        return self.run_dir / "data"

    @property
    def log_path(self) -> Path:
        return self.run_dir / "postgres.log"

    @property
    def url_base(self) -> str:
        return f"postgresql://{_APP_ROLE}@{_HOST}:{self.port}"

    def start(self) -> None:
        """Initialise the cluster on first use, then start it and wait until it is ready."""
        if not (self.data_dir / "PG_VERSION").exists():
            self.run_dir = self._choose_run_dir()
            self._initdb()
        self._start_server()
        self._wait_ready()

    def create_database(self, name: str) -> str:
        """Create database `name` owned by the govmail role, with unaccent; return its URL."""
        _check_db_name(name)
        self._ensure_role()
        self._psql("postgres", f"CREATE DATABASE {_quote_ident(name)} OWNER {_APP_ROLE}")
        self._psql(name, "CREATE EXTENSION IF NOT EXISTS unaccent")
        return f"{self.url_base}/{name}"

    def drop_database(self, name: str) -> None:
        _check_db_name(name)
        self._psql("postgres", f"DROP DATABASE IF EXISTS {_quote_ident(name)} WITH (FORCE)")

    def stop(self) -> None:
        """Fast shutdown; a no-op when the server is not running."""
        if not self._is_running():
            return
        cmd = ["pg_ctl", "stop", "-D", str(self.data_dir), "-m", "fast"]
        self._run_server_tool([*cmd, "-w", "-t", str(_CTL_TIMEOUT)], timeout=_CTL_TIMEOUT + 10)

    def destroy(self) -> None:
        """Stop, then delete a private run dir made outside base_dir (base_dir is left alone)."""
        self.stop()
        if self._private_dir is not None:
            shutil.rmtree(self._private_dir, ignore_errors=True)
            self._private_dir = None
            self.run_dir = self.base_dir

    # -- layout -------------------------------------------------------------

    def _choose_run_dir(self) -> Path:
        """base_dir when the server user can reach it, else a private dir in the temp dir."""
        if self._private_dir is not None:
            return self._private_dir
        self.base_dir.mkdir(parents=True, exist_ok=True)
        if self._usable_run_dir(self.base_dir):
            self._give_to_server_user(self.base_dir)
            return self.base_dir
        private = Path(tempfile.mkdtemp(prefix="govmail-pg-"))
        self._give_to_server_user(private)
        if not self._usable_run_dir(private):
            shutil.rmtree(private, ignore_errors=True)
            raise RuntimeError(f"no directory usable by OS user {self._server_user!r}: {private}")
        self._private_dir = private
        (self.base_dir / "cluster-location.txt").write_text(f"{private}\n")
        return private

    def _usable_run_dir(self, path: Path) -> bool:
        if len(str(path / ".s.PGSQL.65535")) > _MAX_SOCKET_PATH:
            return False
        # Root can enter pytest's 0700 tmp dirs; the unprivileged server user cannot.
        return self._server_user is None or self._server_user_can_enter(path.parent)

    def _server_user_can_enter(self, path: Path) -> bool:
        proc = self._run_server_tool(["test", "-x", str(path)], check=False, use_bin=False)
        return proc.returncode == 0

    def _give_to_server_user(self, path: Path) -> None:
        if self._server_user is not None:
            entry = pwd.getpwnam(self._server_user)
            os.chown(path, entry.pw_uid, entry.pw_gid)

    # -- server lifecycle ---------------------------------------------------

    def _initdb(self) -> None:
        self._run_server_tool(
            [
                "initdb",
                "-D",
                str(self.data_dir),
                "-U",
                _SUPERUSER,
                "--encoding=UTF8",
                f"--locale={_initdb_locale()}",
                "--auth=trust",
            ],
            timeout=_INITDB_TIMEOUT,
        )
        (self.data_dir / "pg_hba.conf").write_text(_HBA)
        with (self.data_dir / "postgresql.conf").open("a") as conf:
            conf.write(self._server_settings())

    def _server_settings(self) -> str:
        socket_dir = str(self.run_dir).replace("'", "''")
        return (
            "\n# govmail test cluster\n"
            f"listen_addresses = '{_HOST}'\n"
            f"unix_socket_directories = '{socket_dir}'\n"
            "fsync = on\n"
            "synchronous_commit = on\n"
            "full_page_writes = on\n"
        )

    def _start_server(self) -> None:
        ports = [self.port] if self.port else []
        ports += [_free_port() for _ in range(_START_ATTEMPTS - len(ports))]
        for port in ports:
            log_offset = self._log_size()
            if self._try_start(port):
                self.port = port
                return
            # Another process may have taken the port between probe and bind; retry.
            if "could not bind" not in self._log_text(log_offset):
                break
        raise RuntimeError(f"PostgreSQL failed to start in {self.data_dir}\n{self._log_tail()}")

    def _try_start(self, port: int) -> bool:
        cmd = ["pg_ctl", "start", "-D", str(self.data_dir), "-l", str(self.log_path)]
        cmd += ["-o", f"-p {port}", "-w", "-t", str(_CTL_TIMEOUT)]
        proc = self._run_server_tool(cmd, timeout=_CTL_TIMEOUT + 10, check=False)
        return proc.returncode == 0

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + _READY_TIMEOUT
        while time.monotonic() < deadline:
            if self._pg_isready():
                return
            time.sleep(0.2)
        raise RuntimeError(
            f"PostgreSQL on {_HOST}:{self.port} not ready after {_READY_TIMEOUT:.0f}s\n"
            f"{self._log_tail()}"
        )

    def _pg_isready(self) -> bool:
        cmd = [str(self.bin_dir / "pg_isready"), "-h", _HOST, "-p", str(self.port), "-t", "2"]
        cmd += ["-U", _SUPERUSER, "-d", "postgres"]
        proc = subprocess.run(cmd, capture_output=True, timeout=10, env=_clean_env(), check=False)
        return proc.returncode == 0

    def _is_running(self) -> bool:
        if not (self.data_dir / "postmaster.pid").exists():
            return False
        status = ["pg_ctl", "status", "-D", str(self.data_dir)]
        return self._run_server_tool(status, check=False).returncode == 0

    # -- SQL ----------------------------------------------------------------

    def _ensure_role(self) -> None:
        if self._role_ready:
            return
        self._psql(
            "postgres",
            "DO $$ BEGIN "
            f"IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{_APP_ROLE}') THEN "
            f"CREATE ROLE {_APP_ROLE} LOGIN SUPERUSER; END IF; END $$",
        )
        self._role_ready = True

    def _psql(self, database: str, sql: str) -> None:
        # psql does not refuse root, so it runs as the caller over loopback TCP.
        cmd = [str(self.bin_dir / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1"]
        cmd += ["-h", _HOST, "-p", str(self.port), "-U", _SUPERUSER, "-d", database, "-c", sql]
        proc = subprocess.run(
            cmd, capture_output=True, text=True, timeout=_SQL_TIMEOUT, env=_clean_env(), check=False
        )
        if proc.returncode != 0:
            raise RuntimeError(f"psql failed on {database!r}: {sql}\n{proc.stderr.strip()}")

    # -- helpers ------------------------------------------------------------

    def _run_server_tool(
        self,
        cmd: list[str],
        *,
        timeout: float = 30.0,
        check: bool = True,
        use_bin: bool = True,
    ) -> subprocess.CompletedProcess[str]:
        """Run a tool as the server OS user; initdb/pg_ctl/postgres refuse to run as root."""
        argv = [str(self.bin_dir / cmd[0]), *cmd[1:]] if use_bin else cmd
        full = [*_drop_privileges(self._server_user), *argv]
        # All paths are absolute; "/" avoids inheriting a cwd the server user cannot read.
        proc = subprocess.run(
            full, capture_output=True, text=True, timeout=timeout, cwd="/", env=_clean_env()
        )
        if check and proc.returncode != 0:
            raise RuntimeError(
                f"{' '.join(full)} exited {proc.returncode}\n"
                f"{proc.stdout}{proc.stderr}{self._log_tail()}"
            )
        return proc

    def _log_size(self) -> int:
        return self.log_path.stat().st_size if self.log_path.exists() else 0

    def _log_text(self, offset: int = 0) -> str:
        if not self.log_path.exists():
            return ""
        with self.log_path.open("rb") as log:
            log.seek(offset)
            return log.read().decode("utf-8", "replace")

    def _log_tail(self, lines: int = 40) -> str:
        tail = self._log_text().splitlines()[-lines:]
        return f"--- {self.log_path} (last {len(tail)} lines) ---\n" + "\n".join(tail)


def _server_os_user() -> str | None:
    """None when we are unprivileged (run tools directly), else the OS user to switch to."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(_SERVER_OS_USER)
    except KeyError:
        raise RuntimeError(
            f"running as root but OS user {_SERVER_OS_USER!r} is missing; "
            "run `make test` to install postgresql"
        ) from None
    return _SERVER_OS_USER


def _drop_privileges(user: str | None) -> list[str]:
    if user is None:
        return []
    if runuser := shutil.which("runuser"):
        return [runuser, "-u", user, "--"]
    if setpriv := shutil.which("setpriv"):
        return [setpriv, f"--reuid={user}", f"--regid={user}", "--init-groups", "--"]
    raise RuntimeError("running as root but neither runuser nor setpriv is available")


def require_postgres_bin() -> Path:
    """The PostgreSQL bin dir, or fail the test loudly: a missing server must not skip tests."""
    bin_dir = find_postgres_bin()
    if bin_dir is None:
        pytest.fail(
            "PostgreSQL binaries (initdb, pg_ctl, postgres, psql, pg_isready) not found under "
            f"{_DEBIAN_PG_GLOB} or on PATH; run `make test`, which installs postgresql",
            pytrace=False,
        )
    return bin_dir


@pytest.fixture(scope="session")
def postgres_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresCluster]:
    """One cluster per test session, stopped (and its private dir removed) at the end."""
    require_postgres_bin()
    cluster = PostgresCluster(tmp_path_factory.mktemp("postgres"))
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.destroy()
