#!/bin/sh
# deps.sh: installs the Debian 12 packages that cjm's build and tests need, only when missing.
# Arguments name extra packages for one target. As root it runs apt-get itself (update once, then install); otherwise it uses sudo when that
# works without a password, or says exactly what to install.
set -eu

packages="gcc make flex bison pkg-config libgraphviz-dev graphviz valgrind libxml2-utils python3"
# Event logs: zlib (gzip) and expat (XES), both MIT-style; the warehouse tests of cjm fit --sql
# run their query in a real PostgreSQL server and in SQLite.
packages="$packages zlib1g-dev libexpat1-dev postgresql sqlite3"
# Editor support and installation tests: man pages (man --warnings), Vim, zsh completion.
packages="$packages man-db vim zsh"
# The HTML report's browser tests (tests/cli/report.sh): headless Chromium, and a font for its
# screenshots and PDFs. Chromium is large (some 300 MB); the tests print SKIP without it.
packages="$packages chromium fonts-dejavu-core"
# Extra packages a target asks for (make fuzz: clang and its libFuzzer runtime).
packages="$packages $*"

missing=""
for p in $packages; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
        missing="$missing $p"
    fi
done
# The VS Code grammar test needs node and npm; any installation will do (Debian's or another).
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    missing="$missing nodejs npm"
fi
[ -z "$missing" ] && exit 0

echo "cjm: installing missing Debian packages:$missing"
if [ "$(id -u)" = 0 ]; then
    run=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    run="sudo"
else
    echo "cjm: cannot install packages (not root, no password-less sudo). Please run:" >&2
    echo "    sudo apt-get update && sudo apt-get install -y$missing" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$run apt-get update -q
# shellcheck disable=SC2086
$run apt-get install -y -q --no-install-recommends $missing
