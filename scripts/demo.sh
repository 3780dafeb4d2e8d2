#!/usr/bin/env bash
# Prepares the demo province (domains, users, a distribution list) once, then serves it.
set -euo pipefail
cd "$(dirname "$0")/.."
govmail() { .venv/bin/govmail --config govmail.toml "$@"; }

PASSWORD="songlam-demo"
users=(
    "vanthu@songlam.gov.vn|Văn thư UBND tỉnh"
    "chanhvp@songlam.gov.vn|Nguyễn Văn An"
    "giamdoc@stttt.songlam.gov.vn|Trần Thị Bình"
    "vanthu@stttt.songlam.gov.vn|Văn thư Sở TTTT"
    "vanthu@snv.songlam.gov.vn|Văn thư Sở Nội vụ"
    "vanthu@tanphu.songlam.gov.vn|Văn thư UBND xã Tân Phú"
)

if [ ! -e data/govmail.db ]; then
    govmail init
    for entry in "${users[@]}"; do
        printf '%s\n' "$PASSWORD" | govmail user add "${entry%%|*}" --name "${entry#*|}" --password-stdin
    done
    govmail alias add lanhdao@songlam.gov.vn chanhvp@songlam.gov.vn giamdoc@stttt.songlam.gov.vn
    govmail domain agency songlam.gov.vn "ỦY BAN NHÂN DÂN TỈNH SÔNG LAM"
    govmail domain agency stttt.songlam.gov.vn "SỞ THÔNG TIN VÀ TRUYỀN THÔNG" --parent "UBND TỈNH SÔNG LAM"
    govmail domain agency snv.songlam.gov.vn "SỞ NỘI VỤ" --parent "UBND TỈNH SÔNG LAM"
    govmail domain agency tanphu.songlam.gov.vn "ỦY BAN NHÂN DÂN XÃ TÂN PHÚ" --parent "UBND HUYỆN TÂN PHÚ"
    for clerk in vanthu@songlam.gov.vn vanthu@stttt.songlam.gov.vn vanthu@snv.songlam.gov.vn \
        vanthu@tanphu.songlam.gov.vn; do
        govmail register grant "$clerk"
    done
fi
govmail status
exec .venv/bin/govmail --config govmail.toml serve
