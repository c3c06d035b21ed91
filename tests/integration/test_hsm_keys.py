#!/usr/bin/env python3
"""Keys inside HSMs through a real kmsd over HTTP, on real SoftHSM2 tokens:

    test_hsm_keys.py --kmsd BUILD/core/kmsd --plugins-dir BUILD/plugins [-v]

- Three instances (two softhsm2, one `other` pointed at SoftHSM2's library, non-critical, with a
  configured slot that has no token): create, use and destroy keys through every prefix;
  /hsm/status.
- The flat form (flags, PINs in a password file): legacy hsm::<slot>::<key> UIDs.
- Permissions: only hsm_admin users create; admins grant; others get "not found".
- pkcs11-tool sees the keys kmsd made, and kmsd uses a key pkcs11-tool made.
PINs go to kmsd in the config file or a password file, and to pkcs11-tool in the environment.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))

from credentials import JwtUsers  # noqa: E402
from kmip_requests import PKCS1, create_hsm_aes, create_hsm_rsa, decrypt_encrypted, encrypt, oaep, uid_op  # noqa: E402
from servers import ARGS, kmip_as, main, rest_as  # noqa: E402
from softhsm import pkcs11_tool  # noqa: E402
from kmsd import Kmsd, b, default_binary, e, st, t, value  # noqa: E402
from softhsm import SoftHsm  # noqa: E402

ISSUER = "https://idp.hsm.test"
AUDIENCE = "kmsd-hsm"
ADMIN = "hsmadmin@example.com"
OPS = "ops@example.com"        # admin of the second instance only
ALICE = "alice@example.com"    # gets grants
BOB = "bob@example.com"        # gets nothing
# SoftHSM2 always offers one more slot, numbered after the initialised tokens, whose token is not
# initialised: a configured slot with no usable token behind it.
MISSING_SLOT = 4
MESSAGE = b"hello from the HSM test"

CONFIG = """
plugins_dir = "{plugins}"
[idp_auth]
jwt_auth_provider = ["{issuer},{jwks},{audience}"]

[[hsm_instances]]
hsm_model = "softhsm2"
hsm_admin = ["{admin}"]
hsm_slot = [{s0}, {s1}]
hsm_password = ["{pin}", "{pin}"]

[[hsm_instances]]
hsm_model = "softhsm2"
hsm_admin = ["{admin}", "{ops}"]
hsm_slot = [{s2}]
hsm_password_file = "{pins}"

