#!/usr/bin/env bash
# Installs what Aider Polyglot's six languages need to judge answers offline, from Debian's
# packages and the npm registry only, and prints the variable it set (eval "$(this script)").
# Idempotent: what is installed already is left as it is. Python needs only pytest (the dev extra)
# and Rust rustup's cargo, which this script does not install.
#
#   go          golang-go (Debian's: Go 1.19)
#   java        default-jdk-headless, junit5 (JUnit's console launcher), libassertj-core-java,
#               libandroid-json-org-java (org.json, for rest-api)
#   c++         g++, cmake, catch2 (v2's single header), libboost-date-time-dev (gigasecond,
#               meetup), libtbb-dev (parallel-letter-frequency's std::execution)
#   javascript  nodejs + npm, then jest and babel (scripts/polyglot_js, versions pinned by its
#               lock file) into $RPT_POLYGLOT_HOME/node_modules
#
# RPT_POLYGLOT_HOME (default ~/.cache/rpt/polyglot) is where the node_modules go; the judge looks
# there by default. Progress goes to stderr, the export line to stdout.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
home="${RPT_POLYGLOT_HOME:-$HOME/.cache/rpt/polyglot}"
say() { echo "setup_polyglot_toolchains: $*" >&2; }

packages=(golang-go default-jdk-headless junit5 libassertj-core-java libandroid-json-org-java
          g++ cmake catch2 libboost-date-time-dev libtbb-dev)
command -v node >/dev/null || packages+=(nodejs)
command -v npm >/dev/null || packages+=(npm)

missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -eq 0 ]; then as_root=(); elif command -v sudo >/dev/null; then as_root=(sudo); else
        say "cannot install ${missing[*]}: not root and no sudo (those languages will be reported, not scored)"
        exit 1
    fi
    say "installing ${missing[*]} (Debian)"
    "${as_root[@]}" apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
else
    say "Debian packages: all installed"
fi

# jest and babel: npm ci from the lock file, skipped when that lock is what is installed
mkdir -p "$home"
lock_hash="$(sha256sum "$here/polyglot_js/package-lock.json" | cut -d' ' -f1)"
if [ -f "$home/node_modules/jest/bin/jest.js" ] && [ "$(cat "$home/.lock-sha256" 2>/dev/null)" = "$lock_hash" ]; then
    say "jest: installed in $home/node_modules"
else
    say "jest: npm ci into $home/node_modules (npm registry)"
    cp "$here/polyglot_js/package.json" "$here/polyglot_js/package-lock.json" "$home/"
    (cd "$home" && npm ci --no-audit --no-fund --loglevel=error >&2)
    echo "$lock_hash" > "$home/.lock-sha256"
fi

say "go $(go version | cut -d' ' -f3), $(javac -version 2>&1), cmake $(cmake --version | head -n1 | cut -d' ' -f3), node $(node --version)"
echo "export RPT_POLYGLOT_HOME=$home"
