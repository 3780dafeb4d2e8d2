"""Zip-based office files opened only after their unpacked size is known to be within bounds."""

from __future__ import annotations

import io
import zipfile


class ArchiveError(Exception):
    """The zip is corrupt or would unpack to too much; the message is the document's reason."""


def check_zip(data: bytes, max_unpacked: int) -> None:
    """Refuse a zip whose members declare more than max_unpacked bytes in all.

    The declared sizes are enough: zipfile stops each member at its declared size (and fails on
    the CRC), so a member that lies about its size cannot unpack to more.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            total = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as error:
        raise ArchiveError(f"corrupt zip: {error}"[:200]) from None
    if total > max_unpacked:
        raise ArchiveError(f"zip members unpack to {total} bytes, over the limit of {max_unpacked}")


def read_member(data: bytes, name: str) -> bytes | None:
    """One member's bytes (call check_zip first), or None if the zip has no such member."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        try:
            return archive.read(name)
        except KeyError:
            return None
