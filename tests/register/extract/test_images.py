"""Images: OCR of every frame, and refusal of decompression bombs before they are decoded."""

from __future__ import annotations

import pytest
from PIL import Image

from govmail.register.extract import Extraction, Limits, extract
from tests.register.extract.builders import fold, image_bytes, png_claiming, text_image

LINES = ["Số: 12/QĐ-UBND", "Quyết định phê duyệt kế hoạch năm 2013"]


@pytest.fixture(scope="module")
def png_result() -> Extraction:
    return extract(image_bytes(text_image(LINES), "PNG", dpi=(300, 300)), filename="scan.png")


def test_png_is_read_by_ocr(png_result):
    assert (png_result.kind, png_result.status, png_result.reason) == ("image/png", "ok", None)
    [page] = png_result.pages
    assert (page.number, page.method) == (1, "ocr")
    assert page.confidence is not None and page.confidence > 50
    assert "12/QĐ-UBND" in page.text
    assert fold(LINES[1]) in fold(page.text)


def test_every_tiff_frame_is_a_page():
    frames = [text_image(["Trang một: báo cáo"]), text_image(["Trang hai: kế hoạch"])]
    data = image_bytes(frames[0], "TIFF", save_all=True, append_images=frames[1:])
    result = extract(data)
    assert (result.kind, result.status) == ("image/tiff", "ok")
    assert [(page.number, page.method) for page in result.pages] == [(1, "ocr"), (2, "ocr")]
    assert "bao cao" in fold(result.pages[0].text)
    assert "ke hoach" in fold(result.pages[1].text)


def test_transparent_background_is_read_as_white():
    data = image_bytes(text_image(["Giấy mời họp"], mode="RGBA"), "PNG")
    result = extract(data)
    assert result.status == "ok"
    assert "giay moi hop" in fold(result.text)


def test_a_png_header_claiming_ten_gigapixels_is_refused():
    result = extract(png_claiming(100_000, 100_000))
    assert (result.kind, result.status) == ("image/png", "failed")
    assert result.reason.startswith("image too large")


def test_images_over_max_pixels_are_refused_before_decoding():
    # 80 megapixels: under Pillow's own refusal, over the default limit.
    result = extract(png_claiming(20_000, 4_000))
    assert result.status == "failed"
    assert result.reason == "image too large: 20000×4000 pixels, over the limit of 60000000"


def test_max_pixels_is_configurable():
    data = image_bytes(Image.new("L", (400, 300), "white"), "PNG")
    result = extract(data, limits=Limits(max_pixels=100_000))
    assert result.reason == "image too large: 400×300 pixels, over the limit of 100000"


def test_truncated_image_fails():
    data = image_bytes(text_image(LINES), "PNG")
    result = extract(data[: len(data) // 2])
    assert (result.status, result.kind) == ("failed", "image/png")
    assert result.reason.startswith("corrupt image")


def test_images_without_ocr_fail_and_say_why():
    result = extract(image_bytes(text_image(LINES), "JPEG"), ocr=False)
    assert (result.kind, result.status, result.reason) == ("image/jpeg", "failed", "OCR disabled")
