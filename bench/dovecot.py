"""A throwaway Dovecot (Debian's dovecot-imapd) for the IMAP benchmark: its own configuration,
Maildir, certificate, base and state directories under one temp dir, IMAP over TLS on a loopback
port, one passwd-file user; run in the foreground as a child process and stopped at the end.

Dovecot runs as root (its master, auth and log services), its login processes as `dovenull` and
the mail processes as the system user `mail` (Dovecot refuses UID 0 for mail access). The login
service runs in Dovecot's high-performance mode (a few imap-login processes that proxy TLS for many
connections); every logged-in connection gets its own `imap` process.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from govmail.tls import write_self_signed
from tests.support.server import answers, free_port

PACKAGE = "dovecot-imapd"
LOGIN_USER = "dovenull"
MAIL_USER = "mail"


def require_dovecot() -> Path:
    """The dovecot binary; installs Debian's dovecot-imapd when it is missing and we are root."""
    if os.geteuid() != 0:
        raise SystemExit(
            f"the Dovecot side of this benchmark needs root (to install {PACKAGE} when it is "
            "missing, and for Dovecot's login and mail users): run it as root, or pass "
            "--server govmail"
        )
    if _find_dovecot() is None:
        print(
            f"installing {PACKAGE}: apt-get update; apt-get install -y {PACKAGE}", file=sys.stderr
        )
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for command in (["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", PACKAGE]):
            subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)
    binary = _find_dovecot()
    if binary is None:
        raise SystemExit(f"dovecot is not on PATH or in /usr/sbin after installing {PACKAGE}")
    return binary


def _find_dovecot() -> Path | None:
    found = shutil.which("dovecot", path=f"{os.environ.get('PATH', '')}:/usr/sbin")
    return Path(found) if found else None


def dovecot_version(binary: Path) -> str:
    result = subprocess.run([str(binary), "--version"], capture_output=True, text=True, check=True)
    return f"Dovecot {result.stdout.strip()}"


def password_hash(password: str) -> str:
    """SHA512-CRYPT as `doveadm pw` makes it: a usual Dovecot scheme, cheap enough to open
    thousands of connections (govmail's argon2id parameters let Dovecot's single auth process
    verify about 5 logins/s)."""
    result = subprocess.run(
        ["doveadm", "pw", "-s", "SHA512-CRYPT", "-p", password],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


class Dovecot:
    """One Dovecot instance with one user, whose INBOX is the Maildir `root/Maildir`."""

    def __init__(self, root: Path, user: str, password: str, connections: int) -> None:
        self.root = root
        self.user = user
        self.password = password
        self.connections = connections
        self.port = free_port()
        self.maildir = root / "Maildir"
        self.cert = root / "cert.pem"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def config(self) -> Path:
        return self.root / "dovecot.conf"

    @property
    def log_path(self) -> Path:
        return self.root / "dovecot.log"

    def write_maildir(self, messages: Sequence[bytes]) -> None:
        """Each message as a file in cur/, oldest first, named so Dovecot gives UIDs in order."""
        for sub in ("cur", "new", "tmp"):
            (self.maildir / sub).mkdir(parents=True, exist_ok=True)
        base = int(time.time()) - len(messages)
        for n, raw in enumerate(messages):
            name = f"{base + n}.M{n}P0.bench,S={len(raw)},W={len(raw)}:2,"
            (self.maildir / "cur" / name).write_bytes(raw)

    def prepare(self) -> None:
        """Certificate, password file, configuration, directories and their owners (after
        write_maildir, whose files go to the mail user too)."""
        write_self_signed(self.cert, self.root / "key.pem", "127.0.0.1", [])
        (self.root / "passwd").write_text(f"{self.user}:{password_hash(self.password)}\n")
        for sub in ("run", "state", "home"):
            (self.root / sub).mkdir(exist_ok=True)
        self.config.write_text(self._config_text())
        mail = pwd.getpwnam(MAIL_USER)
        for path in (self.root / "home", self.maildir):
            _chown_tree(path, mail.pw_uid, mail.pw_gid)
        # The mail processes must reach their Maildir and home below the temp dir.
        self.root.chmod(0o711)

    def _config_text(self) -> str:
        root, limit = self.root, self.connections
        mail = pwd.getpwnam(MAIL_USER)
        return f"""# govmail IMAP benchmark: a throwaway Dovecot on loopback
instance_name = govmail-bench-{self.port}
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = required
ssl_cert = <{self.cert}
ssl_key = <{root}/key.pem
default_internal_user = root
default_internal_group = root
default_login_user = {LOGIN_USER}
first_valid_uid = {mail.pw_uid}
auth_mechanisms = plain
passdb {{
  driver = passwd-file
  args = {root}/passwd
}}
userdb {{
  driver = static
  args = uid={mail.pw_uid} gid={mail.pw_gid} home={root}/home
}}
mail_location = maildir:{self.maildir}
default_process_limit = {limit}
default_client_limit = {4 * limit}
protocol imap {{
  mail_max_userip_connections = {limit}
}}
service imap-login {{
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    port = {self.port}
    ssl = yes
  }}
  service_count = 0
  process_min_avail = {os.cpu_count() or 1}
  client_limit = {limit}
}}
service imap {{
  process_limit = {limit}
}}
"""

    def start(self, binary: Path) -> None:
        log = (self.root / "dovecot.out").open("ab")
        self.process = subprocess.Popen(
            [str(binary), "-F", "-c", str(self.config)], stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        self._wait_ready()

    def _wait_ready(self, limit: float = 30.0) -> None:
        assert self.process is not None
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"dovecot exited:\n{self.log_tail()}")
            if (self.root / "run" / "login").is_dir() and answers(self.port):
                return
            time.sleep(0.05)
        raise RuntimeError(f"dovecot did not listen within {limit}s:\n{self.log_tail()}")

    def stop(self) -> None:
        """SIGTERM to the master, which stops every process it started, and wait."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
        self.process.wait(timeout=60)
        self.process = None

    def log_tail(self, lines: int = 30) -> str:
        text = ""
        for path in (self.root / "dovecot.out", self.log_path):
            if path.exists():
                text += path.read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])


def _chown_tree(top: Path, uid: int, gid: int) -> None:
    os.chown(top, uid, gid)
    for directory, subdirs, files in os.walk(top):
        for name in (*subdirs, *files):
            os.chown(os.path.join(directory, name), uid, gid)
