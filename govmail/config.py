"""govmail.toml → typed, validated settings.

Every error names the file and the dotted key, so an administrator can find it in one look.
"""

from __future__ import annotations

import ipaddress
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, get_args, get_origin, get_type_hints


class ConfigError(Exception):
    """A configuration file that cannot be used; the message names the file and key."""


@dataclass(frozen=True)
class Listen:
    """A host and port to listen on, written "HOST:PORT" in the file."""

    host: str
    port: int

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


@dataclass(frozen=True)
class ServerSettings:
    hostname: str = "localhost"
    data_dir: Path = Path("data")
    domains: list[str] = field(default_factory=list)
    log_level: str = "INFO"


@dataclass(frozen=True)
class DatabaseSettings:
    url: str | None = None  # default: SQLite in the data directory


@dataclass(frozen=True)
class StorageSettings:
    group_commit: bool = True
    group_commit_max: int = 64


@dataclass(frozen=True)
class TlsSettings:
    cert: Path | None = None  # default: tls/cert.pem in the data directory
    key: Path | None = None


@dataclass(frozen=True)
class SmtpSettings:
    mx: Listen | None = None
    submission: Listen | None = None
    submissions: Listen | None = None
    max_message_size: int = 50 * 1024 * 1024
    max_recipients: int = 500
    timeout: int = 300


@dataclass(frozen=True)
class ImapSettings:
    imap: Listen | None = None  # STARTTLS
    imaps: Listen | None = None  # TLS from the first byte
    max_append_size: int = 50 * 1024 * 1024
    max_connections_per_user: int = 20
    idle_timeout: int = 30 * 60  # RFC 3501 5.4: at least 30 minutes once logged in


@dataclass(frozen=True)
class AuthSettings:
    allow_plaintext_loopback: bool = False
    max_failures: int = 5
    failure_window: int = 900


@dataclass(frozen=True)
class DkimSettings:
    selector: str = "govmail"


@dataclass(frozen=True)
class RegisterSettings:
    processes: int = 2  # extraction and OCR worker processes
    ocr: bool = True
    ocr_timeout: float = 120.0  # seconds per page
    max_attempts: int = 5


@dataclass(frozen=True)
class Settings:
    """The whole configuration; paths are absolute, resolved against the file's folder."""

    path: Path
    server: ServerSettings = field(default_factory=ServerSettings)
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    storage: StorageSettings = field(default_factory=StorageSettings)
    tls: TlsSettings = field(default_factory=TlsSettings)
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    imap: ImapSettings = field(default_factory=ImapSettings)
    auth: AuthSettings = field(default_factory=AuthSettings)
    dkim: DkimSettings = field(default_factory=DkimSettings)
    register: RegisterSettings = field(default_factory=RegisterSettings)

    @property
    def tls_cert(self) -> Path:
        return self.tls.cert or self.server.data_dir / "tls" / "cert.pem"

    @property
    def tls_key(self) -> Path:
        return self.tls.key or self.server.data_dir / "tls" / "key.pem"

    @property
    def blob_dir(self) -> Path:
        return self.server.data_dir / "blobs"

    @property
    def dkim_dir(self) -> Path:
        return self.server.data_dir / "dkim"


SECTIONS: dict[str, type] = {
    "server": ServerSettings,
    "database": DatabaseSettings,
    "storage": StorageSettings,
    "tls": TlsSettings,
    "smtp": SmtpSettings,
    "imap": ImapSettings,
    "auth": AuthSettings,
    "dkim": DkimSettings,
    "register": RegisterSettings,
}


def load(path: Path) -> Settings:
    """Read and validate a govmail.toml."""
    path = path.resolve()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found (pass --config PATH)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: TOML syntax error: {exc}") from None
    return from_dict(data, path)


def from_dict(data: dict[str, Any], path: Path) -> Settings:
    """Build settings from parsed TOML; *path* locates relative paths and errors."""
    for name, value in data.items():
        if name not in SECTIONS:
            raise ConfigError(f"{path}: unknown section [{name}]; known: {', '.join(SECTIONS)}")
        if not isinstance(value, dict):
            raise ConfigError(f"{path}: {name} must be a table ([{name}])")
    sections = {
        name: _build(section_type, data.get(name, {}), name, path)
        for name, section_type in SECTIONS.items()
    }
    settings = Settings(path=path, **sections)
    _check(settings)
    return settings


