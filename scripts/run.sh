#!/usr/bin/env bash
# Installs what is missing, builds kmsd (and the kms client) and starts it on 127.0.0.1:9998 with SQLite under ./var/
# and a SoftHSM2 token under ./var/softhsm (made on the first run, reused after) served as the
# softhsm2 HSM instance (hsm::softhsm2::<slot>::<key>, legacy hsm::<slot>::<key>), administered
# by the default user. The token's PIN stays in var/softhsm/pin (mode 0600): kmsd reads it from
# there, never from its command line.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build --target kmsd kms kms_driver_softhsm2
mkdir -p var

softhsm="$PWD/var/softhsm"
export SOFTHSM2_CONF="$softhsm/softhsm2.conf"
if [[ ! -s "$softhsm/slot" || ! -s "$softhsm/pin" ]]; then
  rm -rf "$softhsm"
  (
    umask 077
    mkdir -p "$softhsm"
    pin=$(openssl rand -hex 16)
    so_pin=$(openssl rand -hex 16)
    python3 tests/support/softhsm.py init "$softhsm" --tokens 1 --label-prefix kmsd \
      --pin "$pin" --so-pin "$so_pin" > "$softhsm/token.json"
    printf '%s\n' "$pin" > "$softhsm/pin"
    python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["tokens"][0]["slot_id"])' \
      "$softhsm/token.json" > "$softhsm/slot"
  )
  echo "run.sh: initialised a SoftHSM2 token in $softhsm (slot $(cat "$softhsm/slot"))" >&2
fi

exec build/core/kmsd --hostname 127.0.0.1 --port 9998 --sqlite-path var/sqlite \
  --plugins-dir build/plugins --hsm-model softhsm2 --hsm-admin admin \
  --hsm-slot "$(cat "$softhsm/slot")" --hsm-password-file "$softhsm/pin" "$@"
