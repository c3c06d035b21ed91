#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz) with clang, ASan and UBSan in build-fuzz/ and fuzzes
# each for SECONDS (default 600) on its corpus, two at a time. Prints per target: executions,
# executions/s, coverage, corpus size and crashes; fails naming the crash input if any.
#   scripts/fuzz.sh [SECONDS] [TARGET...]     e.g. scripts/fuzz.sh 60 json_ttlv http_framing
#   scripts/fuzz.sh --build-only              builds the targets and seeds, fuzzes nothing
# Environment: KMS_FUZZ_JOBS (targets at a time, default 2), KMS_KMIP_VECTORS (the OASIS XML
# vectors turned into seeds; default ../shared/kmip-vectors beside the repository).
# What each run learns stays in build-fuzz/fuzz-work/<target>/corpus and seeds the next run.
set -euo pipefail
cd "$(dirname "$0")/.."
build_only=false
if [[ ${1:-} == --build-only ]]; then
  build_only=true
  shift
fi
seconds=${1:-600}
shift || true
jobs=${KMS_FUZZ_JOBS:-2}
build=build-fuzz

vectors=${KMS_KMIP_VECTORS:-}
if [[ -z $vectors ]]; then
  vectors=$PWD/../shared/kmip-vectors
  # In a git worktree, ../shared is beside the main checkout.
  common=$(git rev-parse --path-format=absolute --git-common-dir 2>/dev/null || true)
  if [[ ! -d $vectors && -n $common && -d $common/../../shared/kmip-vectors ]]; then
    vectors=$(cd "$common/../../shared/kmip-vectors" && pwd)
  fi
fi

# -O1 and line tables only: the usual fuzzing trade-off (fast enough to run, quick to build,
# stack traces with lines).
CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DKMS_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -gline-tables-only" "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -gline-tables-only" \
  "-DKMS_FUZZ_VECTORS_DIR=$vectors" >/dev/null
cmake --build "$build" --target kms_fuzz -j "$(nproc)"
if $build_only; then
  exit 0
fi

if (($# > 0)); then
  targets=("$@")
else
  mapfile -t targets < <(cd "$build/tests/fuzz" && ls fuzz_* | sed 's/^fuzz_//' | sort)
fi

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
echo "fuzzing ${targets[*]} for ${seconds}s each, $jobs at a time"
for target in "${targets[@]}"; do
  while (($(jobs -rp | wc -l) >= jobs)); do wait -n || true; done
  (
    if tests/fuzz/run-one.sh "$build/tests/fuzz/fuzz_$target" "$build/fuzz-corpus/$target" \
      "$build/fuzz-work/$target" "$seconds" >"$results/$target" 2>&1; then
      touch "$results/$target.ok"
    fi
    cat "$results/$target"
  ) &
done
wait

failed=()
for target in "${targets[@]}"; do
  [[ -e $results/$target.ok ]] || failed+=("$target")
done
if ((${#failed[@]} > 0)); then
  echo "fuzz: crashes in ${failed[*]} (inputs named above)" >&2
  exit 1
fi
echo "fuzz: ${#targets[@]} targets, 0 crashes"
