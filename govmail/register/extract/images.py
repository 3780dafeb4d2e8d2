"""Images (PNG, JPEG, TIFF, GIF, BMP, WebP) read by OCR, each TIFF frame as a page of its own."""

from __future__ import annotations

import io

from PIL import Image, ImageOps, UnidentifiedImageError

from govmail.register.extract.ocr import OcrError, recognise
from govmail.register.extract.outcome import Problem, brief, failed, read_pages
from govmail.register.extract.types import Extraction, Limits, Page

PIL_FORMATS = {
    "image/png": "PNG",
    "image/jpeg": "JPEG",
    "image/tiff": "TIFF",
    "image/gif": "GIF",
    "image/bmp": "BMP",
    "image/webp": "WEBP",
}
# Only TIFF holds the pages of a multi-page scan; other formats' extra frames are animation.
_PAGED = frozenset({"TIFF"})


def extract_image(data: bytes, kind: str, limits: Limits, ocr: bool) -> Extraction:
    if not ocr:
        return failed(kind, "OCR disabled")
    pil_format = PIL_FORMATS[kind]
    try:
        image = Image.open(io.BytesIO(data), formats=[pil_format])
    except Image.DecompressionBombError as error:
        # Pillow refuses twice its own limit at open(); smaller excess is refused below, by size.
        return failed(kind, f"image too large: {error}")
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as error:
        return failed(kind, f"corrupt image: {brief(error)}")
    with image:
        frames = getattr(image, "n_frames", 1) if pil_format in _PAGED else 1
        return read_pages(
            kind,
            frames,
            limits.max_pages,
            lambda index: _read_frame(image, index, limits),
            unit="frames",
        )


def _read_frame(image: Image.Image, index: int, limits: Limits) -> tuple[Page, Problem | None]:
    number = index + 1
    unread = Page(number, "", "ocr", None)
    try:
        image.seek(index)
        width, height = image.size
        # Checked before load(): decoding is what costs the memory; open() only read the header.
        if width * height > limits.max_pixels:
            too_large = f"{width}×{height} pixels, over the limit of {limits.max_pixels}"
            return unread, Problem("image too large", number, too_large)
        image.load()
        result = recognise(ImageOps.exif_transpose(image), limits, _dpi(image))
    except OcrError as error:
        return unread, Problem("OCR failed", number, str(error))
    except (OSError, ValueError, SyntaxError, EOFError) as error:
        return unread, Problem("corrupt image", number, brief(error))
    return Page(number, result.text, "ocr", result.confidence), None


def _dpi(image: Image.Image) -> int | None:
    """The resolution the scanner recorded, if it is plausible."""
    dpi = image.info.get("dpi")
    try:
        value = round(float(dpi[0])) if isinstance(dpi, tuple) else None
    except (TypeError, ValueError, OverflowError):
        return None
    return value if value is not None and 50 <= value <= 2400 else None
