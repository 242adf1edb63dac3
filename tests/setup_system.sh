#!/usr/bin/env bash
# Installs the system tools that the interoperability tests read our files with:
# stock `age` and `minisign` (bundles), LibreOffice (the .docx opens in another
# office suite), poppler-utils (pdftotext). Needs root and Debian's apt; where
# either is missing it says so and the tests that need a tool skip with a reason.
set -uo pipefail
need=()
command -v age >/dev/null || need+=(age)
command -v minisign >/dev/null || need+=(minisign)
command -v soffice >/dev/null || need+=(libreoffice-writer-nogui)
command -v pdftotext >/dev/null || need+=(poppler-utils)
[ -d /usr/share/fonts/truetype/dejavu ] || need+=(fonts-dejavu-core)
# The .docx names Arial, as agencies' machines have it; LibreOffice needs Liberation Sans
# (Arial's metrics, the font our PDF embeds) to lay the pages out as ours are laid out.
[ -d /usr/share/fonts/truetype/liberation2 ] || need+=(fonts-liberation2)
# Debian's Chromium and its driver for the agency console's browser tests (Selenium).
command -v chromium >/dev/null || need+=(chromium)
command -v chromedriver >/dev/null || need+=(chromium-driver)
# PyInstaller's analysis of shared libraries and the stripping of symbols (make package).
command -v objdump >/dev/null && command -v strip >/dev/null || need+=(binutils)
# ICU's icupkg and genccode rebuild the app's smaller ICU data (packaging/icu_data.py);
# Debian puts them in /usr/sbin.
sbin="$PATH:/usr/sbin:/sbin"
PATH=$sbin command -v icupkg >/dev/null && PATH=$sbin command -v genccode >/dev/null || need+=(icu-devtools)
# glibc's locale sources: dates are checked under a German locale compiled by the test.
[ -f /usr/share/i18n/locales/de_DE ] || need+=(locales)
# PostgreSQL 15 for the inbox tests on a throwaway cluster (tests/pg.py); as root the
# cluster runs as the package's `postgres` user (or `homestudy-pg`, made below).
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || need+=(postgresql-15)
if [ "$(id -u)" = "0" ] && ! id postgres >/dev/null 2>&1 && ! id homestudy-pg >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin homestudy-pg || true
fi
if [ ${#need[@]} -eq 0 ]; then
    exit 0
fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null; then
    echo "setup_system: cannot install ${need[*]} (not root or no apt-get); the tests that need them will skip." >&2
    exit 0
fi
echo "setup_system: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null 2>&1 || true
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null 2>&1 \
    || echo "setup_system: apt-get could not install ${need[*]}; the tests that need them will skip." >&2
exit 0
