"""The shared corpus (../shared/corpus) as the register tests use it: what each document prints,
delivering the messages to a server, and reading the register back through the CLI."""

from __future__ import annotations

import hashlib
import json
import smtplib
import time
from email.parser import BytesHeaderParser
from email.utils import parseaddr
from pathlib import Path

from govmail.register.records import waiting
from tests.support.inspect import read
from tests.support.server import GovmailServer

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
DOCUMENTS = CORPUS / "documents"
AGENCY = "songlam.gov.vn"

# What each corpus document prints (read off the documents themselves).
PRINTED = {
    "chi-thi-11-CT-UBND": {
        "number": "11/CT-UBND",
        "type": "Chỉ thị",
        "date": "2012-06-05",
        "issuer": "ỦY BAN NHÂN DÂN TỈNH SÔNG LAM",
        "summary": "Về việc tăng cường sử dụng văn bản điện tử trong hoạt động của các cơ "
        "quan nhà nước",
        "signer": "Nguyễn Văn An",
        "urgency": None,
    },
    "cong-van-125-UBND-VP": {
        "number": "125/UBND-VP",
        "type": "Công văn",
        "date": "2012-10-03",
        "issuer": "ỦY BAN NHÂN DÂN HUYỆN TÂN PHÚ",
        "summary": "V/v số hóa văn bản, tài liệu lưu trữ phục vụ tra cứu qua mạng",
        "signer": "Lê Đức Cường",
        "urgency": "Khẩn",
    },
    "bao-cao-07-BC-UBND": {
        "number": "07/BC-UBND",
        "type": "Báo cáo",
        "date": "2012-11-26",
        "issuer": "ỦY BAN NHÂN DÂN XÃ TÂN PHÚ",
        "summary": "Tình hình sử dụng hộp thư điện tử công vụ tại xã Tân Phú",
        "signer": "Phạm Văn Đông",
        "urgency": None,
    },
    "giay-moi-45-GM-STTTT": {
        "number": "45/GM-STTTT",
        "type": "Giấy mời",
        "date": "2012-09-12",
        "issuer": "SỞ THÔNG TIN VÀ TRUYỀN THÔNG",
        "summary": "Họp triển khai hệ thống thư điện tử công vụ đến cấp xã",
        "signer": "Trần Thị Bình",
        "urgency": None,
    },
}


def slug(path: Path) -> str:
    return path.stem.removesuffix("-scan")


SLUG_BY_SHA = {
    hashlib.sha256(path.read_bytes()).hexdigest(): slug(path) for path in DOCUMENTS.iterdir()
}


def wait_for_register(server: GovmailServer, limit: float = 240.0) -> None:
    """Until the server's workers have read and recognised everything filed."""
    deadline = time.monotonic() + limit
    while read(server, waiting):
        if time.monotonic() > deadline:
            raise AssertionError(f"register still busy after {limit}s:\n{server.log_tail()}")
        time.sleep(0.5)


def deliver_corpus(server: GovmailServer) -> None:
    with smtplib.SMTP("127.0.0.1", server.ports["mx"], timeout=30) as smtp:
        for path in sorted((CORPUS / "messages").glob("*.eml")):
            raw = path.read_bytes()
            sender = parseaddr(BytesHeaderParser().parsebytes(raw)["From"])[1]
            smtp.sendmail(sender, ["an@songlam.gov.vn"], raw)


def listed(server: GovmailServer, *options: str) -> list[dict]:
    found = server.cli("register", "list", "--json", *options).stdout.splitlines()
    return [json.loads(line) for line in found]


def shown(server: GovmailServer, entry_id: int) -> dict:
    return json.loads(server.cli("register", "show", str(entry_id), "--json").stdout)


def queries() -> list[tuple[str, list[str]]]:
    rows = []
    for line in (CORPUS / "queries.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            query, expected = line.split("\t")
            rows.append((query, expected.split(",")))
    return rows


def number_slug(number: str | None) -> str | None:
    for name, printed in PRINTED.items():
        if printed["number"] == number:
            return name
    return None
