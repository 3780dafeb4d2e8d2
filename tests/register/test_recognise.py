"""Recognition of document metadata from the corpus in every form it arrives in: PDF text layer,
DOCX, pdftotext layout, and scans read by tesseract (despeckled, raw, and through extract()).

texts/*-scan.raw-ocr.txt are tesseract 5.3's reading of the scans without despeckling, made as
`pdftoppm -r 300 -gray -png SCAN x && tesseract x-1.png - -l vie`, kept so that the hardest OCR
text is tested on every machine and without its cost."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import docx
import pypdfium2
import pytest
from docx.table import Table
from docx.text.paragraph import Paragraph
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageFilter

from govmail.register.extract import extract
from govmail.register.notation import find_notations
from govmail.register.recognise import FIELDS, Field, Recognised, recognise

DOCUMENTS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "documents"
TEXTS = Path(__file__).resolve().parent / "texts"

# What each corpus document prints, read off the documents with pdftotext; None: not printed.
PRINTED: dict[str, dict[str, str | None]] = {
    "chi-thi-11-CT-UBND": {
        "number": "11/CT-UBND",
        "type": "Chỉ thị",
        "date": "2012-06-05",
        "place": "Sông Lam",
        "issuer": "ỦY BAN NHÂN DÂN TỈNH SÔNG LAM",
        "parent_issuer": None,
        "summary": "Về việc tăng cường sử dụng văn bản điện tử trong hoạt động của các cơ "
        "quan nhà nước",
        "signer": "Nguyễn Văn An",
        "signer_title": "CHỦ TỊCH",
        "authority": "TM.",
        "urgency": None,
        "confidentiality": None,
        "recipients": None,
    },
    "cong-van-125-UBND-VP": {
        "number": "125/UBND-VP",
        "type": "Công văn",
        "date": "2012-10-03",
        "place": "Tân Phú",
        "issuer": "ỦY BAN NHÂN DÂN HUYỆN TÂN PHÚ",
        "parent_issuer": None,
        "summary": "V/v số hóa văn bản, tài liệu lưu trữ phục vụ tra cứu qua mạng",
        "signer": "Lê Đức Cường",
        "signer_title": "CHÁNH VĂN PHÒNG",
        "authority": "TL.",
        "urgency": "Khẩn",
        "confidentiality": None,
        "recipients": "Ủy ban nhân dân các xã, thị trấn",
    },
    "bao-cao-07-BC-UBND": {
        "number": "07/BC-UBND",
        "type": "Báo cáo",
        "date": "2012-11-26",
        "place": "Tân Phú",
        "issuer": "ỦY BAN NHÂN DÂN XÃ TÂN PHÚ",
        "parent_issuer": None,
        "summary": "Tình hình sử dụng hộp thư điện tử công vụ tại xã Tân Phú",
        "signer": "Phạm Văn Đông",
        "signer_title": "CHỦ TỊCH",
        "authority": "TM.",
        "urgency": None,
        "confidentiality": None,
        "recipients": None,
    },
    "giay-moi-45-GM-STTTT": {
        "number": "45/GM-STTTT",
        "type": "Giấy mời",
        "date": "2012-09-12",
        "place": "Sông Lam",
        "issuer": "SỞ THÔNG TIN VÀ TRUYỀN THÔNG",
        "parent_issuer": "UBND TỈNH SÔNG LAM",
        "summary": "Họp triển khai hệ thống thư điện tử công vụ đến cấp xã",
        "signer": "Trần Thị Bình",
        "signer_title": "PHÓ GIÁM ĐỐC",
        "authority": "KT.",
        "urgency": None,
        "confidentiality": None,
        "recipients": None,
    },
}

PDFS = sorted(PRINTED)
DOCXS = sorted(path.stem for path in DOCUMENTS.glob("*.docx"))
SCANS = sorted(path.stem.removesuffix("-scan") for path in DOCUMENTS.glob("*-scan.pdf"))

# What tesseract loses on the raw, speckled 300 dpi renders, so that no recogniser can read it;
# the despeckled renders (what extract() feeds tesseract) keep all of it.
LOST_WITHOUT_DESPECKLE = {
    "bao-cao-07-BC-UBND": {"summary", "place"},  # "hộp" read as "nạp:", "Tân Phú" as "TÊn Phá"
    "chi-thi-11-CT-UBND": {"summary", "authority"},  # "Về kca tặng cường ... các Cơ."; TM. gone
    # The KHẨN mark comes out as "LÍ `", "mạng" as "=..", "TL." merges into "E2".
    "cong-van-125-UBND-VP": {"summary", "urgency", "authority"},
}


def values(recognised: Recognised) -> dict[str, str | None]:
    return {name: recognised.get(name) for name in FIELDS}


# --- the texts ------------------------------------------------------------------------------


def layer_text(path: Path) -> str:
    document = pypdfium2.PdfDocument(path)
    try:
        return "\n\f\n".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


def docx_text(path: Path) -> str:
    """Paragraphs and table cells in document order, each cell's lines as lines."""
    document = docx.Document(str(path))
    lines: list[str] = []
    for element in document.element.body.iterchildren():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(Paragraph(element, document).text)
        elif tag == "tbl":
            for row in Table(element, document).rows:
                lines.extend(cell.text for cell in row.cells)
    return "\n".join(lines)


