"""Reading the text of an image with tesseract: one subprocess per page, bounded in time."""

from __future__ import annotations

import io
import os
import re
import subprocess
from dataclasses import dataclass

from PIL import Image, ImageFilter

from govmail.register.extract.normalise import clean
from govmail.register.extract.types import Limits

TESSERACT = "tesseract"
# Below this the strokes of small print are a pixel or two wide and a median filter erases them.
DESPECKLE_MIN_DPI = 200
_LANGUAGE = re.compile(r"[A-Za-z0-9_]+(\+[A-Za-z0-9_]+)*")
_TSV_FIELDS = 12


class OcrError(Exception):
    """Tesseract could not read the image; the message says why, for the document's reason."""


@dataclass(frozen=True)
class OcrText:
    text: str
    confidence: float


def recognise(image: Image.Image, limits: Limits, dpi: int | None = None) -> OcrText:
    """The text of *image* with tesseract's mean word confidence (0 when it found no words).

    *dpi* is the image's resolution when known; it lets tesseract size its expectations and
    decides whether scanner speckle is filtered out first.
    """
    if not _LANGUAGE.fullmatch(limits.ocr_language):
        raise OcrError(f"invalid OCR language {limits.ocr_language!r}")
    grey = _greyscale(image)
    if dpi is not None and dpi >= DESPECKLE_MIN_DPI:
        # Speckle on old commune scans becomes stray accents and broken digits in the number line.
        grey = grey.filter(ImageFilter.MedianFilter(3))
    buffer = io.BytesIO()
    # Uncompressed PGM: PNG would spend half a second per page compressing it for tesseract.
    grey.save(buffer, format="PPM")
    argv = [TESSERACT, "-", "stdout", "-l", limits.ocr_language, "--psm", "3"]
    if dpi is not None:
        argv += ["--dpi", str(dpi)]
    argv.append("tsv")
    return parse_tsv(_run(argv, buffer.getvalue(), limits.ocr_timeout))


def _greyscale(image: Image.Image) -> Image.Image:
    """Grey on white: transparent areas would otherwise turn black and hide dark text."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("L")
    return image.convert("L")


def _run(argv: list[str], stdin: bytes, timeout: float) -> str:
    # Each worker of the pool already has a core: tesseract's OpenMP threads only oversubscribe
    # them, and a page takes longer than with one thread.
    env = {**os.environ, "OMP_THREAD_LIMIT": os.environ.get("OMP_THREAD_LIMIT", "1")}
    try:
        completed = subprocess.run(
            argv, input=stdin, capture_output=True, timeout=timeout, env=env, check=False
        )
    except FileNotFoundError:
        raise OcrError("tesseract is not installed") from None
    except subprocess.TimeoutExpired:
        raise OcrError(f"tesseract timed out after {timeout:g} s") from None
    except OSError as error:
        raise OcrError(f"tesseract could not be started: {error}") from None
    if completed.returncode != 0:
        lines = completed.stderr.decode("utf-8", "replace").strip().splitlines()
        last = lines[-1] if lines else "no message"
        raise OcrError(f"tesseract exited with status {completed.returncode}: {last}"[:300])
    return completed.stdout.decode("utf-8", "replace")


def parse_tsv(tsv: str) -> OcrText:
    """Text rebuilt from tesseract's word rows: lines kept, a blank line between paragraphs."""
    out: list[str] = []
    confidences: list[float] = []
    previous: tuple[str, str, str] | None = None
    for row in tsv.splitlines()[1:]:
        fields = row.split("\t")
        if len(fields) != _TSV_FIELDS or fields[0] != "5":
            continue
        word = fields[11].strip()
        if not word:
            continue
        position = (fields[2], fields[3], fields[4])
        if previous is not None:
            out.append(_separator(previous, position))
        out.append(word)
        previous = position
        try:
            confidence = float(fields[10])
        except ValueError:
            continue
        if confidence >= 0:
            confidences.append(confidence)
    mean = sum(confidences) / len(confidences) if confidences else 0.0
    return OcrText(clean("".join(out)), round(mean, 2))


def _separator(previous: tuple[str, str, str], current: tuple[str, str, str]) -> str:
    """What goes between two words at (block, paragraph, line) positions."""
    if previous[:2] != current[:2]:
        return "\n\n"
    return "\n" if previous[2] != current[2] else " "
