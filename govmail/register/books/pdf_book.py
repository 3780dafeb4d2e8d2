"""A register book as a printable A4 landscape PDF: the Appendix IV cover, then the ruled table."""

from __future__ import annotations

import functools
import io
from collections.abc import Iterator
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepInFrame,
    LongTable,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
)
from reportlab.platypus.flowables import HRFlowable

from govmail.register.books.model import (
    Cover,
    Rows,
    cell_text,
    cells,
    check_rows,
    clean,
    columns,
    cover_lines,
    title,
)

FONT_DIR = Path("/usr/share/fonts/truetype/liberation2")
REGULAR = "LiberationSerif"
BOLD = "LiberationSerif-Bold"
FONT_FILES = {REGULAR: "LiberationSerif-Regular.ttf", BOLD: "LiberationSerif-Bold.ttf"}

PAGE = landscape(A4)
MARGIN = 15 * mm
FOOTER = 10 * mm
# Relative column widths; the summary gets the most room, signatures and notes the least.
WEIGHTS = {
    "incoming": (21, 14, 35, 28, 21, 63, 30, 21, 16, 18),
    "outgoing": (28, 21, 60, 30, 32, 25, 16, 21, 16, 18),
}
# Columns holding a date or a count: centred, and short enough never to need wrapping.
CENTRED_COLUMNS = {"incoming": (0, 1, 4, 7), "outgoing": (1, 6, 7)}
BODY_SIZE = 10
LEADING = 12
PADDING = 3

_HEADING = ParagraphStyle(
    "register heading", fontName=BOLD, fontSize=BODY_SIZE, leading=LEADING, alignment=TA_CENTER
)
_COVER_AGENCY = ParagraphStyle(
    "register cover agency", fontName=REGULAR, fontSize=13, leading=16, alignment=TA_CENTER
)
_COVER_AGENCY_BOLD = ParagraphStyle(
    "register cover agency bold", parent=_COVER_AGENCY, fontName=BOLD
)
_COVER_TITLE = ParagraphStyle(
    "register cover title", fontName=BOLD, fontSize=28, leading=34, alignment=TA_CENTER
)
_COVER_YEAR = ParagraphStyle(
    "register cover year", fontName=BOLD, fontSize=18, leading=22, alignment=TA_CENTER
)
_COVER_LINE = ParagraphStyle(
    "register cover line", fontName=REGULAR, fontSize=14, leading=24, alignment=TA_CENTER
)


class FontMissingError(RuntimeError):
    """Liberation Serif, which the register PDF embeds, is not installed."""


def export_pdf(cover: Cover, rows: Rows) -> bytes:
    """Page 1 the cover; then the table, its headings and column numbers repeated on every page."""
    check_rows(cover, rows)
    _register_fonts(FONT_DIR)
    out = io.BytesIO()
    document = _document(out, cover)
    document.build(
        [*_cover_page(cover), NextPageTemplate("table"), PageBreak(), _table(cover, rows)]
    )
    return out.getvalue()


def _register_fonts(directory: Path) -> None:
    paths = {name: directory / file for name, file in FONT_FILES.items()}
    missing = [str(path) for path in paths.values() if not path.is_file()]
    if missing:
        raise FontMissingError(
            f"the register PDF needs Liberation Serif, but {', '.join(missing)} is missing:"
            " install the Debian package fonts-liberation2"
        )
    registered = set(pdfmetrics.getRegisteredFontNames())
    for name, path in paths.items():
        if name not in registered:
            pdfmetrics.registerFont(TTFont(name, str(path)))


def _document(out: io.BytesIO, cover: Cover) -> BaseDocTemplate:
    document = BaseDocTemplate(
        out,
        pagesize=PAGE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + FOOTER,
        title=f"{title(cover).capitalize()} năm {cover.year}",
        author=clean(cover.agency),
        initialFontName=REGULAR,  # else every page names Helvetica, a font that is not embedded
    )
    cover_frame = _frame(MARGIN, MARGIN, PAGE[1] - 2 * MARGIN, "cover")
    table_frame = _frame(MARGIN, MARGIN + FOOTER, document.height, "table")
    document.addPageTemplates(
        [
            PageTemplate(id="cover", frames=[cover_frame]),
            PageTemplate(id="table", frames=[table_frame], onPage=_page_number),
        ]
    )
    return document


def _frame(x: float, y: float, height: float, name: str) -> Frame:
    # No frame padding: the margins alone decide where the table's full width goes.
    return Frame(x, y, PAGE[0] - 2 * MARGIN, height, 0, 0, 0, 0, id=name)