def layout_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def tesseract(image: Path) -> str:
    # One thread each: the pages are read in parallel, and OpenMP threads would only contend.
    return subprocess.run(
        ["tesseract", str(image), "-", "-l", "vie"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "OMP_THREAD_LIMIT": "1"},
    ).stdout


def ocr_scan(slug: str, workdir: Path) -> str:
    """pdftoppm -r 300 grey renders, despeckled as extract() does, one tesseract run a page."""
    prefix = workdir / slug
    scan = DOCUMENTS / f"{slug}-scan.pdf"
    # PGM rather than PNG: the same pixels, without seconds of compression per page.
    subprocess.run(["pdftoppm", "-r", "300", "-gray", scan, prefix], check=True)
    pages = sorted(workdir.glob(f"{slug}-*.pgm"))
    for page in pages:
        Image.open(page).filter(ImageFilter.MedianFilter(3)).save(page)
    return "\n\f\n".join(tesseract(page) for page in pages)


def extracted_text(path: Path) -> str:
    result = extract(path.read_bytes(), filename=path.name)
    assert result.status == "ok", result.reason
    return result.text


@pytest.fixture(scope="session")
def scan_texts(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], str]:
    """Every scan read by tesseract directly and through extract(), in parallel: OCR takes
    several seconds a page."""
    if not (shutil.which("tesseract") and shutil.which("pdftoppm")):
        pytest.skip("tesseract and pdftoppm are needed to read the scans")
    workdir = tmp_path_factory.mktemp("ocr")
    jobs = {}
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        for slug in SCANS:
            jobs[slug, "despeckled"] = pool.submit(ocr_scan, slug, workdir)
            jobs[slug, "extract"] = pool.submit(extracted_text, DOCUMENTS / f"{slug}-scan.pdf")
        return {key: job.result() for key, job in jobs.items()}


# --- the corpus, form by form ----------------------------------------------------------------


def test_the_corpus_is_what_the_table_describes():
    assert SCANS == ["bao-cao-07-BC-UBND", "chi-thi-11-CT-UBND", "cong-van-125-UBND-VP"]
    assert DOCXS == ["bao-cao-07-BC-UBND", "giay-moi-45-GM-STTTT"]
    assert {path.stem.removesuffix("-scan") for path in DOCUMENTS.iterdir()} == set(PRINTED)


@pytest.mark.parametrize("slug", PDFS)
def test_pdf_text_layer(slug):
    assert values(recognise(layer_text(DOCUMENTS / f"{slug}.pdf"))) == PRINTED[slug]


@pytest.mark.parametrize("slug", DOCXS)
def test_docx(slug):
    assert values(recognise(docx_text(DOCUMENTS / f"{slug}.docx"))) == PRINTED[slug]


@pytest.mark.parametrize("slug", PDFS)
def test_pdftotext_layout(slug):
    """Columns side by side on one line: the motto beside the agency, title beside recipients."""
    assert values(recognise(layout_text(DOCUMENTS / f"{slug}.pdf"))) == PRINTED[slug]


@pytest.mark.parametrize("slug", SCANS)
def test_scan_despeckled_ocr(scan_texts, slug):
    assert values(recognise(scan_texts[slug, "despeckled"])) == PRINTED[slug]


