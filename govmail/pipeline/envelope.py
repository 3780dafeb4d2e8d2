"""What a door hands the pipeline (client facts, envelope) and what it gets back (a verdict)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from govmail.accounts.directory import Lookup


@dataclass(frozen=True)
class Client:
    """Facts about the connection a message came in on."""

    ip: str
    door: str  # "mx", "submission", "submissions", "imap", "cli"
    helo: str = ""
    esmtp: bool = True
    tls: str | None = None  # protocol and cipher, e.g. "TLSv1.3 TLS_AES_256_GCM_SHA384"
    auth_user: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "ip": self.ip,
            "door": self.door,
            "helo": self.helo,
            "tls": self.tls,
            "auth_user": self.auth_user,
        }


@dataclass
class Envelope:
    mail_from: str  # "" for the null sender
    recipients: list[str]
    client: Client
    smtputf8: bool = False
    options: list[str] = field(default_factory=list)
    routes: dict[str, Lookup] = field(default_factory=dict)  # decided at RCPT time


@dataclass(frozen=True)
class Verdict:
    """The pipeline's answer, in SMTP terms (RFC 5321 code, RFC 3463 enhanced status)."""

    code: int
    status: str
    text: str

    @property
    def ok(self) -> bool:
        return self.code < 400

    @property
    def temporary(self) -> bool:
        return 400 <= self.code < 500

    def smtp(self) -> str:
        return f"{self.code} {self.status} {self.text}"


OK_SENDER = Verdict(250, "2.1.0", "Sender OK")
OK_RECIPIENT = Verdict(250, "2.1.5", "Recipient OK")
RELAY_DENIED = Verdict(554, "5.7.1", "Relay access denied / Không cho phép chuyển tiếp thư")
UNKNOWN_USER = Verdict(550, "5.1.1", "No such user here / Không có hộp thư này")
DISABLED_USER = Verdict(550, "5.2.1", "Mailbox disabled / Hộp thư đã bị khóa")
BAD_RECIPIENT = Verdict(501, "5.1.3", "Bad recipient address syntax")
BAD_SENDER = Verdict(501, "5.1.7", "Bad sender address syntax")
NOT_YOUR_ADDRESS = Verdict(
    553, "5.7.1", "Sender address is not yours / Địa chỉ gửi không thuộc tài khoản của bạn"
)
TRY_AGAIN = Verdict(451, "4.3.0", "Temporary failure, please try again later")
