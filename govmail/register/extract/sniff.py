"""A document's content type from its own bytes; the sender's type and file name only as hints."""

from __future__ import annotations

import codecs
import io
import re
import struct
import zipfile

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
ZIP = "application/zip"
OLE = "application/x-ole-storage"
HTML = "text/html"
PLAIN = "text/plain"
XML = "application/xml"
BINARY = "application/octet-stream"

# Acrobat accepts a header anywhere in the first kilobyte, after mail gateways' junk.
_PDF_WINDOW = 1024
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"\x1f\x8b", "application/gzip"),
    (b"7z\xbc\xaf\x27\x1c", "application/x-7z-compressed"),
    (b"Rar!\x1a\x07", "application/vnd.rar"),
    (b"{\\rtf", "application/rtf"),
)
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# The legacy Office formats share one container; only the name or the sender can tell them apart.
_OLE_HINTS = {
    ".doc": "application/msword",
    ".xls": "application/vnd.ms-excel",
    ".ppt": "application/vnd.ms-powerpoint",
    ".msg": "application/vnd.ms-outlook",
}
_TEXT_HINTS = {
    ".csv": "text/csv",
    ".tsv": "text/tab-separated-values",
    ".htm": HTML,
    ".html": HTML,
    ".md": "text/markdown",
}
_BMP_HEADER_SIZES = frozenset({12, 16, 40, 52, 56, 64, 108, 124})
_ODF_MIMETYPE_MAX = 100
_ODF_MIMETYPE = re.compile(rb"application/vnd\.oasis\.opendocument\.[a-z.-]+")
_TEXT_SAMPLE = 65536
# Bytes that do not occur in text in any charset (tab, LF, FF, CR and ESC excepted).
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f\x7f]")
_MAX_CONTROL_RATIO = 0.01
_HTML_TAG = re.compile(rb"<(?:!doctype\s+html|html|head|body)[\s>]", re.I)
_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*")


def sniff(data: bytes, declared: str | None = None, filename: str | None = None) -> str:
    """Content type from the bytes: magic numbers, zip members, then text or not.

    *declared* and *filename* only choose among types the bytes cannot tell apart (CSV or plain
    text; which legacy Office format). Never raises: the unrecognised is application/octet-stream.
    """
    if not data:
        return BINARY
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_kind(data)
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if _is_bmp(data):
        return "image/bmp"
    if data.startswith(_OLE_MAGIC):
        return _hinted(_OLE_HINTS, declared, filename) or OLE
    # Only now: a zip or an image may well hold "%PDF-" in its first kilobyte.
    if b"%PDF-" in data[:_PDF_WINDOW]:
        return PDF
    if _is_text(data):
        return _text_kind(data, declared, filename)
    return BINARY


def _zip_kind(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names and archive.getinfo("mimetype").file_size <= _ODF_MIMETYPE_MAX:
                match = _ODF_MIMETYPE.fullmatch(archive.read("mimetype").strip())
                if match:
                    return match.group().decode("ascii")
    except Exception:  # a damaged archive: its local headers may still name what it was
        return _damaged_zip_kind(data)
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    if "ppt/presentation.xml" in names:
        return PPTX
    return ZIP


def _damaged_zip_kind(data: bytes) -> str:
    """The kind a truncated office file was, from its members' names in the local headers."""
    if data[30:38] == b"mimetype":
        match = _ODF_MIMETYPE.match(data, 38)
        if match:
            return match.group().decode("ascii")
    for member, kind in ((b"word/document.xml", DOCX), (b"xl/workbook.xml", XLSX)):
        if member in data:
            return kind
    return ZIP


def _is_bmp(data: bytes) -> bool:
    """BM is also how text may start: the DIB header's size must be one of the known ones."""
    if len(data) < 18 or not data.startswith(b"BM"):
        return False
    (header_size,) = struct.unpack_from("<I", data, 14)
    return header_size in _BMP_HEADER_SIZES


def _is_text(data: bytes) -> bool:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    sample = data[:_TEXT_SAMPLE]
    if b"\x00" in sample:
        return False
    return len(_CONTROL_BYTES.findall(sample)) <= _MAX_CONTROL_RATIO * len(sample)


def _text_kind(data: bytes, declared: str | None, filename: str | None) -> str:
    head = data[:1024].removeprefix(codecs.BOM_UTF8)
    if _HTML_TAG.search(head):
        return HTML
    if head.lstrip().startswith(b"<?xml"):
        return XML
    kind = _media_type(declared)
    if kind is not None and kind.startswith("text/"):
        return kind
    return _hinted(_TEXT_HINTS, None, filename) or PLAIN


def _hinted(table: dict[str, str], declared: str | None, filename: str | None) -> str | None:
    kind = _media_type(declared)
    if kind in table.values():
        return kind
    if filename:
        dot = filename.rfind(".")
        if dot >= 0:
            return table.get(filename[dot:].lower())
    return None


def _media_type(declared: str | None) -> str | None:
    if not declared:
        return None
    kind = declared.split(";", 1)[0].strip().lower()
    return kind if _TYPE.fullmatch(kind) else None
