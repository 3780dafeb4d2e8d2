"""HTML: the text a browser would show, with a line break wherever a block ends."""

from __future__ import annotations

import codecs
import re
from html.parser import HTMLParser

from govmail.register.extract.normalise import clean
from govmail.register.extract.outcome import conclude
from govmail.register.extract.plaintext import decode_text
from govmail.register.extract.types import Extraction, Limits, Page

# Only elements whose content the parser takes as raw text: an unclosed <head> or <noscript>,
# common in old pages, must not hide the rest of the page.
_INVISIBLE = frozenset({"script", "style"})
_BLOCKS = frozenset(
    {
        "address", "article", "aside", "blockquote", "br", "caption", "dd", "div", "dl", "dt",
        "fieldset", "figcaption", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
        "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "tr", "ul",
    }
)  # fmt: skip
_CELLS = frozenset({"td", "th"})
_SPACE = re.compile(r"[ \t\r\n\f]+")
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0
        self.title: list[str] = []
        self.in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self.in_title = True
        elif tag in _INVISIBLE:
            self.hidden += 1
        elif tag in _BLOCKS:
            self.parts.append("\n")
        elif tag in _CELLS:
            self.parts.append("\t")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        elif tag in _INVISIBLE:
            self.hidden = max(0, self.hidden - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title.append(data)
        elif not self.hidden:
            self.parts.append(_SPACE.sub(" ", data))


def html_text(data: bytes) -> str:
    collector = _TextCollector()
    collector.feed(decode_text(data, _declared_charset(data)))
    collector.close()
    title = _SPACE.sub(" ", "".join(collector.title)).strip()
    # Each cell opens with a tab: the one before a row's first cell separates nothing.
    lines = (line.strip(" \t") for line in "".join(collector.parts).split("\n"))
    # Block ends nest (a cell's end, its row's, its table's): one line break stands for them all.
    body = "\n".join(line for line in lines if line)
    # Character references may spell out decomposed letters: NFC once more, after unescaping.
    return clean(f"{title}\n\n{body}" if title else body)


def _declared_charset(data: bytes) -> str | None:
    """The charset a <meta> tag names near the top, if Python knows it."""
    match = _CHARSET.search(data[:4096])
    if match is None:
        return None
    name = match.group(1).decode("ascii")
    try:
        canonical = codecs.lookup(name).name
    except LookupError:
        return None
    # A page that could state its charset in ASCII is not UTF-16: browsers read it as UTF-8.
    return None if canonical.startswith(("utf-16", "utf-32")) else canonical


def extract_html(data: bytes, kind: str, limits: Limits, ocr: bool) -> Extraction:
    return conclude(kind, [Page(1, html_text(data), "plain", None)], [])
