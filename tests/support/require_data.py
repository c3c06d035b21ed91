#!/usr/bin/env python3
"""Run a test only when the data it reads is there; otherwise exit 77, which ctest reports as
"Skipped" through the test's SKIP_RETURN_CODE property (a test that checked nothing must not
look like one that passed).

    require_data.py PATH [PATH ...] -- COMMAND [ARG ...]

Each PATH must exist (a file or a directory); the first missing one is named on stdout. Then
COMMAND replaces this process, so its exit status is the test's.
"""

from __future__ import annotations

import os
import sys

SKIP_EXIT = 77  # tests/CMakeLists.txt: KMS_TEST_SKIP_EXIT


def main(argv: list[str]) -> int:
    if "--" not in argv or argv.index("--") == 0 or argv.index("--") == len(argv) - 1:
        print("usage: require_data.py PATH [PATH ...] -- COMMAND [ARG ...]", file=sys.stderr)
        return 2
    cut = argv.index("--")
    paths, command = argv[:cut], argv[cut + 1:]
    for path in paths:
        if not os.path.exists(path):
            print(f"SKIP: {path} not found")
            return SKIP_EXIT
    sys.stdout.flush()
    os.execvp(command[0], command)
    return 127  # not reached


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
