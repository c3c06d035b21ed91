#!/usr/bin/env bash
# Fails when a tracked C/C++ file differs from what .clang-format makes of it.
# Generated tables (tools/gen_kmip_dictionary.py) and the frozen ABI 1.0 header are left as they are.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.cpp' '*.hpp' '*.h' '*.c' |
  grep -v -e '^core/kms/kmip/DictionaryData.cpp$' -e '^core/kms/kmip/Enums.hpp$' -e '^sdk/testkit/abi-1.0/driver.h$')
clang-format --dry-run --Werror "${files[@]}"
echo "clang-format: ${#files[@]} files clean"
