#!/usr/bin/env bash
# Fails when clang-tidy (.clang-tidy) warns on a C++ source of core/, sdk/, plugins/ or cli/, or
# on a header of ours it includes. BUILD (default build/) gives the compile commands; every
# source compiled there is checked, in parallel. clang-tidy 22 (bookworm-security) when it is
# installed, else Debian 12's default 14: 22 skips the system headers' declarations when it
# matches and takes ~45% less CPU per file (core/kms/ops/handlers/Activate.cpp: 5.5 s against
# 9.5 s). The test command runs it once, on the optimised build.
#   tools/check-tidy.sh [BUILD] [FILE...]   # FILEs: only these (paths from the repository root)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
shift || true
if [[ ! -f "$build/compile_commands.json" ]]; then
  echo "check-tidy: $build/compile_commands.json is missing (configure $build first)" >&2
  exit 2
fi
if (($# > 0)); then
  files=("$@")
else
  mapfile -t files < <(python3 - "$build/compile_commands.json" <<'EOF'
import json, os, sys
root = os.getcwd()
seen = set()
for entry in json.load(open(sys.argv[1])):
    path = os.path.relpath(os.path.join(entry["directory"], entry["file"]), root)
    if path.split(os.sep)[0] in ("core", "sdk", "plugins", "cli") and path.endswith(".cpp"):
        seen.add(path)
print("\n".join(sorted(seen)))
EOF
  )
fi
tidy=${KMS_CLANG_TIDY:-$(command -v clang-tidy-22 || command -v clang-tidy)}  # KMS_CLANG_TIDY: another one
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
printf '%s\n' "${files[@]}" |
  xargs -P "$(nproc)" -n 4 "$tidy" -p "$build" --quiet --warnings-as-errors='*' >"$log" 2>&1 || status=$?
if ((status != 0)); then
  grep -E 'error:|warning:' -A3 "$log" | grep -v -E '^[0-9]+ warnings? (and [0-9]+ errors? )?generated' || cat "$log"
  echo "clang-tidy: findings above (.clang-tidy; fix them, or NOLINT with the reason)" >&2
  exit 1
fi
echo "clang-tidy: ${#files[@]} files clean ($("$tidy" --version | sed -n 's/.*LLVM version \([0-9.]*\).*/\1/p'))"
