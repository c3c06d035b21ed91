#!/usr/bin/env python3
"""The six model plugins through kms-driver-check, each against its own SoftHSM2 token:

    test_drivers.py --driver-check BUILD/.../kms-driver-check --plugins-dir BUILD/plugins [-v]

Each plugin must print a full pass: every check run, none failed, none skipped. The PIN goes to
kms-driver-check through an environment variable, never on its command line.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "support"))

from softhsm import SoftHsm  # noqa: E402

# model -> plugin file (model "other" is the generic driver).
PLUGINS = {
    "proteccio": "libkms_proteccio.so",
    "utimaco": "libkms_utimaco.so",
    "smartcardhsm": "libkms_smartcardhsm.so",
    "softhsm2": "libkms_softhsm2.so",
    "crypt2pay": "libkms_crypt2pay.so",
    "other": "libkms_generic.so",
}

# The token behind every plugin here is SoftHSM2, which accepts RSA-OAEP with SHA-1 only: the
# other models' drivers are told so with the same quirk setting the softhsm2 driver has built in.
SOFTHSM_QUIRKS = ["--setting", "oaep_hashes=sha1"]

SUMMARY = re.compile(r"^kms-driver-check: (\d+) passed, (\d+) failed, (\d+) skipped$", re.M)

ARGS = argparse.Namespace(driver_check=None, plugins_dir=None)


def find_plugin(name: str) -> Path | None:
    root = Path(ARGS.plugins_dir)
    direct = root / name
    if direct.exists():
        return direct
    for candidate in sorted(root.rglob(name)):
        if "CMakeFiles" not in candidate.parts:
            return candidate
    return None


class DriverCheck(unittest.TestCase):
    def run_check(self, model: str) -> None:
        plugin = find_plugin(PLUGINS[model])
        self.assertIsNotNone(plugin, f"{PLUGINS[model]} not built under {ARGS.plugins_dir}")
        with SoftHsm(tokens=1, label_prefix=f"check-{model}") as hsm:
            token = hsm.tokens[0]
            env = hsm.env()
            env["KMS_DRIVER_CHECK_PIN"] = token.pin
            command = [ARGS.driver_check, "--driver", str(plugin), "--library", hsm.library,
                       "--slot", str(token.slot_id), "--pin-env", "KMS_DRIVER_CHECK_PIN"]
            if model != "softhsm2":
                command += SOFTHSM_QUIRKS
            self.assertNotIn(token.pin, command)
            done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False)
        output = done.stdout + done.stderr
        if "-v" in sys.argv or "--verbose" in sys.argv:
            print(f"\n--- {model}\n{output}", file=sys.stderr)
        match = SUMMARY.search(done.stdout)
        self.assertIsNotNone(match, f"no summary line:\n{output}")
        passed, failed, skipped = (int(x) for x in match.groups())
        self.assertEqual(failed, 0, output)
        self.assertEqual(skipped, 0, output)
        self.assertGreater(passed, 30, output)
        self.assertEqual(done.returncode, 0, output)
        self.assertNotIn(token.pin, output)

    def test_proteccio(self):
        self.run_check("proteccio")

    def test_utimaco(self):
        self.run_check("utimaco")

    def test_smartcardhsm(self):
        self.run_check("smartcardhsm")

    def test_softhsm2(self):
        self.run_check("softhsm2")

    def test_crypt2pay(self):
        self.run_check("crypt2pay")

    def test_generic(self):
        self.run_check("other")


class CommandLine(unittest.TestCase):
    def test_pin_flag_refused(self):
        done = subprocess.run([ARGS.driver_check, "--driver", "x.so", "--slot", "0", "--pin", "1234"],
                              capture_output=True, text=True, check=False)
        self.assertEqual(done.returncode, 2)
        self.assertIn("--pin-env VAR only", done.stderr)

    def test_failure_exit_status(self):
        done = subprocess.run([ARGS.driver_check, "--driver", "/nonexistent/libkms_x.so", "--slot", "0"],
                              capture_output=True, text=True, check=False)
        self.assertEqual(done.returncode, 1)
        self.assertIn("FAIL abi.entry_symbol", done.stdout)
        self.assertRegex(done.stdout, r"kms-driver-check: 0 passed, 1 failed, \d+ skipped")


def main() -> None:
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--driver-check", default=os.environ.get("KMS_DRIVER_CHECK"))
    parser.add_argument("--plugins-dir", default=os.environ.get("KMS_PLUGINS_DIR"))
    known, rest = parser.parse_known_args()
    if not known.driver_check or not known.plugins_dir:
        parser.error("--driver-check and --plugins-dir are required")
    ARGS.driver_check = known.driver_check
    ARGS.plugins_dir = known.plugins_dir
    unittest.main(argv=[sys.argv[0], *rest])


if __name__ == "__main__":
    main()
