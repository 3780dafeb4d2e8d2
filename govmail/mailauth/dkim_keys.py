"""DKIM keys: generation (RSA-2048 and Ed25519, RFC 8463) and their DNS TXT records."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from govmail.tls import write_private

ALGORITHMS = ("rsa", "ed25519")
_SELECTOR = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62})$")


@dataclass(frozen=True)
class DkimKey:
    domain: str
    selector: str
    algorithm: str  # "rsa" or "ed25519"
    path: Path


def check_selector(selector: str) -> str:
    if not _SELECTOR.match(selector):
        raise ValueError(f"{selector!r} is not a valid DKIM selector (letters, digits, hyphens)")
    return selector


def key_path(dkim_dir: Path, domain: str, selector: str) -> Path:
    """Where a key lives; *domain* must already be validated (normalize_domain)."""
    return dkim_dir / domain / f"{check_selector(selector)}.pem"


def generate(dkim_dir: Path, domain: str, base_selector: str) -> list[DkimKey]:
    """One RSA and one Ed25519 key, selectors BASE-rsa and BASE-ed25519; keeps existing ones."""
    keys = []
    for algorithm in ALGORITHMS:
        selector = f"{base_selector}-{algorithm}"
        path = key_path(dkim_dir, domain, selector)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            write_private(path, _new_private_key(algorithm))
        keys.append(DkimKey(domain, selector, algorithm, path))
    return keys


def existing(dkim_dir: Path, domain: str) -> list[DkimKey]:
    folder = dkim_dir / domain
    if not folder.is_dir():
        return []
    return [
        DkimKey(domain, path.stem, _algorithm_of(path), path)
        for path in sorted(folder.glob("*.pem"))
    ]


def dns_record(key: DkimKey) -> tuple[str, str]:
    """The TXT record's owner name and value (RFC 6376 3.6.1) for *key*."""
    public = serialization.load_pem_private_key(key.path.read_bytes(), password=None).public_key()
    if key.algorithm == "ed25519":
        raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    else:
        raw = public.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    value = f"v=DKIM1; k={key.algorithm}; p={base64.b64encode(raw).decode('ascii')}"
    return f"{key.selector}._domainkey.{key.domain}", value


def zone_text(value: str) -> str:
    """A TXT value as zone-file strings: each quoted string holds at most 255 octets."""
    return " ".join(f'"{value[i : i + 255]}"' for i in range(0, len(value), 255))


def _new_private_key(algorithm: str) -> bytes:
    private: rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey = (
        ed25519.Ed25519PrivateKey.generate()
        if algorithm == "ed25519"
        else rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )
    return private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _algorithm_of(path: Path) -> str:
    private = serialization.load_pem_private_key(path.read_bytes(), password=None)
    return "ed25519" if isinstance(private, ed25519.Ed25519PrivateKey) else "rsa"