@pytest.mark.parametrize("slug", SCANS)
def test_scan_through_extract(scan_texts, slug):
    assert values(recognise(scan_texts[slug, "extract"])) == PRINTED[slug]


@pytest.mark.parametrize("slug", [*PDFS, *(f"{slug}.docx" for slug in DOCXS)])
def test_text_forms_through_extract(slug):
    path = DOCUMENTS / (slug if slug.endswith(".docx") else f"{slug}.pdf")
    assert values(recognise(extracted_text(path))) == PRINTED[path.stem]


@pytest.mark.parametrize("slug", SCANS)
def test_scan_raw_ocr(slug):
    """Without despeckling, tesseract runs words together and misreads letters: the number,
    type, date, issuer ("ỦY BANNHÂNDÂN" / "ẨÖXÃTÂNPHÚ") and signer ("VănĐông") still come out;
    what the OCR text no longer holds is listed in LOST_WITHOUT_DESPECKLE."""
    found = values(recognise((TEXTS / f"{slug}-scan.raw-ocr.txt").read_text(encoding="utf-8")))
    kept = [name for name in FIELDS if name not in LOST_WITHOUT_DESPECKLE[slug]]
    assert {name: found[name] for name in kept} == {name: PRINTED[slug][name] for name in kept}
    assert found["urgency"] in (PRINTED[slug]["urgency"], None)  # lost, never invented


@pytest.mark.parametrize("slug", PDFS)
def test_confidences_on_clean_text(slug):
    recognised = recognise(layer_text(DOCUMENTS / f"{slug}.pdf"))
    assert all(0.75 <= field.confidence <= 1 for field in recognised.fields.values())
    assert recognised.fields["number"].confidence >= 0.9
    assert recognised.fields["type"].confidence >= 0.9


# --- number and type -------------------------------------------------------------------------

# The document each corpus document cites in its first sentence.
CITED = {
    "bao-cao-07-BC-UBND": "125/UBND-VP",
    "cong-van-125-UBND-VP": "11/CT-UBND",
    "giay-moi-45-GM-STTTT": "11/CT-UBND",
}


@pytest.mark.parametrize("slug", sorted(CITED))
def test_a_cited_number_is_found_in_the_body_but_not_taken_as_the_number(slug):
    text = layer_text(DOCUMENTS / f"{slug}.pdf")
    assert CITED[slug] in [notation.printed for notation in find_notations(text)]
    assert recognise(text).get("number") == PRINTED[slug]["number"]
    # Without its header the document has no number, not the one it cites.
    lines = text.splitlines()
    headless = "\n".join(lines[[line.startswith("Số:") for line in lines].index(True) + 1 :])
    assert recognise(headless).get("number") is None


CONG_VAN = """\
ỦY BAN NHÂN DÂN
HUYỆN TÂN PHÚ
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Số: {number}/UBND-VP Tân Phú, ngày 3 tháng 10 năm 2012
V/v triển khai hộp thư điện tử
{mark}
Kính gửi:
- Sở Nội vụ;
- Sở Tài chính.
Thực hiện Chỉ thị số 11/CT-UBND ngày 05/6/2012 của Chủ tịch Ủy ban nhân dân tỉnh và
Quyết định số 215/QĐ-UBND, Ủy ban nhân dân huyện đề nghị các đơn vị khẩn trương thực hiện.
Nơi nhận:
- Như trên;
- Lưu: VT.
CHỦ TỊCH
Hoàng Văn Nam
"""


def cong_van(number: str = "12", mark: str = "") -> Recognised:
    return recognise(CONG_VAN.format(number=number, mark=mark))


def test_cong_van_is_recognised_by_its_v_v_line():
    recognised = cong_van()
    assert recognised.get("type") == "Công văn"
    assert recognised.fields["type"].confidence >= 0.9
    assert recognised.get("summary") == "V/v triển khai hộp thư điện tử"
    assert recognised.get("number") == "12/UBND-VP"
    assert recognised.get("date") == "2012-10-03"  # day without its zero


