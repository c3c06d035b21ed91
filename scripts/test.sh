#!/usr/bin/env bash
# Installs what is missing, builds and runs the whole test suite twice: once optimised, once
# under AddressSanitizer + UndefinedBehaviorSanitizer; runs clang-tidy on every source; then
# fuzzes every decoder briefly.
#
# The test stages wait on processes, sockets and fsync much of the time, so the work that only
# needs CPU (clang-tidy, then the sanitizer build; the fuzz build) runs beside them at idle
# priority (SCHED_IDLE): it takes the cycles the tests leave and yields the moment a test wants
# the CPU. Its output is printed when it is waited for. The timing-oracle tests (ctest label
# "timing": a few microseconds decide them) run alone, after it: background work on the same
# cores widens real differences of a few microseconds past their threshold.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test
jobs=$(nproc)
started=$SECONDS
logs=$(mktemp -d)
background=()
cleanup() {
  local pid
  for pid in "${background[@]}"; do kill -- "-$pid" 2>/dev/null || true; done
  rm -rf "$logs"
}
trap cleanup EXIT

stage() { printf '== %s (%d s)\n' "$1" $((SECONDS - started)); }
configure() {
  local dir=$1
  shift
  cmake -S . -B "$dir" -G Ninja "$@" >/dev/null
}
run_ctest() {
  local dir=$1
  shift
  ctest --test-dir "$dir" --output-on-failure -j "$jobs" --timeout 900 "$@"
}

# idle NAME COMMAND...: runs COMMAND in the background at idle priority, in a session of its own
# so that an early exit stops all of it; `join NAME` waits for it and prints its output.
idle() {
  local name=$1
  shift
  idle_cmd=(nice -n 19)
  chrt --idle 0 true 2>/dev/null && idle_cmd=(chrt --idle 0)
  setsid --wait "${idle_cmd[@]}" "$@" >"$logs/$name" 2>&1 &
  background+=($!)
  echo $! >"$logs/$name.pid"
}
join() {
  local name=$1 status=0
  wait "$(cat "$logs/$name.pid")" || status=$?
  cat "$logs/$name"
  return "$status"
}

# clang-tidy (.clang-tidy: every source of core, sdk, plugins and cli, with the optimised build's
# commands), then the sanitizer build: one background chain.
lint_then_build_asan="echo '== clang-tidy' && tools/check-tidy.sh build &&
  echo '== build (AddressSanitizer + UndefinedBehaviorSanitizer)' &&
  cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DKMS_SANITIZE=ON >/dev/null &&
  cmake --build build-asan -j $jobs"

stage "build (RelWithDebInfo)"
configure build -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j "$jobs"
idle lint-asan bash -c "$lint_then_build_asan"
stage "test suite (RelWithDebInfo); clang-tidy and the sanitizer build beside it"
run_ctest build -LE timing
stage "waiting for clang-tidy and the sanitizer build"
join lint-asan
stage "timing tests (RelWithDebInfo), alone"
run_ctest build -L timing

# Every libFuzzer target (tests/fuzz, clang + ASan + UBSan, in build-fuzz/): built beside the
# sanitizer test suite, then fuzzed for KMS_FUZZ_SECONDS (default 20) each on its corpus, two at
# a time; a crash fails the run and names the input. Long runs: scripts/fuzz.sh [SECONDS]
# (docs/fuzzing.md).
idle fuzz-build scripts/fuzz.sh --build-only
stage "test suite (AddressSanitizer + UndefinedBehaviorSanitizer); the fuzz build beside it"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
run_ctest build-asan -LE timing
stage "waiting for the fuzz build"
join fuzz-build
stage "timing tests (AddressSanitizer + UndefinedBehaviorSanitizer), alone"
run_ctest build-asan -L timing
unset ASAN_OPTIONS UBSAN_OPTIONS
stage "fuzzing (libFuzzer + ASan + UBSan, ${KMS_FUZZ_SECONDS:-20} s per target)"
scripts/fuzz.sh "${KMS_FUZZ_SECONDS:-20}"
stage "all passed"
