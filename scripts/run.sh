#!/usr/bin/env bash
# Installs what is missing, builds kmsd and starts it on 127.0.0.1:9998 with SQLite under ./var/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build --target kmsd
mkdir -p var
exec build/core/kmsd --hostname 127.0.0.1 --port 9998 --sqlite-path var/sqlite "$@"
