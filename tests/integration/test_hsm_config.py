#!/usr/bin/env python3
"""HSM configuration through a real kmsd: the three forms (flags, TOML flat keys, TOML/YAML
[[hsm_instances]]) start and serve, and every configuration error stops kmsd with one line:

    test_hsm_config.py --kmsd BUILD/core/kmsd --plugins-dir BUILD/plugins [-v]

PINs are given in config files, password files or KMS_HSM_PASSWORD, never on a command line,
and must never appear in kmsd's output.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))

from kmip_requests import create_hsm_aes, uid_op  # noqa: E402
from servers import ARGS, main  # noqa: E402
from kmsd import Kmsd, default_binary, free_port  # noqa: E402
from softhsm import SoftHsm  # noqa: E402

REPO = Path(__file__).resolve().parents[2]

# A driver that speaks another ABI major: kmsd must refuse it, naming the field and both values.
ALIEN_DRIVER = r"""
#include "kms/driver.h"
static const kms_driver_info info = {sizeof(kms_driver_info), 9, 0, "utimaco", "0", 0, 0, 0, 0};
static const kms_driver_v1 table = {sizeof(kms_driver_v1), 9, 0, &info};
KMS_DRIVER_EXPORT kms_status kms_driver_get(uint16_t major, uint16_t minor, const kms_driver_v1** out) {
  (void)major; (void)minor; *out = &table; return KMS_OK;
}
"""


class HsmConfig(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.hsm = SoftHsm(tokens=2, label_prefix="cfg").start()
        cls.slot = cls.hsm.tokens[0].slot_id
        cls.slot2 = cls.hsm.tokens[1].slot_id
        cls.pin = cls.hsm.tokens[0].pin
        cls.tmp = Path(tempfile.mkdtemp(prefix="kmsd-hsm-config-"))

    @classmethod
    def tearDownClass(cls):
        cls.hsm.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    # -- helpers ---------------------------------------------------------------------------

    def fails(self, args: list[str], env: dict | None = None, config: tuple[str, str] | None = None,
              code: int = 2) -> str:
        """Runs kmsd expecting it to stop at start; returns its single stderr line."""
        command = [default_binary(), "--hostname", "127.0.0.1", "--port", str(free_port()),
                   "--sqlite-path", str(self.tmp / "db"), "--plugins-dir", ARGS.plugins_dir]
        if config is not None:
            path = self.tmp / config[0]
            path.write_text(config[1])
            command += ["--config", str(path)]
        command += args
        self.assertNotIn(self.pin, command)
        child = {k: v for k, v in os.environ.items() if not k.startswith("KMS_")}
        child.update(env or {})
        done = subprocess.run(command, env=child, capture_output=True, text=True, timeout=60, check=False)
        self.assertEqual(done.returncode, code, done.stderr)
        lines = [x for x in done.stderr.splitlines() if x.startswith("kmsd: ")]
        self.assertEqual(len(lines), 1, done.stderr)
        self.assertNotIn(self.pin, done.stderr + done.stdout)
        return lines[0]

    def serves(self, kmsd: Kmsd, prefix: str, slot: int) -> None:
        uid = f"{prefix}::{slot}::cfg-{free_port()}"
        status, body = kmsd.post_json("/kmip/2_1", create_hsm_aes(uid))
        self.assertEqual(status, 200, body)
        self.assertEqual(kmsd.post_json("/kmip/2_1", uid_op("Destroy", uid))[0], 200)
        self.assertNotIn(self.pin, kmsd.log_text())

    # -- the three forms -------------------------------------------------------------------

    def test_flags_with_pin_in_environment(self):
        args = ["--plugins-dir", ARGS.plugins_dir, "--hsm-model", "softhsm2", "--hsm-admin", "admin",
                "--hsm-slot", str(self.slot)]
        with Kmsd(default_binary(), extra_args=args, env={"KMS_HSM_PASSWORD": self.pin}) as k:
            self.assertNotIn(self.pin, k.command())
            self.serves(k, "hsm", self.slot)                  # legacy UID
            self.serves(k, "hsm::softhsm2", self.slot)

    def test_toml_flat_keys(self):
        config = (f'plugins_dir = "{ARGS.plugins_dir}"\nhsm_model = "softhsm2"\nhsm_admin = "admin"\n'
                  f'hsm_slot = [{self.slot}, {self.slot2}]\nhsm_password = ["{self.pin}", "{self.pin}"]\n')
        with Kmsd(default_binary(), config_text=config) as k:
            self.serves(k, "hsm", self.slot2)
            self.serves(k, "hsm::softhsm2", self.slot)

    def test_yaml_instances_take_precedence_over_flat_flags(self):
        config = (f"plugins_dir: {ARGS.plugins_dir}\n"
                  "hsm_instances:\n"
                  f"  - hsm_model: softhsm2\n    hsm_admin: [admin]\n    hsm_slot: [{self.slot}]\n"
                  f"    hsm_password: ['{self.pin}']\n"
                  f"  - hsm_model: other\n    hsm_admin: [admin]\n    hsm_library: {self.hsm.library}\n"
                  f"    hsm_slot: [{self.slot2}]\n    hsm_password: ['{self.pin}']\n"
                  "    settings: {oaep_hashes: sha1}\n")
        args = ["--hsm-model", "utimaco", "--hsm-slot", "7"]  # ignored: the instances win
        with Kmsd(default_binary(), config_text=config, config_name="kms.yaml", extra_args=args,
                  env={"KMS_HSM_PASSWORD": "unused"}) as k:
            status, body = k.get("/hsm/status")
            self.assertEqual([x["prefix"] for x in body], ["hsm::softhsm2", "hsm::other"], body)
            self.serves(k, "hsm::softhsm2", self.slot)
            self.serves(k, "hsm::other", self.slot2)
            # Legacy UIDs belong to the flat form only. Create on an instance nobody administers
            # (here: none serves the UID) answers like a real one the caller may not administer
            # (issue 22, finding 9): 403, not 404.
            status, body = k.post_json("/kmip/2_1", create_hsm_aes(f"hsm::{self.slot}::x"))
            self.assertEqual(status, 403, body)
            status, body = k.post_json("/kmip/2_1", uid_op("GetAttributes", f"hsm::{self.slot}::x"))
            self.assertEqual(status, 404, body)

    def test_no_login_and_null_pin_are_understood(self):
        # <NO_LOGIN>: kmsd does not log in; SoftHSM2 then refuses private-object creation, but
        # the instance opens and the slot answers.
        config = (f'plugins_dir = "{ARGS.plugins_dir}"\n[[hsm_instances]]\nhsm_model = "softhsm2"\n'
                  f'hsm_slot = [{self.slot}]\nhsm_password = ["<NO_LOGIN>"]\n')
        with Kmsd(default_binary(), config_text=config) as k:
            status, body = k.get("/hsm/status")
            self.assertTrue(body[0]["slots"][0]["accessible"], body)

    # -- errors ----------------------------------------------------------------------------

    def test_unequal_slot_and_password_arrays(self):
        line = self.fails(["--hsm-model", "softhsm2", "--hsm-slot", str(self.slot), "--hsm-slot", str(self.slot2)],
                          env={"KMS_HSM_PASSWORD": self.pin})
        self.assertIn("2 slot(s) in hsm_slot but 1 password(s)", line)
        line = self.fails([], config=("unequal.toml", '[[hsm_instances]]\nhsm_model = "softhsm2"\n'
                                                      'hsm_slot = [1, 2, 3]\nhsm_password = ["a", "b"]\n'))
        self.assertIn("hsm_instances[0]", line)
        self.assertIn("3 slot(s) in hsm_slot but 2 password(s)", line)

    def test_unknown_model(self):
        line = self.fails([], config=("model.toml", '[[hsm_instances]]\nhsm_model = "thales"\nhsm_slot = [0]\n'
                                                    'hsm_password = ["x"]\n'))
        self.assertIn("unknown hsm_model 'thales'", line)
        line = self.fails(["--hsm-model", "ncipher", "--hsm-slot", "0"], env={"KMS_HSM_PASSWORD": "x"})
        self.assertIn("unknown hsm_model 'ncipher'", line)

    def test_missing_library_file(self):
        line = self.fails([], config=("lib.toml", '[[hsm_instances]]\nhsm_model = "other"\n'
                                                  'hsm_library = "/nonexistent/libpkcs11.so"\n'
                                                  f'hsm_slot = [{self.slot}]\nhsm_password = ["{self.pin}"]\n'),
                          code=1)
        self.assertIn("/nonexistent/libpkcs11.so", line)
        self.assertIn("not found", line)

    def test_driver_with_another_abi(self):
        plugins = self.tmp / "alien-plugins"
        plugins.mkdir(exist_ok=True)
        source = self.tmp / "alien.c"
        source.write_text(ALIEN_DRIVER)
        subprocess.run(["cc", "-shared", "-fPIC", "-I", str(REPO / "sdk" / "include"), "-o",
                        str(plugins / "libkms_utimaco.so"), str(source)], check=True)
        line = self.fails(["--plugins-dir", str(plugins), "--hsm-model", "utimaco", "--hsm-slot", "0"],
                          env={"KMS_HSM_PASSWORD": "x"}, code=1)
        self.assertIn("ABI 9.0", line)
        self.assertIn("abi_major", line)

    def test_wrong_pin_names_the_slot(self):
        wrong = "not-the-pin-31337"
        line = self.fails(["--hsm-model", "softhsm2", "--hsm-slot", str(self.slot)],
                          env={"KMS_HSM_PASSWORD": wrong}, code=1)
        self.assertIn(f"slot {self.slot}", line)
        self.assertIn("PIN_INCORRECT", line)
        self.assertNotIn(wrong, line)

    def test_password_file_and_passwords_together(self):
        pins = self.tmp / "pins"
        pins.write_text("x\n")
        line = self.fails(["--hsm-model", "softhsm2", "--hsm-slot", "0", "--hsm-password-file", str(pins)],
                          env={"KMS_HSM_PASSWORD": "y"})
        self.assertIn("not both", line)

    def test_unknown_instance_key(self):
        line = self.fails([], config=("key.toml", '[[hsm_instances]]\nhsm_model = "softhsm2"\nhsm_slots = [0]\n'))
        self.assertIn("unknown key 'hsm_slots'", line)


if __name__ == "__main__":
    main()
