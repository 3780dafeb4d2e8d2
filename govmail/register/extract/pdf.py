"""PDF text: pdfium's text layer page by page, and OCR of the pages whose layer is not usable."""

from __future__ import annotations

import math
import re

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image

from govmail.register.extract.normalise import clean
from govmail.register.extract.ocr import OcrError, recognise
from govmail.register.extract.outcome import Problem, brief, failed, read_pages
from govmail.register.extract.quality import SPARSE_LETTERS, mostly_garbage, needs_ocr
from govmail.register.extract.types import Extraction, Limits, Page

POINTS_PER_INCH = 72
# Scans hold one image per page, a few when tiled; a page with thousands is not worth the walk.
_MAX_IMAGES = 200
_PDFIUM_MESSAGE = re.compile(r"\(PDFium: ([^)]+)\)")


def extract_pdf(data: bytes, kind: str, limits: Limits, ocr: bool) -> Extraction:
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        if getattr(error, "err_code", None) == pdfium_c.FPDF_ERR_PASSWORD:
            return failed(kind, "encrypted PDF")
        return failed(kind, f"corrupt PDF: {_short(error)}")
    try:
        count = len(document)
        if count == 0:
            return failed(kind, "corrupt PDF: no pages")
        return read_pages(
            kind, count, limits.max_pages, lambda index: _read_page(document, index, limits, ocr)
        )
    finally:
        document.close()


def _read_page(
    document: pdfium.PdfDocument, index: int, limits: Limits, ocr: bool
) -> tuple[Page, Problem | None]:
    number = index + 1
    try:
        page = document[index]
    except pdfium.PdfiumError as error:
        return Page(number, "", "text", None), Problem("page unreadable", number, _short(error))
    try:
        try:
            layer = _text_layer(page)
        except pdfium.PdfiumError as error:
            unreadable = Problem("text layer unreadable", number, _short(error))
            return Page(number, "", "text", None), unreadable
        text = clean(layer)
        coverage = _image_coverage(page) if _letters_below(text, SPARSE_LETTERS) else 0.0
        if not needs_ocr(layer, coverage):
            return Page(number, text, "text", None), None
        if not ocr:
            return Page(number, text, "text", None), Problem("OCR disabled", number)
        try:
            image, dpi = _render(page, limits)
            result = recognise(image, limits, dpi)
        except (OcrError, pdfium.PdfiumError) as error:
            return Page(number, text, "text", None), Problem("OCR failed", number, str(error))
        combined = result.text if mostly_garbage(layer) else _merge(result.text, text)
        return Page(number, combined, "ocr", result.confidence), None
    finally:
        page.close()


def _text_layer(page: pdfium.PdfPage) -> str:
    textpage = page.get_textpage()
    try:
        return textpage.get_text_range()
    finally:
        textpage.close()


def _merge(recognised: str, layer: str) -> str:
    """OCR'd words, then the lines of a usable but sparse text layer (a signature stamp's) that
    OCR did not already read off the rendered page."""
    seen = _squash(recognised)
    extra = [line for line in layer.split("\n") if line.strip() and _squash(line) not in seen]
    return "\n\n".join([recognised, "\n".join(extra)]) if extra else recognised


def _squash(text: str) -> str:
    return "".join(text.split()).casefold()


def _letters_below(text: str, count: int) -> bool:
    letters = 0
    for char in text:
        if char.isalpha():
            letters += 1
            if letters >= count:
                return False
    return True


def _image_coverage(page: pdfium.PdfPage) -> float:
    """The fraction of the page that image objects cover (overlaps counted twice, capped at 1)."""
    left, bottom, right, top = page.get_bbox()
    area = (right - left) * (top - bottom)
    if not area > 0:
        return 0.0
    covered = 0.0
    images = page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=2)
    for count, image in enumerate(images):
        if count >= _MAX_IMAGES:
            break
        x0, y0, x1, y1 = image.get_bounds()
        width = min(x1, right) - max(x0, left)
        height = min(y1, top) - max(y0, bottom)
        if width > 0 and height > 0:
            covered += width * height
    return min(1.0, covered / area)


def _render(page: pdfium.PdfPage, limits: Limits) -> tuple[Image.Image, int]:
    """The page as a grey image at ocr_dpi, or at less when that would exceed max_pixels."""
    width, height = page.get_size()
    if not (width > 0 and height > 0):
        raise OcrError(f"page has no area ({width:g}×{height:g} pt)")
    scale = limits.ocr_dpi / POINTS_PER_INCH
    if width * height * scale * scale > limits.max_pixels:
        # Giant pages (maps, plans, or a hostile MediaBox) are read at a lower resolution rather
        # than refused: the pixel budget is what bounds memory.
        scale = math.sqrt(limits.max_pixels / (width * height))
    bitmap = page.render(scale=scale, grayscale=True)
    try:
        # The PIL image shares pdfium's buffer, which close() frees.
        return bitmap.to_pil().copy(), round(scale * POINTS_PER_INCH)
    finally:
        bitmap.close()


def _short(error: Exception) -> str:
    """pdfium's own words: "Failed to load document (PDFium: Data format error)" says less."""
    message = str(error)
    match = _PDFIUM_MESSAGE.search(message)
    return match.group(1)[:200] if match else brief(error)
