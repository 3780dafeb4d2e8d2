"""Test documents: the shared corpus, and small files of every kind built on the spot."""

from __future__ import annotations

import io
import re
import struct
import unicodedata
import zipfile
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

DOCUMENTS = Path(__file__).resolve().parents[4] / "shared" / "corpus" / "documents"
MESSAGES = DOCUMENTS.parent / "messages"
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
MiB = 2**20


def corpus(name: str) -> bytes:
    return (DOCUMENTS / name).read_bytes()


def fold(text: str) -> str:
    """Lower case without diacritics or extra spaces, for comparing with imperfect OCR."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(char for char in decomposed if unicodedata.category(char) != "Mn")
    return re.sub(r"\s+", " ", bare).lower()


def font(size: int) -> ImageFont.FreeTypeFont:
    if not FONT.exists():
        pytest.skip(f"no Vietnamese-capable font at {FONT}")
    return ImageFont.truetype(str(FONT), size)


def text_image(
    lines: list[str], size: int = 44, mode: str = "L", canvas: tuple[int, int] | None = None
) -> Image.Image:
    """Black lines of text on white (transparent for RGBA), as a 300 dpi scan would hold them."""
    face = font(size)
    width = max(int(face.getlength(line)) for line in lines) + 2 * size
    height = (len(lines) + 1) * int(size * 1.6)
    if canvas is not None:
        width, height = max(width, canvas[0]), max(height, canvas[1])
    background = (255, 255, 255, 0) if mode == "RGBA" else "white"
    image = Image.new(mode, (width, height), background)
    draw = ImageDraw.Draw(image)
    for index, line in enumerate(lines):
        draw.text((size, size // 2 + index * int(size * 1.6)), line, fill="black", font=face)
    return image


def image_bytes(image: Image.Image, format: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=format, **options)
    return buffer.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header declares width×height grey pixels, with one tiny data chunk after it."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    data = zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


def zip_of(members: dict[str, bytes | str], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in members.items():
            # ODF requires its mimetype first and stored, so that magic-number readers find it.
            method = zipfile.ZIP_STORED if name == "mimetype" else compression
            archive.writestr(name, content, compress_type=method)
    return buffer.getvalue()


def zip_bomb(member: str, size: int) -> bytes:
    """A real bomb: a zip of a few hundred kilobytes whose member unpacks to *size* zero bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open(member, "w", force_zip64=True) as out:
            block = b"\x00" * MiB
            for _ in range(size // MiB):
                out.write(block)
    return buffer.getvalue()


ODF_NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
)


def odf(mimetype: str, body: str) -> bytes:
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<office:document-content {ODF_NAMESPACES} office:version="1.2">'
        f"<office:body>{body}</office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>'
    )
    return zip_of({"mimetype": mimetype, "content.xml": content, "META-INF/manifest.xml": manifest})


PAGE = (420.0, 200.0)  # small pages keep their OCR fast
SCAN_PIXELS = (1167, 556)  # PAGE at 200 dpi
TEXT_LINES = [
    "Số: 09/TB-VP Sông Lam, ngày 02 tháng 4 năm 2013",
    "Văn phòng thông báo lịch tiếp công dân của lãnh đạo tỉnh.",
]
SCANNED_LINES = ["Số: 12/QĐ-UBND", "Quyết định phê duyệt kế hoạch"]
STAMP = "Ký bởi: Văn phòng Ủy ban nhân dân tỉnh"


def pdf(pages: list[tuple[list[str], Image.Image | None]], encrypt: str | None = None) -> bytes:
    """A PDF with one page per (text lines, full-page image) pair; either may be empty."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    font(10)
    pdfmetrics.registerFont(TTFont("DejaVuSans", str(FONT)))
    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer, pagesize=PAGE, encrypt=encrypt)
    for lines, image in pages:
        sheet.setFont("DejaVuSans", 9)
        if image is None:
            for index, line in enumerate(lines):
                sheet.drawString(20, PAGE[1] - 30 - 14 * index, line)
        else:
            sheet.drawImage(ImageReader(image), 0, 0, *PAGE)
            # A signing tool's stamp goes in the bottom corner, clear of the scanned text.
            for index, line in enumerate(reversed(lines)):
                sheet.drawString(20, 12 + 14 * index, line)
        sheet.showPage()
    sheet.save()
    return buffer.getvalue()


def mixed_pdf() -> bytes:
    """Page 1 typed text; page 2 a scan; page 3 a scan with a digital signature's stamp text."""
    scan = text_image(SCANNED_LINES, size=40, canvas=SCAN_PIXELS)
    return pdf([(TEXT_LINES, None), ([], scan), ([STAMP], scan)])


def declare_size(data: bytes, member: str, size: int) -> bytes:
    """*data* with *member*'s uncompressed size rewritten in its local and central headers."""
    patched = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        struct.pack_into("<I", patched, archive.getinfo(member).header_offset + 22, size)
    position = patched.find(b"PK\x01\x02")
    while position >= 0:
        (name_length,) = struct.unpack_from("<H", patched, position + 28)
        if patched[position + 46 : position + 46 + name_length] == member.encode():
            struct.pack_into("<I", patched, position + 24, size)
        position = patched.find(b"PK\x01\x02", position + 46 + name_length)
    return bytes(patched)
