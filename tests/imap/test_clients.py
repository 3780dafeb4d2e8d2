"""Real clients against the real server: curl (imap:// with STARTTLS and imaps://), aioimaplib,
and mbsync doing two-way syncs of a 1,000-message mailbox with flags, moves and deletes."""

from __future__ import annotations

import asyncio
import imaplib
import re
import shutil
import subprocess
from pathlib import Path

import aioimaplib
import pytest

from tests.support.imap import fresh_user, imaps
from tests.support.mail import message, mx
from tests.support.server import PASSWORD

MESSAGES = 1000
FLAG_LETTERS = {"\\Draft": "D", "\\Flagged": "F", "\\Answered": "R", "\\Seen": "S"}


def curl(server, url: str, *args: str, user: str) -> subprocess.CompletedProcess[bytes]:
    cert = str(Path(server.root) / "data" / "tls" / "cert.pem")
    return subprocess.run(
        [
            "curl",
            "--silent",
            "--show-error",
            "--cacert",
            cert,
            "--user",
            f"{user}:{PASSWORD}",
            *args,
            url,
        ],
        capture_output=True,
        timeout=60,
    )


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is installed by make test")
def test_curl_lists_and_reads_over_imaps_and_starttls(imap_server, deliver):
    user = fresh_user(imap_server)
    raw = deliver(user, subject="Gửi qua curl")
    imaps_url = f"imaps://127.0.0.1:{imap_server.ports['imaps']}/"
    listing = curl(imap_server, imaps_url, user=user)
    assert listing.returncode == 0, listing.stderr
    assert b'* LIST (\\HasNoChildren \\Sent) "/" "Sent"' in listing.stdout
    fetched = curl(imap_server, imaps_url + "INBOX;UID=1", user=user)
    assert fetched.returncode == 0, fetched.stderr
    assert fetched.stdout.endswith(raw)
    starttls_url = f"imap://127.0.0.1:{imap_server.ports['imap']}/INBOX;UID=1"
    over_starttls = curl(imap_server, starttls_url, "--ssl-reqd", user=user)
    assert over_starttls.returncode == 0, over_starttls.stderr
    assert over_starttls.stdout == fetched.stdout
    cleartext = curl(imap_server, starttls_url.replace("INBOX;UID=1", ""), user=user)
    assert cleartext.returncode != 0  # no TLS, no login


def test_aioimaplib_select_search_fetch_and_idle(imap_server, deliver):
    user = fresh_user(imap_server)
    deliver(user, subject="Thông báo nghỉ lễ")

    async def scenario() -> None:
        context = imaps(imap_server, user=None).ssl_context
        client = aioimaplib.IMAP4_SSL("127.0.0.1", imap_server.ports["imaps"], ssl_context=context)
        await client.wait_hello_from_server()
        assert (await client.login(user, PASSWORD)).result == "OK"
        assert (await client.select("INBOX")).result == "OK"
        found = await client.search("SUBJECT", '"nghi le"')
        assert found.result == "OK" and found.lines[0] == b"1"
        fetched = await client.fetch("1", "(FLAGS RFC822.SIZE)")
        assert fetched.result == "OK" and b"RFC822.SIZE" in fetched.lines[0]
        idle = await client.idle_start(timeout=30)
        await asyncio.to_thread(deliver, user)
        pushed = await client.wait_server_push(timeout=5)
        client.idle_done()
        assert (await asyncio.wait_for(idle, 30)).result == "OK"
        assert any(b"EXISTS" in line for line in pushed)
        await client.logout()

    asyncio.run(scenario())


# --- mbsync ---------------------------------------------------------------------------------


def mbsync_config(server, user: str, home: Path) -> Path:
    cert = Path(server.root) / "data" / "tls" / "cert.pem"
    (home / "mail").mkdir(parents=True, exist_ok=True)
    rc = home / "mbsyncrc"
    rc.write_text(
        f"""IMAPAccount govmail
Host 127.0.0.1
Port {server.ports["imaps"]}
User {user}
Pass {PASSWORD}
SSLType IMAPS
CertificateFile {cert}

IMAPStore remote
Account govmail

MaildirStore local
Path {home}/mail/
Inbox {home}/mail/INBOX
SubFolders Verbatim

Channel sync
Far :remote:
Near :local:
Patterns INBOX Archive
Create Both
Expunge Both
SyncState *
"""
    )
    return rc