def test_summary_wrapped_before_a_cited_number():
    text = CONG_VAN.format(number="12", mark="").replace(
        "V/v triển khai hộp thư điện tử\n",
        "V/v triển khai Kế hoạch số\n45/KH-UBND ngày 12 tháng 9 năm\n2012 của UBND tỉnh\n",
    )
    assert cong_van().get("summary") == "V/v triển khai hộp thư điện tử"
    assert recognise(text).get("summary") == (
        "V/v triển khai Kế hoạch số 45/KH-UBND ngày 12 tháng 9 năm 2012 của UBND tỉnh"
    )
    assert recognise(text).get("number") == "12/UBND-VP"


def test_numbers_cited_in_the_body_are_not_the_documents_number():
    assert cong_van(number="").get("number") is None
    assert "number" not in cong_van(number="    ").fields


def test_a_document_without_a_number_line_has_no_number():
    text = CONG_VAN.format(number="12", mark="").replace("Số: 12/UBND-VP ", "")
    recognised = recognise(text)
    assert recognised.get("number") is None
    assert recognised.get("date") == "2012-10-03"


def test_title_and_notation_agreeing_raise_the_type_confidence():
    text = "UBND TỈNH SÔNG LAM\nSố: 3/{abbr}-UBND Sông Lam, ngày 1 tháng 2 năm 2020\nKẾ HOẠCH\n"
    agreeing = recognise(text.format(abbr="KH")).fields["type"]
    disagreeing = recognise(text.format(abbr="BC")).fields["type"]
    assert agreeing.value == disagreeing.value == "Kế hoạch"
    assert agreeing.confidence > disagreeing.confidence


def test_without_title_the_type_comes_from_the_notation():
    recognised = recognise("SỞ Y TẾ\nSố: 3/TB-SYT Sông Lam, ngày 1 tháng 2 năm 2020\n")
    assert recognised.get("type") == "Thông báo"
    assert recognised.fields["type"].confidence < 0.9


# --- urgency and confidentiality -------------------------------------------------------------


@pytest.mark.parametrize(
    ("mark", "field", "value"),
    [
        ("KHẨN", "urgency", "Khẩn"),
        ("THƯỢNG KHẨN", "urgency", "Thượng khẩn"),
        ("HỎA TỐC", "urgency", "Hỏa tốc"),
        ("HOẢ TỐC", "urgency", "Hỏa tốc"),
        ("MẬT", "confidentiality", "Mật"),
        ("TỐI MẬT", "confidentiality", "Tối mật"),
        ("TUYỆT MẬT", "confidentiality", "Tuyệt mật"),
    ],
)
def test_marks(mark, field, value):
    recognised = cong_van(mark=mark)
    assert recognised.get(field) == value
    other = "confidentiality" if field == "urgency" else "urgency"
    assert recognised.get(other) is None
    assert recognised.get("summary") == "V/v triển khai hộp thư điện tử"


def test_khan_in_running_text_is_no_mark():
    recognised = cong_van()  # the body says "khẩn trương"
    assert recognised.get("urgency") is None
    assert recognised.get("confidentiality") is None


def test_both_marks():
    recognised = cong_van(mark="HỎA TỐC\nTUYỆT MẬT")
    assert (recognised.get("urgency"), recognised.get("confidentiality")) == (
        "Hỏa tốc",
        "Tuyệt mật",
    )


def test_recipients_listed_under_kinh_gui():
    assert cong_van().get("recipients") == "Sở Nội vụ; Sở Tài chính"


# --- header and signature shapes -------------------------------------------------------------

DECISION = """\
ỦY BAN NHÂN DÂN\tCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
TỈNH SÔNG LAM\tĐộc lập - Tự do - Hạnh phúc
Số: 215/QĐ-UBND\tSông Lam, ngày 5 tháng 1 năm 2020
QUYẾT ĐỊNH
Về việc ban hành Quy chế quản lý
và sử dụng hộp thư điện tử công vụ
CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH SÔNG LAM
Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;
QUYẾT ĐỊNH:
Điều 1. Ban hành kèm theo Quyết định này Quy chế quản lý hộp thư điện tử.
Nơi nhận:
- Như Điều 3;
- Lưu: VT.
TM. ỦY BAN NHÂN DÂN
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH
Đỗ Thị Hoa
"""


