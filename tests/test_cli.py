"""The govmail command line, run as a real process: output, exit codes, one-line errors."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest
from cryptography.hazmat.primitives import serialization

from govmail.config import load
from govmail.mailauth.dkim_keys import existing
from tests.support.server import GovmailServer, write_config


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[GovmailServer]:
    config, ports = write_config(tmp_path_factory.mktemp("cli"))
    server = GovmailServer(config, ports)
    assert "ready" in server.cli("init").stdout
    yield server


def fails(server: GovmailServer, *args: str, input: str | None = None, code: int = 1) -> str:
    result = server.cli(*args, input=input, check=False)
    assert result.returncode == code, result
    if code == 1:
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("govmail: error: "), result.stderr
    return result.stderr


@pytest.mark.parametrize(
    "args",
    [
        (),
        ("user",),
        ("domain",),
        ("alias",),
        ("dkim",),
        ("mailbox",),
        ("init",),
        ("serve",),
        ("status",),
        ("doctor",),
        ("migrate",),
        ("user", "add"),
        ("register",),
        ("register", "search"),
        ("register", "export"),
        ("register", "import"),
    ],
)
def test_every_command_has_help(server, args):
    result = server.cli(*args, "--help")
    assert result.returncode == 0
    assert "Usage: " in result.stdout


def test_init_is_idempotent_and_keeps_keys(server):
    key = server.root / "data" / "dkim" / "songlam.gov.vn" / "govmail-rsa.pem"
    before = key.read_bytes()
    result = server.cli("init")
    assert "domain " not in result.stdout
    assert key.read_bytes() == before
    assert (key.stat().st_mode & 0o777) == 0o600


def test_user_lifecycle(server):
    out = server.cli(
        "user",
        "add",
        "hoa@songlam.gov.vn",
        "--password-stdin",
        "--name",
        "Lê Thị Hoa",
        input="mat-khau-dai\n",
    ).stdout
    assert "hoa@songlam.gov.vn created" in out
    assert "Lê Thị Hoa" in server.cli("user", "list").stdout
    assert "already exists" in fails(
        server, "user", "add", "Hoa@SongLam.gov.vn", "--password", "mat-khau-dai"
    )
    server.cli("user", "passwd", "hoa@songlam.gov.vn", "--password", "mat-khau-moi")
    server.cli("user", "disable", "hoa@songlam.gov.vn")
    assert "disabled" in server.cli("user", "list").stdout
    server.cli("user", "enable", "hoa@songlam.gov.vn")
    assert "disabled" not in server.cli("user", "list").stdout
    server.cli("user", "delete", "hoa@songlam.gov.vn", "--yes")
    assert "hoa@" not in server.cli("user", "list").stdout
    assert "no user" in fails(server, "user", "delete", "hoa@songlam.gov.vn", "--yes")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("user", "add", "x@other.gov.vn", "--password", "long-enough"), "govmail domain add"),
        (("user", "add", "x@songlam.gov.vn", "--password", "short"), "at least 8"),
        (("user", "add", "not-an-address", "--password", "long-enough"), "not an e-mail address"),
        (("user", "passwd", "nobody@songlam.gov.vn", "--password", "long-enough"), "no user"),
        (("domain", "add", "songlam..gov.vn"), "not a valid domain"),
        (("domain", "add", "songlam.gov.vn"), "already exists"),
        (("alias", "add", "l@other.gov.vn", "a@songlam.gov.vn"), "not served here"),
        (("alias", "delete", "nothing@songlam.gov.vn"), "no alias"),
        (("dkim", "dns", "other.gov.vn"), "govmail dkim keygen other.gov.vn"),
        (("mailbox", "list", "nobody@songlam.gov.vn"), "no user"),
        (("register", "show", "999"), "no register entry 999"),
        (("register", "correct", "999", "signer", "Lê Văn A"), "no register entry 999"),
        (("register", "correct", "1", "colour", "red"), "unknown field 'colour'"),
        (("register", "grant", "nobody@songlam.gov.vn"), "no user"),
        (
            ("register", "import", "/nonexistent/scans", "--book", "archive", "--agency", "x"),
            "no such",
        ),
        (("domain", "agency", "other.gov.vn", "SỞ KHÁC"), "no domain other.gov.vn"),
    ],
)
def test_failed_operations_exit_1_with_one_line(server, args, message):
    assert message in fails(server, *args)


@pytest.mark.parametrize(
    "args",
    [
        ("user", "add"),
        ("user", "add", "a@songlam.gov.vn", "--password", "x" * 9, "--password-stdin"),
        ("frobnicate",),
        ("user", "list", "--colour"),
        ("register", "search", "x", "--from", "5/6/2012"),
        (
            "register",
            "export",
            "--book",
            "incoming",
            "--year",
            "2012",
            "--agency",
            "a",
            "--format",
            "doc",
        ),
        ("register", "export", "--book", "sideways", "--year", "2012", "--agency", "a"),
        ("register", "import", "--book", "archive", "--agency", "a"),
    ],
)
def test_bad_usage_exits_2(server, args):
    fails(server, *args, code=2)


def test_domains_and_aliases(server):
    server.cli("domain", "add", "SNV.SongLam.gov.vn")
    assert "snv.songlam.gov.vn" in server.cli("domain", "list").stdout.split()
    server.cli("user", "add", "a@songlam.gov.vn", "--password", "long-enough")
    server.cli("alias", "add", "ds@songlam.gov.vn", "a@songlam.gov.vn", "b@bocongan.gov.vn")
    assert (
        "ds@songlam.gov.vn: a@songlam.gov.vn, b@bocongan.gov.vn"
        in server.cli("alias", "list").stdout
    )
    assert "is a user" in fails(server, "alias", "add", "a@songlam.gov.vn", "x@songlam.gov.vn")
    server.cli("alias", "delete", "ds@songlam.gov.vn")
    assert "ds@" not in server.cli("alias", "list").stdout


def test_dkim_dns_publishes_the_keys_public_halves(server):
    server.cli("dkim", "keygen", "stttt.songlam.gov.vn", "--selector", "s2027")
    out = server.cli("dkim", "dns", "stttt.songlam.gov.vn").stdout.strip().splitlines()
    assert [line.split()[0] for line in out] == [
        "s2027-ed25519._domainkey.stttt.songlam.gov.vn.",
        "s2027-rsa._domainkey.stttt.songlam.gov.vn.",
    ]
    keys = {k.selector: k for k in existing(load(server.config).dkim_dir, "stttt.songlam.gov.vn")}
    for line in out:
        owner, _, _, rest = line.split(" ", 3)
        strings = [chunk for chunk in rest.split('"') if chunk.strip()]
        assert all(len(chunk) <= 255 for chunk in strings)
        value = "".join(strings)
        key = keys[owner.split(".")[0]]
        assert value.startswith(f"v=DKIM1; k={key.algorithm}; p=")
        published = base64.b64decode(value.split("p=")[1])
        public = serialization.load_pem_private_key(key.path.read_bytes(), None).public_key()
        if key.algorithm == "rsa":
            assert published == public.public_bytes(
                serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        else:
            assert published == public.public_bytes(
                serialization.Encoding.Raw, serialization.PublicFormat.Raw
            )


def test_status_reports_schema_and_listeners(server):
    out = server.cli("status").stdout
    assert "(current)" in out
    assert "domains" in out and "users" in out
    assert f"mx           127.0.0.1:{server.ports['mx']} down" in out


def test_config_errors_are_reported_with_file_and_key(tmp_path):
    path = tmp_path / "govmail.toml"
    path.write_text("[smtp]\nmx = 25\n")
    broken = GovmailServer(path, {})
    assert f"{path}: smtp.mx must be" in fails(broken, "status")
    assert "file not found" in fails(GovmailServer(tmp_path / "none.toml", {}), "status")


def test_commands_refuse_an_uninitialised_data_directory(tmp_path):
    config, ports = write_config(tmp_path)
    server = GovmailServer(config, ports)
    assert "govmail init" in fails(server, "serve")
    assert "govmail init" in fails(server, "user", "list")
    (tmp_path / "data").mkdir()
    assert "govmail migrate" in fails(server, "serve")
