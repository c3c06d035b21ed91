#!/usr/bin/env bash
# Installs what is missing, builds and runs the whole test suite twice: once optimised, once
# under AddressSanitizer + UndefinedBehaviorSanitizer; then fuzzes every decoder briefly.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test
jobs=$(nproc)

run_suite() {
  local dir=$1
  shift
  cmake -S . -B "$dir" -G Ninja "$@" >/dev/null
  cmake --build "$dir" -j "$jobs"
  ctest --test-dir "$dir" --output-on-failure -j "$jobs" --timeout 900
}

echo "== test suite (RelWithDebInfo)"
run_suite build -DCMAKE_BUILD_TYPE=RelWithDebInfo
# .clang-tidy on every source of core, sdk, plugins and cli, with the optimised build's commands.
echo "== clang-tidy"
tools/check-tidy.sh build
echo "== test suite (AddressSanitizer + UndefinedBehaviorSanitizer)"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  run_suite build-asan -DCMAKE_BUILD_TYPE=Debug -DKMS_SANITIZE=ON
# Every libFuzzer target (tests/fuzz, clang + ASan + UBSan, in build-fuzz/) for
# KMS_FUZZ_SECONDS (default 20) on its corpus, two at a time; a crash fails the run and names
# the input. Long runs: scripts/fuzz.sh [SECONDS] (docs/fuzzing.md).
echo "== fuzzing (libFuzzer + ASan + UBSan, ${KMS_FUZZ_SECONDS:-20} s per target)"
scripts/fuzz.sh "${KMS_FUZZ_SECONDS:-20}"
