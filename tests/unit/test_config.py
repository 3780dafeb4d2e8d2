"""govmail.toml parsing: typed values, resolved paths, and errors that name the key and file."""

from __future__ import annotations

from pathlib import Path

import pytest

from govmail.config import ConfigError, Listen, database_url, load

REPO = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "govmail.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_demo_config_loads_with_the_documented_ports():
    settings = load(REPO / "govmail.toml")
    assert settings.smtp.mx == Listen("127.0.0.1", 2525)
    assert settings.smtp.submission == Listen("127.0.0.1", 2587)
    assert settings.smtp.submissions == Listen("127.0.0.1", 2465)
    assert "songlam.gov.vn" in settings.server.domains
    assert "tanphu.songlam.gov.vn" in settings.server.domains
    assert settings.server.data_dir == REPO / "data"
    assert settings.tls_cert == REPO / "data" / "tls" / "cert.pem"
    assert database_url(settings) == f"sqlite:///{REPO}/data/govmail.db"


def test_relative_paths_are_relative_to_the_config_file(tmp_path):
    path = write(tmp_path, '[server]\ndata_dir = "var/mail"\n[tls]\ncert = "/etc/c.pem"\n')
    settings = load(path)
    assert settings.server.data_dir == tmp_path / "var" / "mail"
    assert settings.tls_cert == Path("/etc/c.pem")
    assert settings.tls_key == tmp_path / "var" / "mail" / "tls" / "key.pem"
    assert database_url(settings) == f"sqlite:///{tmp_path}/var/mail/govmail.db"


def test_defaults_resolve_against_the_config_file_not_the_working_directory(tmp_path):
    settings = load(write(tmp_path, ""))
    assert settings.server.data_dir == tmp_path / "data"
    assert settings.tls_cert == tmp_path / "data" / "tls" / "cert.pem"
    assert database_url(settings) == f"sqlite:///{tmp_path}/data/govmail.db"


def test_relative_sqlite_url_is_relative_to_the_config_file(tmp_path):
    settings = load(write(tmp_path, '[database]\nurl = "sqlite:///db/x.db"\n'))
    assert database_url(settings) == f"sqlite:///{tmp_path}/db/x.db"


def test_postgresql_url_uses_asyncpg(tmp_path):
    settings = load(write(tmp_path, '[database]\nurl = "postgresql://u:p@127.0.0.1:5432/g"\n'))
    assert database_url(settings) == "postgresql+asyncpg://u:p@127.0.0.1:5432/g"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[smtp]\nmx_port = 25\n", "unknown key smtp.mx_port"),
        ("[smtpd]\n", "unknown section [smtpd]"),
        ('[smtp]\nmax_message_size = "big"\n', "smtp.max_message_size must be a positive whole"),
        ("[smtp]\nmax_message_size = -1\n", "smtp.max_message_size must be a positive whole"),
        ("[smtp]\nmax_message_size = true\n", "smtp.max_message_size must be a positive whole"),
        ('[smtp]\nmx = "127.0.0.1"\n', 'smtp.mx must be "HOST:PORT"'),
        ('[smtp]\nmx = "127.0.0.1:70000"\n', 'smtp.mx must be "HOST:PORT"'),
        ('[smtp]\nmx = "mail.example:25"\n', "smtp.mx: 'mail.example' is not an IP address"),
        ("[smtp]\nmx = 25\n", 'smtp.mx must be an address "HOST:PORT"'),
        ('[storage]\ngroup_commit = "yes"\n', "storage.group_commit must be true or false"),
        ('[server]\ndomains = "songlam.gov.vn"\n', "server.domains must be a list"),
        ('[server]\ndomains = ["songlam..gov.vn"]\n', "server.domains[0]"),
        ('[database]\nurl = "mysql://x"\n', "database.url must start with"),
        ('[server]\nlog_level = "LOUD"\n', "server.log_level"),
        ("server = 1\n", "server must be a table"),
        ("[server\n", "TOML syntax error"),
    ],
)
def test_errors_name_the_file_and_the_key(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="file not found"):
        load(tmp_path / "nope.toml")


def test_non_utf8_file_is_a_clear_error(tmp_path):
    path = tmp_path / "govmail.toml"
    path.write_bytes(b'[server]\nhostname = "\xff"\n')
    with pytest.raises(ConfigError, match="cannot read"):
        load(path)