def _build(cls: type, values: dict[str, Any], prefix: str, path: Path) -> Any:
    hints = get_type_hints(cls)
    known = {f.name for f in fields(cls)}
    # Defaults are written relative to the config file too.
    kwargs: dict[str, Any] = {
        f.name: _resolve(path, str(f.default))
        for f in fields(cls)
        if hints[f.name] is Path and f.name not in values
    }
    for key, value in values.items():
        if key not in known:
            raise ConfigError(
                f"{path}: unknown key {prefix}.{key}; "
                f"known in [{prefix}]: {', '.join(sorted(known))}"
            )
        kwargs[key] = _convert(value, hints[key], f"{prefix}.{key}", path)
    return cls(**kwargs)


def _convert(value: Any, hint: Any, key: str, path: Path) -> Any:
    optional = type(None) in get_args(hint)
    if optional:
        hint = next(arg for arg in get_args(hint) if arg is not type(None))
    origin = get_origin(hint)
    if origin is list:
        (item_type,) = get_args(hint)
        if not isinstance(value, list):
            raise ConfigError(f"{path}: {key} must be a list")
        return [_convert(item, item_type, f"{key}[{i}]", path) for i, item in enumerate(value)]
    if hint is Path:
        _expect(value, str, "a path (string)", key, path)
        return _resolve(path, value)
    if hint is Listen:
        _expect(value, str, 'an address "HOST:PORT"', key, path)
        return parse_listen(value, key, path)
    if hint is bool:
        _expect(value, bool, "true or false", key, path)
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise ConfigError(f"{path}: {key} must be a positive whole number, not {value!r}")
        return value
    if hint is str:
        _expect(value, str, "a string", key, path)
        return value
    raise AssertionError(f"no conversion for {hint}")  # a settings field with an unhandled type


def _expect(value: Any, kind: type, what: str, key: str, path: Path) -> None:
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        raise ConfigError(f"{path}: {key} must be {what}, not {value!r}")


def _resolve(config_path: Path, value: str) -> Path:
    candidate = Path(value)
    return candidate if candidate.is_absolute() else (config_path.parent / candidate).resolve()


def parse_listen(text: str, key: str, path: Path) -> Listen:
    """Parse "127.0.0.1:2525" or "[::1]:2525"."""
    host, sep, port_text = text.rpartition(":")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if not sep or not host or not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ConfigError(f'{path}: {key} must be "HOST:PORT" with a port 1-65535, not {text!r}')
    if host not in ("localhost", "*"):
        try:
            ipaddress.ip_address(host)
        except ValueError:
            raise ConfigError(f"{path}: {key}: {host!r} is not an IP address") from None
    return Listen(host=host, port=int(port_text))


def _check(settings: Settings) -> None:
    from govmail.accounts.names import InvalidName, normalize_domain

    for i, domain in enumerate(settings.server.domains):
        try:
            normalize_domain(domain)
        except InvalidName as exc:
            raise ConfigError(f"{settings.path}: server.domains[{i}]: {exc}") from None
    url = settings.database.url
    if url is not None and not url.startswith(("sqlite:///", "postgresql://", "postgres://")):
        raise ConfigError(
            f"{settings.path}: database.url must start with sqlite:/// or postgresql://, "
            f"not {url!r}"
        )
    if settings.register.processes < 1 or settings.register.max_attempts < 1:
        raise ConfigError(
            f"{settings.path}: register.processes and register.max_attempts must be at least 1"
        )
    if settings.server.log_level.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ConfigError(
            f"{settings.path}: server.log_level must be DEBUG, INFO, WARNING or ERROR"
        )


def database_url(settings: Settings) -> str:
    """The SQLAlchemy URL (sqlite3 or asyncpg); a relative SQLite path is relative to the
    config file."""
    url = settings.database.url
    if url is None:
        return f"sqlite:///{settings.server.data_dir / 'govmail.db'}"
    if url.startswith("sqlite:///"):
        return f"sqlite:///{_resolve(settings.path, url.removeprefix('sqlite:///'))}"
    return "postgresql+asyncpg://" + url.split("://", 1)[1]
