#!/usr/bin/env python3
"""The README's walkthroughs, run as written against a real kmsd and a real SoftHSM2 token:

    test_readme.py --kmsd BUILD/core/kmsd --kms BUILD/cli/kms --plugins-dir BUILD/plugins [-v]

"Using it" (the kms client: create, encrypt, decrypt, get-attributes, locate; then the one curl
request of the wire format), "Keys inside HSMs" (hsm status, an AES key in the token, encrypt,
decrypt) and "KMS keys wrapped by HSM keys" (an HSM RSA pair, a KMS key wrapped by its public
key, encrypt, decrypt, export of the stored wrapped form). The shell blocks are taken from
README.md itself, so the README cannot drift from what kmsd and kms do. Only the client's
PATH line and the server address are swapped for this test's (a configuration file naming
its kmsd), and var/softhsm/slot is made in a scratch directory as ./scripts/run.sh makes it.
The pkcs11-tool line of the HSM block is left out: it needs the token's PIN file.
"""

from __future__ import annotations

import json
import os
import re
import shlex
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
PATH_LINE = "export PATH=$PWD/build/cli:$PATH"
SERVER = "http://127.0.0.1:9998"
KMS = ""  # the client binary (--kms)


def shell_blocks(heading: str) -> list[str]:
    """The ```sh blocks of the README section under `heading` (up to the next ## heading)."""
    text = README.read_text()
    start = text.index(f"\n{heading}\n") + len(heading) + 2
    end = text.find("\n## ", start)
    section = text[start:end if end >= 0 else len(text)]
    blocks = re.compile(r"```sh\n(.*?)```", re.S).findall(section)
    assert blocks, f"no sh block under {heading}"
    return blocks


def take_kms_arg() -> None:
    """Removes --kms BIN from sys.argv (default: build/cli/kms) into KMS."""
    global KMS
    argv = sys.argv[1:]
    if "--kms" in argv and argv.index("--kms") + 1 < len(argv):
        idx = argv.index("--kms")
        KMS = argv[idx + 1]
        del argv[idx:idx + 2]
    sys.argv[1:] = argv
    KMS = os.path.abspath(KMS or str(README.parent / "build" / "cli" / "kms"))


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
        self.assertIn(PATH_LINE, script)
        self.assertIn(SERVER, script)
        script = script.replace(PATH_LINE, f"export PATH={shlex.quote(os.path.dirname(KMS))}:$PATH")
        script = script.replace(SERVER, f"http://127.0.0.1:{self.kmsd.port}")
        # kms without --url: its configuration file names this test's kmsd.
        conf = self.work / "cli.toml"
        conf.write_text(f'[http_config]\nserver_url = "http://127.0.0.1:{self.kmsd.port}"\n')
        env = {**os.environ, "KMS_CLI_CONF": str(conf)}
        done = subprocess.run(["bash", "-c", script], cwd=self.work, capture_output=True, text=True, timeout=120,
                              check=False, env=env)
        self.assertEqual(done.returncode, 0, f"walkthrough failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def using_it(self) -> list[str]:
        return shell_blocks("## Using it")

    def test_using_it(self):
        blocks = self.using_it()
        out = self.run_blocks(*blocks[:2])
        self.assertIn("The symmetric key was successfully generated.\n      Unique identifier: my_key\n", out)
        self.assertEqual((self.work / "secret.plain").read_text(), "hello kmsd\n")
        self.assertIn('The encrypted file is available at "secret.enc"', out)
        self.assertIn("Attributes of my_key:", out)
        self.assertIn("CryptographicAlgorithm: AES", out)
        self.assertIn("List of unique identifiers:\n", out)
        # The --json line and the curl Create: a fresh UUID each.
        created = json.loads([line for line in out.splitlines() if line.startswith('{"unique_identifier"')][0])
        self.assertRegex(created["unique_identifier"], r"^[0-9a-f-]{36}$")
        answer = json.loads(out.strip().splitlines()[-1])
        self.assertEqual(answer["tag"], "CreateResponse")

    def test_hsm_keys(self):
        block = shell_blocks("## Keys inside HSMs")[0]
        block = "\n".join(line for line in block.splitlines()
                          if not line.startswith(("SOFTHSM2_CONF=", "  --slot")))
        out = self.run_blocks(self.using_it()[0].splitlines()[0], 'echo "hello kmsd" > secret.txt', block)
        slot = self.hsm.tokens[0].slot_id
        self.assertRegex(out, rf"hsm::softhsm2\s+softhsm2\s+yes\s+{slot}\s+yes")
        self.assertIn(f"Unique identifier: hsm::softhsm2::{slot}::demo-aes", out)
        self.assertIn("hello kmsd", out)
        self.assertIn("Sensitive: true", out)

    def test_wrapped_key_walkthrough(self):
        out = self.run_blocks(self.using_it()[0].splitlines()[0], 'echo "hello kmsd" > secret.txt',
                              shell_blocks("## KMS keys wrapped by HSM keys")[0])
        slot = self.hsm.tokens[0].slot_id
        self.assertIn(f"Private key unique identifier: hsm::softhsm2::{slot}::mykey", out)
        self.assertIn("Unique identifier: my_wrapped_key", out)
        self.assertIn("hello kmsd", out)
        # Export answers the stored, wrapped form naming the HSM public key.
        stored = (self.work / "wrapped-key.json").read_text()
        self.assertIn('"KeyWrappingData"', stored)
        self.assertRegex(stored, rf'"hsm::softhsm2::{slot}::mykey_pk"')
        self.assertIn('"PaddingMethod","type":"Enumeration","value":"OAEP"', stored.replace(", ", ","))
        # One unwrap in the HSM for the Encrypt; the Decrypt was a cache hit.
        status, metrics = self.kmsd.get("/metrics")
        self.assertEqual(status, 200)
        text = metrics if isinstance(metrics, str) else metrics.decode()
        self.assertIn("kms_key_cache_unwraps_total 1", text.splitlines())
        self.assertTrue(any(re.fullmatch(r"kms_key_cache_hits_total [1-9]\d*", line) for line in text.splitlines()))


if __name__ == "__main__":
    take_kms_arg()
    if not os.access(KMS, os.X_OK):
        sys.exit(f"the kms client is not built: {KMS} (pass --kms BIN)")
    main()
