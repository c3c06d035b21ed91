#!/usr/bin/env python3
"""The README's walkthroughs, run as written against a real kmsd and a real SoftHSM2 token:

    test_readme.py --kmsd BUILD/core/kmsd --plugins-dir BUILD/plugins [-v]

"Using it" (create, encrypt, decrypt) and "KMS keys wrapped by HSM keys" (an HSM RSA pair,
a KMS key wrapped by its public key, encrypt, decrypt, metrics, Get). The shell blocks are
taken from README.md itself, so the README cannot drift from what kmsd does. Only the server
address is swapped for this test's kmsd, and var/softhsm/slot is made in a scratch directory
as ./scripts/run.sh makes it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))

from servers import ARGS, main  # noqa: E402
from kmsd import Kmsd, default_binary  # noqa: E402
from softhsm import SoftHsm  # noqa: E402

README = Path(__file__).resolve().parents[2] / "README.md"
SERVER_LINE = "KMS=http://127.0.0.1:9998"


def shell_block(heading: str) -> str:
    """The first ```sh block after `heading` in the README."""
    text = README.read_text()
    start = text.index(f"\n{heading}\n")
    match = re.compile(r"```sh\n(.*?)```", re.S).search(text, start)
    assert match is not None, f"no sh block after {heading}"
    return match.group(1)


class ReadmeWalkthroughs(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.hsm = SoftHsm(tokens=1, label_prefix="readme").start()
        token = cls.hsm.tokens[0]
        cls.work = Path(tempfile.mkdtemp(prefix="kmsd-readme-"))
        (cls.work / "var" / "softhsm").mkdir(parents=True)
        (cls.work / "var" / "softhsm" / "slot").write_text(f"{token.slot_id}\n")
        cls.kmsd = Kmsd(default_binary(), extra_args=[
            "--plugins-dir", ARGS.plugins_dir, "--hsm-model", "softhsm2", "--hsm-admin", "admin",
            "--hsm-slot", str(token.slot_id)], env={"KMS_HSM_PASSWORD": token.pin}).__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.kmsd.__exit__(None, None, None)
        cls.hsm.stop()
        shutil.rmtree(cls.work, ignore_errors=True)

    def run_blocks(self, *blocks: str) -> str:
        script = "set -euo pipefail\n" + "\n".join(blocks)
        self.assertIn(SERVER_LINE, script)
        script = script.replace(SERVER_LINE, f"KMS=http://127.0.0.1:{self.kmsd.port}")
        done = subprocess.run(["bash", "-c", script], cwd=self.work, capture_output=True, text=True, timeout=120,
                              check=False)
        self.assertEqual(done.returncode, 0, f"walkthrough failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def test_using_it(self):
        out = self.run_blocks(shell_block("## Using it"))
        self.assertRegex(out, r"key: [0-9a-f-]{36}\n")
        self.assertEqual(out.strip().splitlines()[-1], "68656C6C6F206B6D7364")

    def test_wrapped_key_walkthrough(self):
        usage = shell_block("## Using it")
        definitions = "\n".join(line for line in usage.splitlines() if line.startswith(("KMS=", "field()")))
        out = self.run_blocks(definitions, shell_block("## KMS keys wrapped by HSM keys"))
        lines = out.strip().splitlines()
        self.assertTrue(any(line.startswith("wrapped key: ") and len(line) > 20 for line in lines), out)
        self.assertIn("68656C6C6F206B6D7364", lines, out)
        # One unwrap in the HSM for the Encrypt; the Decrypt was a cache hit.
        self.assertIn("kms_key_cache_unwraps_total 1", lines, out)
        self.assertTrue(any(re.fullmatch(r"kms_key_cache_hits_total [1-9]\d*", line) for line in lines), out)
        # Get answers the stored, wrapped form naming the HSM public key.
        self.assertIn('"KeyWrappingData"', lines[-1])
        self.assertRegex(lines[-1], r'"hsm::softhsm2::\d+::mykey_pk"')
        self.assertIn('"PaddingMethod","type":"Enumeration","value":"OAEP"', lines[-1].replace(", ", ","))


if __name__ == "__main__":
    main()