[[hsm_instances]]
hsm_model = "other"
hsm_admin = ["{admin}"]
hsm_library = "{library}"
hsm_slot = [{s3}, {missing}]
hsm_password = ["{pin}", "{pin}"]
critical = false
settings = {{ oaep_hashes = "sha1" }}
"""


class HsmKeys(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = Path(tempfile.mkdtemp(prefix="kmsd-hsm-keys-"))
        cls.hsm = SoftHsm(tokens=4, label_prefix="hsmkeys").start()
        tok = cls.hsm.tokens
        cls.slots = [x.slot_id for x in tok]
        pins = cls.tmp / "pins.txt"
        pins.write_text(tok[2].pin + "\n")
        pins.chmod(0o600)
        cls.users = JwtUsers(cls.tmp, "hsm", ISSUER, AUDIENCE, (ADMIN, OPS, ALICE, BOB))
        config = CONFIG.format(plugins=ARGS.plugins_dir, issuer=ISSUER, jwks=cls.users.jwks_path,
                               audience=AUDIENCE, admin=ADMIN, ops=OPS, s0=tok[0].slot_id, s1=tok[1].slot_id,
                               s2=tok[2].slot_id, s3=tok[3].slot_id, missing=MISSING_SLOT, pin=tok[0].pin,
                               pins=pins, library=cls.hsm.library)
        # --rsa-pkcs1v15-decrypt: the PKCS#1 v1.5 round trips below (off by default, issue 22).
        cls.kmsd = Kmsd(default_binary(), config_text=config, extra_args=["--rsa-pkcs1v15-decrypt"]).__enter__()
        # (prefix, slot) for every configured slot that has a token.
        cls.places = [("softhsm2", cls.slots[0]), ("softhsm2", cls.slots[1]), ("softhsm2_1", cls.slots[2]),
                      ("other", cls.slots[3])]

    @classmethod
    def tearDownClass(cls):
        cls.kmsd.__exit__(None, None, None)
        cls.hsm.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    # -- requests --------------------------------------------------------------------------

    def call(self, user: str, node: dict):
        return kmip_as(self.kmsd, node, self.users.headers(user))

    def ok(self, node: dict, user: str = ADMIN) -> dict:
        status, body = self.call(user, node)
        self.assertEqual(status, 200, f"{node['tag']} as {user}: {body}")
        return body

    def rest(self, user: str, method: str, path: str, obj=None):
        return rest_as(self.kmsd, method, path, obj, self.users.headers(user))[:2]

    def roundtrip_aes(self, uid: str, user: str = ADMIN) -> None:
        enc = self.ok(encrypt(uid, MESSAGE), user)
        self.assertNotEqual(bytes.fromhex(value(enc, "Data")), MESSAGE)
        self.assertEqual(len(bytes.fromhex(value(enc, "IVCounterNonce"))), 12)
        dec = self.ok(decrypt_encrypted(uid, enc), user)
        self.assertEqual(bytes.fromhex(value(dec, "Data")), MESSAGE)

    def attributes(self, uid: str, user: str = ADMIN) -> dict:
        body = self.ok(uid_op("GetAttributes", uid), user)
        out = {}
        for item in body["value"][1]["value"]:
            out[item["tag"]] = item["value"]
        return out

    # -- tests -----------------------------------------------------------------------------

    def test_status_reports_every_instance_and_slot(self):
        status, body = self.rest(ADMIN, "GET", "/hsm/status")
        self.assertEqual(status, 200, body)
        self.assertEqual([x["prefix"] for x in body], ["hsm::softhsm2", "hsm::softhsm2_1", "hsm::other"])
        self.assertEqual([x["model"] for x in body], ["softhsm2", "softhsm2", "other"])
        slots = {(x["prefix"], s["slot_id"]): s for x in body for s in x["slots"]}
        for prefix, slot in self.places:
            entry = slots[(f"hsm::{prefix}", slot)]
            self.assertTrue(entry["accessible"], entry)
            self.assertTrue(entry["token_label"].startswith("hsmkeys-"), entry)
        missing = slots[("hsm::other", MISSING_SLOT)]
        self.assertFalse(missing["accessible"], missing)
        self.assertIn("error", missing)
        self.assertNotIn(self.hsm.tokens[0].pin, json.dumps(body))
        # Authenticated: no token, no status.
        status, _, _ = self.kmsd.request("GET", "/hsm/status")
        self.assertEqual(status, 401)

    def test_aes_through_every_prefix(self):
        for prefix, slot in self.places:
            for bits in (128, 192, 256):
                with self.subTest(prefix=prefix, slot=slot, bits=bits):
                    uid = f"hsm::{prefix}::{slot}::aes-{bits}"
                    created = self.ok(create_hsm_aes(uid, bits))
                    self.assertEqual(value(created, "UniqueIdentifier"), uid)
                    self.roundtrip_aes(uid)
                    attrs = self.attributes(uid)
                    self.assertEqual(attrs["CryptographicLength"], bits)
                    self.assertEqual(attrs["CryptographicAlgorithm"], "AES")
                    self.assertEqual(attrs["ObjectType"], "SymmetricKey")
                    self.assertIs(attrs["Sensitive"], True)
                    self.assertEqual(attrs["State"], "Active")
                    status, body = self.call(ADMIN, uid_op("Get", uid))
                    self.assertEqual(status, 403, body)
                    self.assertIn("sensitive", str(body))
                    self.ok(uid_op("Destroy", uid))
                    status, body = self.call(ADMIN, uid_op("Get", uid))
                    self.assertEqual(status, 404, body)

    def test_non_sensitive_aes_is_exported(self):
        uid = f"hsm::softhsm2_1::{self.slots[2]}::open-aes"
        self.ok(create_hsm_aes(uid, 128, sensitive=False))
        got = self.ok(uid_op("Get", uid, e("KeyFormatType", "Raw")))
        self.assertEqual(len(bytes.fromhex(value(got, "SymmetricKey/KeyBlock/KeyValue/KeyMaterial"))), 16)
        self.ok(uid_op("Destroy", uid))

    def test_rsa_pair(self):
        uid = f"hsm::softhsm2_1::{self.slots[2]}::rsa"
        created = self.ok(create_hsm_rsa(uid, 2048))
        self.assertEqual(value(created, "PrivateKeyUniqueIdentifier"), uid)
        self.assertEqual(value(created, "PublicKeyUniqueIdentifier"), uid + "_pk")
        pub = uid + "_pk"
        # The public key in every format; SPKI (X_509 and Cosmian's PKCS_8) parses with openssl.
        der = {}
        for fmt in ("PKCS_1", "X_509", "PKCS_8", "TransparentRSAPublicKey"):
            got = self.ok(uid_op("Get", pub, e("KeyFormatType", fmt)))
            self.assertEqual(value(got, "PublicKey/KeyBlock/KeyFormatType"), fmt)
            if fmt != "TransparentRSAPublicKey":
                der[fmt] = bytes.fromhex(value(got, "PublicKey/KeyBlock/KeyValue/KeyMaterial"))
        self.assertEqual(der["X_509"], der["PKCS_8"])
        spki = self.tmp / "pub.der"
        spki.write_bytes(der["X_509"])
        pem = subprocess.run(["openssl", "pkey", "-pubin", "-inform", "DER", "-in", str(spki)],
                             capture_output=True, text=True, check=True).stdout
        self.assertIn("BEGIN PUBLIC KEY", pem)
        exported = self.ok(uid_op("Export", pub))
        self.assertEqual(value(exported, "Attributes/ObjectType"), "PublicKey")
        # The private key is sensitive by default.
        status, body = self.call(ADMIN, uid_op("Get", uid))
        self.assertEqual(status, 403, body)
        self.assertIn("sensitive", str(body))
        attrs = self.attributes(uid)
        self.assertEqual((attrs["ObjectType"], attrs["CryptographicLength"]), ("PrivateKey", 2048))
        # OAEP SHA-1 and PKCS#1 v1.5 round trips; OAEP SHA-256 (the default) is refused by SoftHSM2.
        for params in (oaep("SHA_1"), PKCS1):
            enc = self.ok(uid_op("Encrypt", pub, params, b("Data", MESSAGE)))
            dec = self.ok(uid_op("Decrypt", uid, params, b("Data", value(enc, "Data"))))
            self.assertEqual(bytes.fromhex(value(dec, "Data")), MESSAGE)
        status, body = self.call(ADMIN, uid_op("Encrypt", pub, b("Data", MESSAGE)))
        self.assertIn(status, (400, 422, 501), body)
        self.assertIn("sha256", str(body).lower().replace("-", ""))
        # Sign with the HSM, verify (with the public key) through kmsd.
        signed = self.ok(uid_op("Sign", uid, b("Data", MESSAGE)))
        signature = value(signed, "SignatureData")
        ok = self.ok(uid_op("SignatureVerify", pub, b("Data", MESSAGE), b("SignatureData", signature)))
        self.assertEqual(value(ok, "ValidityIndicator"), "Valid")
        bad = self.ok(uid_op("SignatureVerify", uid, b("Data", MESSAGE + b"!"), b("SignatureData", signature)))
        self.assertEqual(value(bad, "ValidityIndicator"), "Invalid")
        self.ok(uid_op("Destroy", uid))
        self.ok(uid_op("Destroy", pub))
        self.assertEqual(self.call(ADMIN, uid_op("GetAttributes", pub))[0], 404)

    def test_rsa_sizes_on_the_other_model(self):
        for bits in (3072, 4096):
            with self.subTest(bits=bits):
                uid = f"hsm::other::{self.slots[3]}::rsa{bits}"
                self.ok(create_hsm_rsa(uid, bits))
                self.assertEqual(self.attributes(uid + "_pk")["CryptographicLength"], bits)
                enc = self.ok(uid_op("Encrypt", uid + "_pk", oaep("SHA_1"), b("Data", MESSAGE)))
                dec = self.ok(uid_op("Decrypt", uid, oaep("SHA_1"), b("Data", value(enc, "Data"))))
                self.assertEqual(bytes.fromhex(value(dec, "Data")), MESSAGE)
                self.ok(uid_op("Destroy", uid))
                self.ok(uid_op("Destroy", uid + "_pk"))

    def test_only_admins_create(self):
        for user in (ALICE, BOB):
            status, body = self.call(user, create_hsm_aes(f"hsm::softhsm2::{self.slots[0]}::by-{user}"))
            self.assertEqual(status, 403, body)
        # ops administers the second instance only.
        uid = f"hsm::softhsm2_1::{self.slots[2]}::by-ops"
        self.ok(create_hsm_aes(uid), OPS)
        status, body = self.call(OPS, create_hsm_aes(f"hsm::softhsm2::{self.slots[0]}::by-ops"))
        self.assertEqual(status, 403, body)
        self.ok(uid_op("Destroy", uid), OPS)

    def test_grants(self):
        uid = f"hsm::softhsm2::{self.slots[1]}::granted"
        self.ok(create_hsm_aes(uid))
        for user in (ALICE, BOB):
            for op in ("Get", "GetAttributes", "Destroy"):
                status, body = self.call(user, uid_op(op, uid))
                self.assertEqual(status, 404, f"{op} as {user}: {body}")
                self.assertIn("not found", str(body))
            status, body = self.call(user, encrypt(uid, MESSAGE))
            self.assertEqual(status, 404, body)
        # Nobody but an admin of the instance grants; the answer is the one of a missing key.
        grant = {"unique_identifier": uid, "user_id": ALICE, "operation_types": ["encrypt", "decrypt", "get", "destroy"]}
        self.assertEqual(self.rest(BOB, "POST", "/access/grant", grant)[0], 404)
        self.assertEqual(self.rest(OPS, "POST", "/access/grant", grant)[0], 404)
        status, body = self.rest(ADMIN, "POST", "/access/grant", grant)
        self.assertEqual(status, 200, body)
        status, listed = self.rest(ADMIN, "GET", f"/access/list/{uid}")
        self.assertEqual(status, 200, listed)
        self.assertEqual(listed[0]["user_id"], ALICE)
        self.roundtrip_aes(uid, ALICE)
        self.assertIs(self.attributes(uid, ALICE)["Sensitive"], True)
        for op in ("Get", "GetAttributes"):
            self.assertEqual(self.call(BOB, uid_op(op, uid))[0], 404)
        # Locate: admins and grantees see the key, others do not.
        locate = st("Locate", st("Attributes", st("Name", t("NameValue", "granted"), e("NameType", "UninterpretedTextString"))))
        for user, seen in ((ADMIN, True), (ALICE, True), (BOB, False)):
            found = [c["value"] for c in self.ok(locate, user)["value"] if c["tag"] == "UniqueIdentifier"]
            self.assertEqual(uid in found, seen, f"{user}: {found}")
        # Alice may destroy; the grants go with the key.
        self.ok(uid_op("Destroy", uid), ALICE)
        self.ok(create_hsm_aes(uid))
        self.assertEqual(self.call(ALICE, uid_op("GetAttributes", uid))[0], 404)
        self.ok(uid_op("Destroy", uid))

    def test_locate_filters(self):
        uid = f"hsm::other::{self.slots[3]}::findme"
        self.ok(create_hsm_aes(uid, 192))
        def located(*attrs):
            body = self.ok(st("Locate", st("Attributes", *attrs)))
            return [c["value"] for c in body["value"] if c["tag"] == "UniqueIdentifier"]
        self.assertIn(uid, located(e("ObjectType", "SymmetricKey"), e("CryptographicAlgorithm", "AES")))
        self.assertIn(uid, located(st("Name", t("NameValue", "findme"), e("NameType", "UninterpretedTextString"))))
        self.assertNotIn(uid, located(e("ObjectType", "PrivateKey")))
        self.ok(uid_op("Destroy", uid))

    def test_pkcs11_tool_sees_kmsd_keys_and_kmsd_uses_tool_keys(self):
        token = self.hsm.tokens[0]
        self.ok(create_hsm_aes(f"hsm::softhsm2::{token.slot_id}::vis-aes"))
        self.ok(create_hsm_rsa(f"hsm::softhsm2::{token.slot_id}::vis-rsa"))
        listing = pkcs11_tool(self.hsm.library, token.slot_id, token.pin, "--list-objects")
        for label in ("vis-aes", "vis-rsa", "vis-rsa_pk"):
            self.assertRegex(listing, rf"label:\s+{label}\n")
        self.assertIn("Secret Key Object; AES", listing)
        # A key provisioned outside kmsd, on the second slot of the first instance.
        other = self.hsm.tokens[1]
        pkcs11_tool(self.hsm.library, other.slot_id, other.pin, "--keygen", "--key-type", "AES:32",
                    "--label", "ext-aes", "--id", "0badcafe")
        uid = f"hsm::softhsm2::{other.slot_id}::ext-aes"
        self.roundtrip_aes(uid)
        self.assertEqual(self.attributes(uid)["CryptographicLength"], 256)
        for label in ("vis-aes", "vis-rsa", "vis-rsa_pk"):
            self.ok(uid_op("Destroy", f"hsm::softhsm2::{token.slot_id}::{label}"))
        self.ok(uid_op("Destroy", uid))
        listing = pkcs11_tool(self.hsm.library, token.slot_id, token.pin, "--list-objects")
        self.assertNotIn("vis-aes", listing)

    def test_kmsd_keeps_serving_with_a_missing_slot(self):
        status, body = self.call(ADMIN, create_hsm_aes(f"hsm::other::{MISSING_SLOT}::nothing"))
        self.assertNotEqual(status, 200, body)
        self.assertTrue(self.kmsd.alive())
        self.assertEqual(self.kmsd.get("/health")[0], 200)


class LegacyFlatForm(unittest.TestCase):
    """The flat form: one instance from flags, PINs from a password file, legacy UIDs."""

    def test_legacy_uids(self):
        with SoftHsm(tokens=2, label_prefix="legacy") as hsm:
            s0, s1 = (x.slot_id for x in hsm.tokens)
            tmp = Path(tempfile.mkdtemp(prefix="kmsd-hsm-flat-"))
            try:
                pins = tmp / "pins"
                pins.write_text(f"{hsm.tokens[0].pin}\n{hsm.tokens[1].pin}\n")
                pins.chmod(0o600)
                args = ["--plugins-dir", ARGS.plugins_dir, "--hsm-model", "softhsm2", "--hsm-admin", "admin",
                        "--hsm-slot", str(s0), "--hsm-slot", str(s1), "--hsm-password-file", str(pins)]
                with Kmsd(default_binary(), extra_args=args) as k:
                    self.assertNotIn(hsm.tokens[0].pin, k.command())
                    def ok(node):
                        status, body = k.post_json("/kmip/2_1", node)
                        self.assertEqual(status, 200, f"{node['tag']}: {body}")
                        return body
                    legacy, modern = f"hsm::{s1}::flat-aes", f"hsm::softhsm2::{s1}::flat-aes"
                    self.assertEqual(value(ok(create_hsm_aes(legacy)), "UniqueIdentifier"), legacy)
                    enc = ok(st("Encrypt", t("UniqueIdentifier", legacy), b("Data", MESSAGE)))
                    dec = ok(st("Decrypt", t("UniqueIdentifier", modern), b("Data", value(enc, "Data")),
                                b("IVCounterNonce", value(enc, "IVCounterNonce")),
                                b("AuthenticatedEncryptionTag", value(enc, "AuthenticatedEncryptionTag"))))
                    self.assertEqual(bytes.fromhex(value(dec, "Data")), MESSAGE)
                    pair = ok(create_hsm_rsa(f"hsm::{s0}::flat-rsa"))
                    self.assertEqual(value(pair, "PublicKeyUniqueIdentifier"), f"hsm::{s0}::flat-rsa_pk")
                    ok(uid_op("Get", f"hsm::{s0}::flat-rsa_pk", e("KeyFormatType", "PKCS_8")))
                    ok(uid_op("Get", f"hsm::softhsm2::{s0}::flat-rsa_pk"))
                    status, body = k.get("/hsm/status")
                    self.assertEqual(status, 200, body)
                    self.assertEqual(body[0]["prefix"], "hsm::softhsm2")
                    self.assertTrue(all(s["accessible"] for s in body[0]["slots"]), body)
                    for uid in (legacy, f"hsm::{s0}::flat-rsa", f"hsm::{s0}::flat-rsa_pk"):
                        ok(uid_op("Destroy", uid))
                    status, body = k.post_json("/kmip/2_1", uid_op("GetAttributes", modern))
                    self.assertEqual(status, 404, body)
                    self.assertNotIn(hsm.tokens[0].pin, k.log_text())
            finally:
                shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
