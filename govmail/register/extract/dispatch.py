"""extract(): sniff the bytes, hand them to the reader for their kind, never raise."""

from __future__ import annotations

from collections.abc import Callable

from govmail.register.extract.images import PIL_FORMATS, extract_image
from govmail.register.extract.markup import extract_html
from govmail.register.extract.odf import extract_odf
from govmail.register.extract.office import extract_docx, extract_xlsx
from govmail.register.extract.outcome import cap_text, failed
from govmail.register.extract.pdf import extract_pdf
from govmail.register.extract.plaintext import extract_plain
from govmail.register.extract.sniff import BINARY, DOCX, HTML, ODS, ODT, PDF, XLSX, sniff
from govmail.register.extract.types import DEFAULT_LIMITS, Extraction, Limits

Reader = Callable[[bytes, str, Limits, bool], Extraction]

READERS: dict[str, Reader] = {
    PDF: extract_pdf,
    DOCX: extract_docx,
    XLSX: extract_xlsx,
    ODT: extract_odf,
    ODS: extract_odf,
    HTML: extract_html,
    **dict.fromkeys(PIL_FORMATS, extract_image),
}


def extract(
    data: bytes,
    *,
    declared: str | None = None,
    filename: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    ocr: bool = True,
) -> Extraction:
    """The text of a document, page by page; every failure is a status and a reason, not raised.

    *declared* (the sender's content type) and *filename* only break ties the bytes leave open.
    With *ocr* false, pages that only OCR could read are reported, not read.
    """
    if not data:
        return failed(BINARY, "empty file")
    kind = sniff(data, declared, filename)
    reader = READERS.get(kind) or (extract_plain if kind.startswith("text/") else None)
    if reader is None:
        return Extraction(kind, (), "unsupported", f"unsupported type {kind}")
    try:
        result = reader(data, kind, limits, ocr)
    except Exception as error:  # hostile files reach code paths no library documents
        return failed(kind, f"cannot read {kind}: {type(error).__name__}: {error}"[:300])
    return cap_text(result, limits.max_text)
