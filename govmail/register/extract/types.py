"""The values extraction returns: pages of text, the outcome for the whole document, and limits."""

from __future__ import annotations

from dataclasses import dataclass

PAGE_SEPARATOR = "\n\f\n"


@dataclass(frozen=True)
class Page:
    """The text of one page (or sheet, or image frame) and how it was obtained."""

    number: int  # 1-based
    text: str  # NFC, LF line ends
    method: str  # "text" (PDF text layer), "ocr", "office", "plain"
    confidence: float | None  # OCR's mean word confidence, 0..100; None when not OCR'd


@dataclass(frozen=True)
class Extraction:
    """What could be read from one document, and why the rest could not."""

    kind: str  # the sniffed content type
    pages: tuple[Page, ...]
    status: str  # "ok", "partial" (some pages unreadable), "failed", "unsupported"
    reason: str | None  # why not "ok", for people: "encrypted PDF", "OCR failed on page 3: ..."

    @property
    def text(self) -> str:
        return PAGE_SEPARATOR.join(page.text for page in self.pages)


@dataclass(frozen=True)
class Limits:
    """Bounds on the work and memory that one hostile or oversized document may cost."""

    max_pages: int = 500  # pages, sheets or frames read; the rest reported
    max_pixels: int = 60_000_000  # images above are refused, page renders scaled down to it
    max_unpacked: int = 200 * 2**20  # bytes that a zip's members may declare in all
    max_text: int = 10_000_000  # characters kept; also bounds the cells of a workbook walked
    ocr_dpi: int = 300
    ocr_timeout: float = 120.0  # seconds per page; tesseract is killed after
    ocr_language: str = "vie"  # tesseract's -l: "vie", "vie+eng"


DEFAULT_LIMITS = Limits()