def run_mbsync(rc: Path) -> None:
    result = subprocess.run(
        ["mbsync", "-c", str(rc), "-a"], capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout + result.stderr


def maildir_state(folder: Path) -> dict[str, str]:
    """Message-ID → flag letters for one maildir folder."""
    state = {}
    for path in [*(folder / "cur").iterdir(), *(folder / "new").iterdir()]:
        head = path.read_bytes().split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
        found = re.search(rb"(?im)^message-id:\s*(<[^>]+>)", head)
        assert found, path
        flags = path.name.split(":2,", 1)[1] if ":2," in path.name else ""
        state[found.group(1).decode()] = "".join(sorted(flags.replace("T", "")))
    return state


def imap_state(client: imaplib.IMAP4, folder: str) -> dict[str, str]:
    typ, _ = client.select(folder)
    assert typ == "OK"
    typ, data = client.uid("FETCH", "1:*", "(FLAGS BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
    assert typ == "OK"
    state = {}
    for item in data:
        if not isinstance(item, tuple):
            continue
        flags = re.findall(r"\\[A-Za-z]+", item[0].decode())
        found = re.search(rb"(<[^>]+>)", item[1])
        assert found
        letters = "".join(sorted(FLAG_LETTERS[f] for f in flags if f in FLAG_LETTERS))
        state[found.group(1).decode()] = letters
    return state


def assert_in_sync(client: imaplib.IMAP4, home: Path) -> dict[str, dict[str, str]]:
    both = {}
    for folder in ("INBOX", "Archive"):
        remote, local = imap_state(client, folder), maildir_state(home / "mail" / folder)
        assert remote == local, f"{folder}: {len(remote)} on the server, {len(local)} local"
        both[folder] = remote
    return both


def write_local_message(folder: Path, name: str, subject: str) -> str:
    message_id, raw = message(subject=subject)
    (folder / "new" / name).write_bytes(raw)
    return message_id


def local_file(folder: Path, message_id: str) -> Path:
    """The maildir file of a message, in cur/ or (not yet seen by a client) new/."""
    for path in [*(folder / "cur").iterdir(), *(folder / "new").iterdir()]:
        if message_id.encode() in path.read_bytes()[:4000]:
            return path
    raise AssertionError(f"{message_id} not in {folder}")


def set_local_flag(folder: Path, message_id: str, letter: str) -> None:
    path = local_file(folder, message_id)
    base, _, flags = path.name.partition(":2,")
    path.rename(folder / "cur" / f"{base}:2,{''.join(sorted(set(flags + letter)))}")


def delete_local(folder: Path, message_id: str) -> None:
    local_file(folder, message_id).unlink()


@pytest.mark.skipif(shutil.which("mbsync") is None, reason="isync is installed by make test")
def test_mbsync_two_way_sync_of_a_thousand_messages(imap_server, tmp_path):
    user = fresh_user(imap_server)
    # Sent one by one over one connection, so message n gets UID n + 1.
    sent = []
    with mx(imap_server) as client:
        for n in range(MESSAGES):
            message_id, raw = message(to=user, subject=f"Văn bản số {n}")
            client.sendmail("vanthu@tinhkhac.gov.vn", [user], raw)
            sent.append(message_id)
    rc = mbsync_config(imap_server, user, tmp_path)
    run_mbsync(rc)
    server = imaps(imap_server, user=user)
    try:
        state = assert_in_sync(server, tmp_path)
        assert len(state["INBOX"]) == MESSAGES
        for round_ in range(2):
            # On the server: flag, delete and move some; append a new one.
            server.select("INBOX")
            server.uid(
                "STORE", f"{1 + round_ * 10}:{5 + round_ * 10}", "+FLAGS", "(\\Flagged \\Seen)"
            )
            server.uid("STORE", f"{6 + round_ * 10}", "+FLAGS", "(\\Deleted)")
            server.expunge()
            server.uid("MOVE", f"{7 + round_ * 10}:{8 + round_ * 10}", "Archive")
            server.append("INBOX", "(\\Answered)", None, message(subject=f"Mới {round_}")[1])
            # Locally: flag, delete, add.
            inbox = tmp_path / "mail" / "INBOX"
            # The server side touched only the first UIDs: these are the last messages.
            set_local_flag(inbox, sent[-1 - round_], "S")
            set_local_flag(inbox, sent[-3 - round_], "F")
            delete_local(inbox, sent[-5 - round_])
            write_local_message(inbox, f"local{round_}.govmail", f"Soạn tại máy {round_}")
            run_mbsync(rc)
            run_mbsync(rc)  # a second pass finds nothing more to do and changes nothing
            state = assert_in_sync(server, tmp_path)
            assert len(state["Archive"]) == 2 * (round_ + 1)
        # Each round: one deleted and two moved on the server, one deleted locally, two new.
        assert len(state["INBOX"]) == MESSAGES - 2 * 2
    finally:
        server.logout()
