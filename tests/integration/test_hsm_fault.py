#!/usr/bin/env python3
"""kmsd through an HSM outage (issue 7 point 6), on a real SoftHSM2 token seen through the
fault-injecting PKCS#11 forwarding module tests/fixtures/faultyp11:

    test_hsm_fault.py --kmsd BUILD/core/kmsd --plugins-dir BUILD/plugins [-v]

The softhsm2 instance's library is the shim (libkms_faultyp11.so, found at
BUILD/tests/fixtures/faultyp11/ next to BUILD/plugins, or named by KMS_TEST_FAULTY_P11); the shim
forwards to SoftHSM2 and answers CKR_DEVICE_REMOVED while the switch file exists (the HSM link is
cut), and invalidates the sessions opened before the outage once it is back.

During the outage: keys already unwrapped in kmsd's cache keep working and make no HSM call;
a key never used (cache miss), a new wrapped key and the HSM key itself fail with HTTP 503
"HSM unavailable"; nothing is stored; kmsd stays up. Once the switch file is gone, everything
works again within seconds, without restarting kmsd. The token PIN never reaches the log.
An outage that only GET /hsm/status saw leaves kmsd with dead sessions: the next operation
recovers on its first try.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))

from kmip_requests import (create_aes, create_hsm_aes, create_hsm_rsa, decrypt_encrypted, encrypt,  # noqa: E402
                           locate_by_name, uids_of)
from servers import faulty_hsm_kmsd, faulty_p11_path, main  # noqa: E402
from kmsd import b, e, st, t, value  # noqa: E402
from softhsm import SoftHsm  # noqa: E402

# Distinctive, so that finding it in the log cannot be a coincidence.
PIN = "Fault-PIN-40417"
ADMIN = "admin"  # no authentication configured: every request acts as the default user
MESSAGE = b"written while the HSM was reachable"
RECOVERY_S = 10.0


class HsmOutage(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.shim = faulty_p11_path()
        cls.tmp = Path(tempfile.mkdtemp(prefix="kmsd-hsm-fault-"))
        cls.switch = cls.tmp / "hsm-down"
        cls.shim_log = cls.tmp / "faultyp11.log"
        cls.hsm = SoftHsm(tokens=1, pin=PIN, label_prefix="hsmfault").start()
        cls.slot = cls.hsm.tokens[0].slot_id
        try:
            cls.kmsd = faulty_hsm_kmsd(cls.tmp, cls.hsm, ADMIN, cls.shim).__enter__()
        except BaseException:
            cls.hsm.stop()
            shutil.rmtree(cls.tmp, ignore_errors=True)
            raise

    @classmethod
    def tearDownClass(cls):
        cls.kmsd.__exit__(None, None, None)
        cls.hsm.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def setUp(self):
        self.addCleanup(self.hsm_on)  # never leave the next test with a dead HSM

    # -- the switch ------------------------------------------------------------------------

    def hsm_off(self) -> None:
        self.switch.touch()

    def hsm_on(self) -> None:
        self.switch.unlink(missing_ok=True)

    def injected(self) -> int:
        """Calls the shim refused so far (one `inject` line each)."""
        try:
            lines = self.shim_log.read_text().splitlines()
        except FileNotFoundError:
            return 0
        return sum(1 for line in lines if line.startswith("inject "))

    # -- requests --------------------------------------------------------------------------

    def call(self, node: dict):
        return self.kmsd.post_json("/kmip/2_1", node)

    def ok(self, node: dict, what: str) -> dict:
        status, body = self.call(node)
        self.assertEqual(status, 200, f"{what}: expected HTTP 200, got {status}: {str(body)[:500]}")
        return body

    def unavailable(self, node: dict, what: str, hsm_message: bool = True) -> None:
        status, body = self.call(node)
        self.assertEqual(status, 503, f"{what} with the HSM down: expected HTTP 503, got {status}: {str(body)[:500]}")
        if hsm_message:
            self.assertIn("HSM unavailable", str(body), f"{what} with the HSM down: the body does not say why")
        self.assertTrue(self.kmsd.alive(), f"kmsd died after {what} with the HSM down")

    def roundtrip(self, uid: str, what: str) -> None:
        enc = self.ok(encrypt(uid, MESSAGE), f"Encrypt with {what}")
        self.assertNotEqual(bytes.fromhex(value(enc, "Data")), MESSAGE, f"Encrypt with {what} returned the clear text")
        dec = self.ok(decrypt_encrypted(uid, enc), f"Decrypt with {what}")
        self.assertEqual(bytes.fromhex(value(dec, "Data")), MESSAGE, f"Decrypt with {what} gave other bytes")

    def create_wrapped(self, wrapping_uid: str, what: str, name: str | None = None) -> str:
        body = self.ok(create_aes(name=name, wrapping=wrapping_uid), f"Create of {what} wrapped by {wrapping_uid}")
        uid = value(body, "UniqueIdentifier")
        self.assertTrue(uid and not uid.startswith("hsm::"), f"{what}: expected a KMS database UID, got {uid!r}")
        return uid

    def eventually_ok(self, node: dict, what: str) -> dict:
        """The HSM is back: `node` must succeed within RECOVERY_S, without a restart."""
        deadline = time.monotonic() + RECOVERY_S
        while True:
            status, body = self.call(node)
            if status == 200:
                return body
            if time.monotonic() > deadline:
                self.fail(f"{what}: still HTTP {status} {RECOVERY_S:.0f} s after the HSM came back: {str(body)[:500]}")
            self.assertTrue(self.kmsd.alive(), f"kmsd died while the HSM came back ({what})")
            time.sleep(0.25)

    def check_alive(self, when: str) -> None:
        self.assertTrue(self.kmsd.alive(), f"kmsd is not running {when}")
        status, body = self.kmsd.get("/health")  # any answer will do: kmsd is alive
        self.assertIsInstance(status, int, f"GET /health {when}: {body}")
        self.assertTrue(self.kmsd.alive(), f"kmsd died on GET /health {when}")

    def check_log(self) -> None:
        self.assertNotIn(PIN, self.kmsd.log_text(), "the token PIN is in the kmsd log")

    def outage(self, wrapping_uid: str, hsm_key: str, label: str) -> None:
        """The common shape: a cached key works, an uncached one and a new one fail with 503,
        the HSM key itself fails, nothing is stored; then everything recovers."""
        cached = self.create_wrapped(wrapping_uid, f"{label} key A")
        uncached = self.create_wrapped(wrapping_uid, f"{label} key B")
        self.roundtrip(cached, f"{label} key A before the outage")  # unwrapped now: in the cache

        self.hsm_off()
        before = self.injected()
        self.roundtrip(cached, f"{label} key A (cached) during the outage")
        self.roundtrip(cached, f"{label} key A (cached) during the outage, again")
        self.assertEqual(self.injected(), before,
                         f"{label}: using the cached key A during the outage called the HSM "
                         f"(shim log {self.shim_log}: {self.shim_log.read_text() if self.shim_log.exists() else ''})")
        self.unavailable(encrypt(uncached, MESSAGE), f"Encrypt with {label} key B (never unwrapped)")
        self.assertGreater(self.injected(), before, f"{label}: key B's unwrap never reached the (down) HSM")
        name = f"{label}-created-during-outage"
        self.unavailable(create_aes(name=name, wrapping=wrapping_uid), f"Create of a key wrapped by {wrapping_uid}")
        self.unavailable(hsm_key, f"{label}: an operation on the HSM key itself")
        self.check_alive("during the outage")
        status, body = self.call(locate_by_name(name))
        if status == 200:  # Locate may also need the HSM (it lists HSM keys): 503 is fine too
            self.assertEqual(uids_of(body), [], f"{label}: the Create that failed stored {uids_of(body)}")
        # Still served from the cache after all these failures.
        self.roundtrip(cached, f"{label} key A (cached) late in the outage")

        self.hsm_on()
        enc = self.eventually_ok(encrypt(uncached, MESSAGE), f"Encrypt with {label} key B after the outage")
        dec = self.ok(decrypt_encrypted(uncached, enc), f"Decrypt with {label} key B after the outage")
        self.assertEqual(bytes.fromhex(value(dec, "Data")), MESSAGE, f"{label} key B after the outage")
        fresh = self.create_wrapped(wrapping_uid, f"{label} key C after the outage")
        self.roundtrip(fresh, f"{label} key C after the outage")
        self.roundtrip(cached, f"{label} key A after the outage")
        located = uids_of(self.ok(locate_by_name(name), f"Locate {name} after the outage"))
        self.assertEqual(located, [], f"{label}: the Create that failed during the outage stored {located}")
        self.check_alive("after the outage")
        self.check_log()

    # -- tests -----------------------------------------------------------------------------

    def test_hsm_key_alone(self):
        """No wrapped key: an HSM key's own operations fail with 503 while the HSM is down and
        work again once it is back (the driver reopens its sessions and logs in again)."""
        uid = f"hsm::softhsm2::{self.slot}::plain"
        self.ok(create_hsm_aes(uid), f"Create of the HSM key {uid}")
        self.roundtrip(uid, "the HSM key before the outage")
        self.hsm_off()
        self.unavailable(encrypt(uid, MESSAGE), "Encrypt with the HSM key")
        self.unavailable(create_hsm_aes(f"hsm::softhsm2::{self.slot}::during"), "Create of an HSM key")
        self.check_alive("during the outage")
        self.hsm_on()
        self.eventually_ok(encrypt(uid, MESSAGE), "Encrypt with the HSM key after the outage")
        self.roundtrip(uid, "the HSM key after the outage")
        self.ok(st("Destroy", t("UniqueIdentifier", uid)), f"Destroy {uid}")
        self.check_log()

    def test_outage_seen_only_by_the_status_probe(self):
        """A short outage that only GET /hsm/status noticed: the sessions kmsd keeps are dead
        afterwards (the shim answers CKR_SESSION_HANDLE_INVALID once on each), and the next
        operation recovers on its first try: the driver reopens a session and logs in again."""
        kek = f"hsm::softhsm2::{self.slot}::blip-kek"
        self.ok(create_hsm_aes(kek), f"Create of the HSM key {kek}")
        uncached = self.create_wrapped(kek, "blip key")
        # kmsd now holds an idle session. (Encrypt only: a key that wraps keys serves no Decrypt.)
        self.ok(encrypt(kek, MESSAGE), "Encrypt with the HSM key before the outage")
        self.hsm_off()
        status, body = self.kmsd.get("/hsm/status")
        self.assertEqual(status, 200, f"GET /hsm/status during the outage: {body}")
        slots = [s for x in body for s in x["slots"]]
        self.assertEqual([s["accessible"] for s in slots], [False], f"GET /hsm/status during the outage: {body}")
        self.hsm_on()
        stale_before = self.shim_log.read_text().count("stale ") if self.shim_log.exists() else 0
        self.ok(encrypt(uncached, MESSAGE), "Encrypt with a wrapped key (cache miss) right after the outage")
        self.ok(encrypt(kek, MESSAGE), "Encrypt with the HSM key right after the outage")
        self.assertGreater(self.shim_log.read_text().count("stale "), stale_before,
                           "the shim never answered CKR_SESSION_HANDLE_INVALID: this test did not test recovery")
        self.check_alive("after the outage")

    def test_aes_wrapping_key(self):
        kek = f"hsm::softhsm2::{self.slot}::kek"
        created = self.ok(create_hsm_aes(kek), f"Create of the HSM key {kek}")
        self.assertEqual(value(created, "UniqueIdentifier"), kek)
        self.outage(kek, encrypt(kek, MESSAGE), "aes")
        self.ok(encrypt(kek, MESSAGE), "Encrypt with the HSM key after the outage")

    def test_rsa_wrapping_key(self):
        private = f"hsm::softhsm2::{self.slot}::rsakek"
        public = private + "_pk"
        created = self.ok(create_hsm_rsa(private), f"CreateKeyPair of the HSM pair {private}")
        self.assertEqual(value(created, "PublicKeyUniqueIdentifier"), public)
        # Signing with the private key needs the HSM. (Not Decrypt: once keys are wrapped under
        # its public half, the private key serves no Decrypt.)
        sign = st("Sign", t("UniqueIdentifier", private),
                  st("CryptographicParameters", e("PaddingMethod", "PKCS1V1_5"), e("HashingAlgorithm", "SHA_256")),
                  b("Data", MESSAGE))
        self.outage(public, sign, "rsa")
        self.assertTrue(value(self.ok(sign, "Sign with the HSM private key after the outage"), "SignatureData"))


if __name__ == "__main__":
    main()