def test_decision_with_table_cells_joined_by_tabs():
    assert {name: field.value for name, field in recognise(DECISION).fields.items()} == {
        "number": "215/QĐ-UBND",
        "type": "Quyết định",
        "date": "2020-01-05",
        "place": "Sông Lam",
        "issuer": "ỦY BAN NHÂN DÂN TỈNH SÔNG LAM",
        "summary": "Về việc ban hành Quy chế quản lý và sử dụng hộp thư điện tử công vụ",
        "signer": "Đỗ Thị Hoa",
        "signer_title": "PHÓ CHỦ TỊCH",
        "authority": "TM. KT.",
    }


def test_signature_without_authority():
    recognised = cong_van()
    assert (recognised.get("signer"), recognised.get("signer_title")) == (
        "Hoàng Văn Nam",
        "CHỦ TỊCH",
    )
    assert recognised.get("authority") is None


def test_authority_line_as_the_only_title():
    recognised = recognise("Nơi nhận:\n- Lưu: VT.\nKT. GIÁM ĐỐC\n\n\nNgô Minh Tuấn\n")
    assert recognised.get("authority") == "KT."
    assert recognised.get("signer_title") == "KT. GIÁM ĐỐC"
    assert recognised.get("signer") == "Ngô Minh Tuấn"


def test_parent_agency_above_the_agency():
    text = "UBND HUYỆN TÂN PHÚ\nVĂN PHÒNG\nSố: 4/TB-VP Tân Phú, ngày 2 tháng 3 năm 2021\n"
    recognised = recognise(text)
    assert recognised.get("parent_issuer") == "UBND HUYỆN TÂN PHÚ"
    assert recognised.get("issuer") == "VĂN PHÒNG"


def test_an_impossible_date_is_not_a_date():
    recognised = recognise("SỞ Y TẾ\nSố: 3/TB-SYT Sông Lam, ngày 31 tháng 2 năm 2020\n")
    assert recognised.get("date") is None
    assert recognised.get("number") == "03/TB-SYT"


def test_empty_and_unrelated_texts_recognise_nothing():
    assert recognise("").fields == {}
    assert recognise("Chào anh,\nem gửi tài liệu họp chiều nay.\n").fields == {}


def test_recognised_get():
    recognised = Recognised({"number": Field("11/CT-UBND", 0.9)})
    assert recognised.get("number") == "11/CT-UBND"
    assert recognised.get("signer") is None


# --- hostile and arbitrary input -------------------------------------------------------------

MB5 = 5 * 2**20


@pytest.mark.parametrize(
    "text",
    [
        "a" * MB5,
        "\n" * MB5,
        "Số: 1/" * (MB5 // 6),
        "ỦY BAN NHÂN DÂN\n" * (MB5 // 16),
        "TM. " * (MB5 // 4),
        "V/v " + "vụ " * (MB5 // 3),
        "ngày 1 tháng 1 năm 2012 " * (MB5 // 24),
        "1/A-" * (MB5 // 4),
        "BANNHÂNDÂN" * (MB5 // 10),
        " " * MB5 + "x",
    ],
    ids=lambda text: repr(text[:12]),
)
def test_five_megabytes_in_linear_time(text):
    started = time.perf_counter()
    recognise(text)
    assert time.perf_counter() - started < 2.0


def check_recognised(recognised: Recognised) -> None:
    assert set(recognised.fields) <= set(FIELDS)
    for field in recognised.fields.values():
        assert isinstance(field.value, str)
        assert field.value
        assert 0.0 <= field.confidence <= 1.0


@given(st.text())
def test_recognise_never_raises(text):
    check_recognised(recognise(text))


_document_lines = st.sampled_from(
    [
        *CONG_VAN.splitlines(),
        *DECISION.splitlines(),
        "ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "ẨÖXÃTÂNPHÚ = Độclập-Tựdo- Hạnh phúc",
        "` Số: 07/BC-UBND_. - TÊn Phá, ngày 26 tháng 11 năm 2012",
        "Nơi nhận: TM. ỦY BAN NHÂN DÂN _",
        "_Phạm VănĐông -",
        "TUYỆT MẬT",
        "",
    ]
)


@settings(max_examples=300)
@given(st.lists(st.one_of(_document_lines, st.text(max_size=30)), max_size=60))
def test_recognise_never_raises_on_shuffled_documents(lines):
    check_recognised(recognise("\n".join(lines)))
