#!/usr/bin/env bash
# Fuzzes one target for SECONDS: run-one.sh FUZZER SEEDS WORK SECONDS
#   SEEDS  the seed corpus (read only: made by make_seeds.py)
#   WORK   kept between runs: WORK/corpus grows with what libFuzzer finds, WORK/crash-* etc.
#          are the failing inputs, WORK/log the last run's output
# Prints one line: executions, executions/s, coverage (edges, features), corpus size, and
# either "0 crashes" or the failing input's path (exit status 1).
set -uo pipefail
fuzzer=$1 seeds=$2 work=$3 seconds=$4
name=$(basename "$fuzzer")
mkdir -p "$work/corpus"
rm -f "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-*

# -timeout: an input that takes 10 s is a hang; -rss_limit_mb bounds the whole process (ASan
# included), so that a decoder that lets a small input allocate without bound is a finding.
"$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2560 -print_final_stats=1 \
  -artifact_prefix="$work/" "$work/corpus" "$seeds" >"$work/log" 2>&1
status=$?

stat() { sed -n "s/^stat::$1: *//p" "$work/log" | tail -1; }
last=$(grep -E '^#[0-9]+' "$work/log" | tail -1)
cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
corpus=$(sed -n 's/.* corp: \([0-9]*\/[0-9a-zA-Z]*\).*/\1/p' <<<"$last")
artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$work/log" | tail -1)

summary="$name: $(stat number_of_executed_units) executions ($(stat average_exec_per_sec)/s) in ${seconds}s, cov ${cov:-?} edges, ft ${ft:-?}, corpus ${corpus:-?}, peak RSS $(stat peak_rss_mb) MB"
if [[ $status -ne 0 || -n $artifact ]]; then
  echo "$summary: CRASH (exit $status)${artifact:+, input: $artifact}"
  grep -E 'ERROR: |SUMMARY: |runtime error|==[0-9]+==' "$work/log" | head -5
  echo "(full output: $work/log; reproduce: $fuzzer $artifact)"
  exit 1
fi
echo "$summary: 0 crashes"
