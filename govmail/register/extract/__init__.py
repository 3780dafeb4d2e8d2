"""Text extraction from document bytes (PDF text layer, OCR, office files, text): pure functions.

pdfium is not thread-safe: run extractions in processes (the register's worker pool), not threads.
"""

from __future__ import annotations

from typing import Any

from govmail.register.extract.quality import needs_ocr
from govmail.register.extract.sniff import sniff
from govmail.register.extract.types import DEFAULT_LIMITS, Extraction, Limits, Page

__all__ = ["DEFAULT_LIMITS", "Extraction", "Limits", "Page", "extract", "needs_ocr", "sniff"]


def __getattr__(name: str) -> Any:
    # The readers load pdfium, Pillow and the office libraries: only the processes that extract
    # pay for them, not every one that files a document or runs a command.
    if name == "extract":
        from govmail.register.extract.dispatch import extract

        return extract
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
