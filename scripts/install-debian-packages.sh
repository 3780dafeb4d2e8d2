#!/usr/bin/env bash
# Installs the Debian packages govmail's demo and tests use, when run as root and any is missing.
set -euo pipefail

packages=(
    openssl sqlite3 swaks isync curl
    libnet-ssleay-perl libio-socket-ssl-perl libauthen-sasl-perl
    postgresql postgresql-contrib
    tesseract-ocr tesseract-ocr-vie poppler-utils fonts-liberation2
)

missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
        || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "govmail: missing Debian packages: ${missing[*]}" >&2
    echo "govmail: run as root, or: sudo apt-get install ${missing[*]}" >&2
    exit 1
fi
echo "installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
