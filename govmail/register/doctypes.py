"""Document types and their abbreviations: Decree 30/2020, Appendix III, with the copy labels."""

from __future__ import annotations

from dataclasses import dataclass

from govmail.store.fold import fold


@dataclass(frozen=True)
class DocType:
    name: str  # as the table spells it: "Chỉ thị"
    abbr: str | None  # as the notation prints it: "CT"; None for công văn and thư công


TYPES: tuple[DocType, ...] = (
    DocType("Nghị quyết", "NQ"),
    DocType("Quyết định", "QĐ"),
    DocType("Chỉ thị", "CT"),
    DocType("Quy chế", "QC"),
    DocType("Quy định", "QyĐ"),
    DocType("Thông cáo", "TC"),
    DocType("Thông báo", "TB"),
    DocType("Hướng dẫn", "HD"),
    DocType("Chương trình", "CTr"),
    DocType("Kế hoạch", "KH"),
    DocType("Phương án", "PA"),
    DocType("Đề án", "ĐA"),
    DocType("Dự án", "DA"),
    DocType("Báo cáo", "BC"),
    DocType("Biên bản", "BB"),
    DocType("Tờ trình", "TTr"),
    DocType("Hợp đồng", "HĐ"),
    DocType("Công điện", "CĐ"),
    DocType("Bản ghi nhớ", "BGN"),
    DocType("Bản thỏa thuận", "BTT"),
    DocType("Giấy ủy quyền", "GUQ"),
    DocType("Giấy mời", "GM"),
    DocType("Giấy giới thiệu", "GGT"),
    DocType("Giấy nghỉ phép", "GNP"),
    DocType("Phiếu gửi", "PG"),
    DocType("Phiếu chuyển", "PC"),
    DocType("Phiếu báo", "PB"),
    DocType("Công văn", None),
    DocType("Thư công", None),
    DocType("Bản sao y", "SY"),
    DocType("Bản trích sao", "TrS"),
    DocType("Bản sao lục", "SL"),
)

CONG_VAN = next(t for t in TYPES if t.name == "Công văn")

# Folding alone would merge ĐA (Đề án) with DA (Dự án) and HĐ (Hợp đồng) with HD (Hướng dẫn),
# so lookups try the exact spelling, then case only, and fold only when that is unambiguous.
_BY_ABBR = {t.abbr: t for t in TYPES if t.abbr}
_BY_UPPER = {t.abbr.upper(): t for t in TYPES if t.abbr}


def _by_folded_abbr() -> dict[str, DocType | None]:
    index: dict[str, DocType | None] = {}
    for doctype in TYPES:
        if doctype.abbr:
            key = fold(doctype.abbr)
            index[key] = None if key in index else doctype  # None: two types share this fold
    return index


_BY_FOLDED_ABBR = _by_folded_abbr()

# OCR and typists drop or double spaces inside a title ("CHỈTHỊ"), so names match without them.
_BY_FOLDED_NAME = {fold(t.name).replace(" ", ""): t for t in TYPES}


def by_abbr(abbr: str) -> DocType | None:
    """The type a notation abbreviation stands for: "QĐ", "QD", "qd" → Quyết định."""
    abbr = abbr.strip()
    found = _BY_ABBR.get(abbr) or _BY_UPPER.get(abbr.upper())
    return found or _BY_FOLDED_ABBR.get(fold(abbr))


def by_name(text: str) -> DocType | None:
    """The type a title names, in any case and with or without diacritics: "CHỈ THỊ" → Chỉ thị."""
    key = "".join(fold(text).split()).strip(".:;,")
    return _BY_FOLDED_NAME.get(key)