def _page_number(canvas: Canvas, document: BaseDocTemplate) -> None:
    canvas.saveState()
    canvas.setFont(REGULAR, BODY_SIZE)
    canvas.drawCentredString(PAGE[0] / 2, MARGIN, f"Trang {document.page}")
    canvas.restoreState()


def _cover_page(cover: Cover) -> list[Flowable]:
    year, dates, numbers, volume = cover_lines(cover)
    parent = clean(cover.parent_agency).upper()
    content: list[Flowable] = [
        *([_paragraph(parent, _COVER_AGENCY)] if parent else []),
        _paragraph(clean(cover.agency).upper(), _COVER_AGENCY_BOLD),
        HRFlowable(width="20%", thickness=0.75, color=colors.black, spaceBefore=2, spaceAfter=0),
        Spacer(0, 40 * mm),
        _paragraph(title(cover), _COVER_TITLE),
        Spacer(0, 6 * mm),
        _paragraph(year, _COVER_YEAR),
        Spacer(0, 30 * mm),
        *(_paragraph(line, _COVER_LINE) for line in (dates, numbers, volume)),
    ]
    # Very long agency names shrink the cover rather than spill it onto a second page.
    return [KeepInFrame(PAGE[0] - 2 * MARGIN, PAGE[1] - 2 * MARGIN, content, mode="shrink")]


def _table(cover: Cover, rows: Rows) -> LongTable:
    weights = WEIGHTS[cover.book]
    widths = [(PAGE[0] - 2 * MARGIN) * weight / sum(weights) for weight in weights]
    text_widths = [width - 2 * PADDING for width in widths]
    centred = CENTRED_COLUMNS[cover.book]
    data: list[list[Flowable | str]] = [
        [_paragraph(heading, _HEADING) for heading in columns(cover)],
        [str(number) for number in range(1, len(weights) + 1)],
        *(
            [
                _wrap(cell_text(value), width)
                for value, width in zip(cells(row), text_widths, strict=True)
            ]
            for row in rows
        ),
    ]
    style = [
        ("FONT", (0, 0), (-1, -1), REGULAR, BODY_SIZE, LEADING),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        # A row split across pages keeps its closing rule at the foot of the first page.
        ("LINEBELOW", (0, "inrowsplitstart"), (-1, "inrowsplitstart"), 0.5, colors.black),
        ("LEFTPADDING", (0, 0), (-1, -1), PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), PADDING),
        ("VALIGN", (0, 0), (-1, 1), "MIDDLE"),
        ("VALIGN", (0, 2), (-1, -1), "TOP"),
        ("ALIGN", (0, 1), (-1, 1), "CENTER"),
        *(("ALIGN", (column, 2), (column, -1), "CENTER") for column in centred),
    ]
    return LongTable(data, colWidths=widths, repeatRows=2, splitInRow=1, style=style)


def _wrap(text: str, width: float) -> str:
    """*text* broken into lines that fit *width* points.

    Body cells are plain strings wrapped here rather than Paragraphs: a Paragraph is parsed as
    markup and re-measured at every layout pass, which makes a 5,000-row book several times slower.
    """
    return "\n".join(line for part in text.split("\n") for line in _wrap_part(part, width))


def _wrap_part(text: str, width: float) -> list[str]:
    lines: list[str] = []
    words: list[str] = []
    used = 0.0
    for word in _fitting_pieces(text.split(), width):
        word_width = _width(word)
        if words and used + _width(" ") + word_width > width:
            lines.append(" ".join(words))
            words, used = [], 0.0
        used += word_width + (_width(" ") if words else 0.0)
        words.append(word)
    lines.append(" ".join(words))
    return lines


def _fitting_pieces(words: list[str], width: float) -> Iterator[str]:
    # A word wider than its column (a long notation, a URL) is cut where it reaches the edge.
    for word in words:
        if _width(word) <= width:
            yield word
            continue
        piece, used = "", 0.0
        for char in word:
            if piece and used + _width(char) > width:
                yield piece
                piece, used = "", 0.0
            piece += char
            used += _width(char)
        yield piece


@functools.lru_cache(maxsize=1 << 16)
def _width(text: str) -> float:
    # Vietnamese words are single syllables and repeat endlessly: measuring each once pays.
    return pdfmetrics.stringWidth(text, REGULAR, BODY_SIZE)


def _paragraph(text: str, style: ParagraphStyle) -> Paragraph:
    # Paragraph reads its text as markup: an "&" or "<" in an agency's name must stay literal.
    return Paragraph(escape(text).replace("\n", "<br/>"), style)
