#!/usr/bin/env bash
# Installs the Debian 12 packages kmsd needs to build, run and test, when they are missing.
# Safe to run again: it installs nothing when everything is present.
set -euo pipefail

build_packages=(
  build-essential cmake ninja-build pkg-config ccache
  libssl-dev libpoco-dev libpqxx-dev libsqlite3-dev libtomlplusplus-dev libyaml-cpp-dev
  libboost-dev libboost-filesystem-dev libfmt-dev doctest-dev libcli11-dev
)
runtime_packages=(softhsm2 opensc openssl python3)
# clang and its runtime libraries (libFuzzer, ASan, UBSan) build the fuzz targets (tests/fuzz).
test_packages=(python3 python3-pykmip python3-botocore python3-cryptography curl openssl postgresql-15 clang-format clang-tidy git clang libclang-rt-14-dev)
# bench/run: nginx is baseline (a), matplotlib draws the chart, PostgreSQL serves scenario 4's
# second half; perf and valgrind profile with --profile.
bench_packages=(nginx python3-matplotlib postgresql-15 linux-perf valgrind)

wanted=("${build_packages[@]}" "${runtime_packages[@]}")
case "${1:-}" in
  --test) wanted+=("${test_packages[@]}") ;;
  --bench) wanted+=("${bench_packages[@]}") ;;
  "") ;;
  *)
    echo "usage: install-deps.sh [--test | --bench]" >&2
    exit 2
    ;;
esac

missing=()
for package in "${wanted[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$package")
  fi
done

# clang-tidy 22 (bookworm-security) makes tools/check-tidy.sh ~45% cheaper than the default 14;
# where the package lists do not offer it (no security archive), the test command uses 14.
optional=()
if [[ ${1:-} == --test ]] && apt-cache show clang-tidy-22 >/dev/null 2>&1 &&
  ! dpkg-query -W -f='${Status}' clang-tidy-22 2>/dev/null | grep -q 'install ok installed'; then
  optional+=(clang-tidy-22)
fi

if ((${#missing[@]} == 0 && (${#optional[@]} == 0 || $(id -u) != 0))); then
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "install-deps: missing packages: ${missing[*]}; run as root (or install them) first" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
if ((${#missing[@]} > 0)); then
  echo "install-deps: installing ${missing[*]}"
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if ((${#optional[@]} > 0)); then
  echo "install-deps: installing ${optional[*]}"
  apt-get install -y -qq --no-install-recommends "${optional[@]}" >/dev/null
fi
