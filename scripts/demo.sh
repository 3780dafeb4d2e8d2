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
fi
govmail status
exec .venv/bin/govmail --config govmail.toml serve
