#!/usr/bin/env python3
"""KMS keys stored wrapped by HSM keys, through a real kmsd on real SoftHSM2 tokens:

    test_wrapped_keys.py --kmsd BUILD/core/kmsd --plugins-dir BUILD/plugins [-v]

- WrappedKeys (one kmsd, JWT users ADMIN (hsm_admin) and BOB):
  AES and RSA wrapping keys (every form of the wrapping_key_id vendor attribute), Register and
  Import of clear keys, Get wrapped / NotWrapped (checked with python3-cryptography), Sensitive,
  who may wrap by an HSM key (hsm_admin or `encrypt` grant), the unwrapped-key cache seen through
  GET /metrics (hits, misses, invalidation on Revoke and Destroy).
- CacheSettings: --unwrapped-cache-max-age, --unwrapped-cache-size (and 0 through the
  environment), --unwrapped-cache-max-lifetime, each on its own kmsd.
- ServerKek: --key-encryption-key wraps every key stored without its own wrapping key; a KEK
  that is missing stops kmsd; KEK rotation with POST /admin/rewrap; the database files and the
  log hold no clear key material (raw, hex, base64).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))

from kmip_requests import (FORMS, create_aes, create_hsm_aes, create_hsm_rsa, create_rsa_pair,  # noqa: E402
                           decrypt, encrypt, get_clear, import_aes, key_block, register_aes, revoke, uid_op,
                           vendor_attribute, wrapping_attribute)
from kmsd import b, bo, e, find, st, t, value  # noqa: E402
from secret_scan import scan_store, scan_tree  # noqa: E402
from servers import ADMIN, BOB, DRIVER_CALLS, Server, env_without_kms, main  # noqa: E402
from softhsm import SoftHsm, pkcs11_tool  # noqa: E402

try:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.serialization import load_der_private_key
except ImportError:  # python3-cryptography not installed: checks through kmsd only
    AESGCM = None
    load_der_private_key = None

MESSAGE = b"wrapped keys: the database never sees them"
RSA_PSS = st("CryptographicParameters", e("PaddingMethod", "PSS"), e("HashingAlgorithm", "SHA_256"),
             e("CryptographicAlgorithm", "RSA"))


class Base(unittest.TestCase):
    """Requests and checks shared by the classes; `self.srv` is a servers.Server."""

    srv: Server

    def ok(self, node: dict, user: str = ADMIN, srv: Server | None = None) -> dict:
        status, body = (srv or self.srv).call(node, user)
        self.assertEqual(status, 200, f"{node['tag']} as {user}: {body}")
        return body

    def fails(self, node: dict, status: int, prefix: str, user: str = ADMIN, srv: Server | None = None) -> str:
        got, body = (srv or self.srv).call(node, user)
        self.assertEqual(got, status, f"{node['tag']} as {user}: HTTP {got}: {body}")
        self.assertIsInstance(body, str, body)
        self.assertTrue(body.startswith(prefix), f"{node['tag']}: body {body!r} does not start with {prefix!r}")
        return body

    def encrypt(self, uid: str, data: bytes = MESSAGE, user: str = ADMIN, srv: Server | None = None) -> dict:
        enc = self.ok(encrypt(uid, data), user, srv)
        return {"data": bytes.fromhex(value(enc, "Data")), "iv": bytes.fromhex(value(enc, "IVCounterNonce")),
                "tag": bytes.fromhex(value(enc, "AuthenticatedEncryptionTag"))}

    def decrypt_node(self, uid: str, ct: dict) -> dict:
        return decrypt(uid, ct["data"], ct["iv"], ct["tag"])

    def decrypt(self, uid: str, ct: dict, user: str = ADMIN, srv: Server | None = None) -> bytes:
        return bytes.fromhex(value(self.ok(self.decrypt_node(uid, ct), user, srv), "Data"))

    def roundtrip(self, uid: str, user: str = ADMIN, srv: Server | None = None) -> dict:
        ct = self.encrypt(uid, MESSAGE, user, srv)
        self.assertNotEqual(ct["data"], MESSAGE)
        self.assertEqual(self.decrypt(uid, ct, user, srv), MESSAGE)
        return ct

    def create(self, node: dict, user: str = ADMIN, srv: Server | None = None) -> str:
        uid = value(self.ok(node, user, srv), "UniqueIdentifier")
        self.assertTrue(uid, node)
        return uid

    def wrapped_block(self, uid: str, wrapping: str, user: str = ADMIN, srv: Server | None = None,
                      fmt: str = "Raw", algorithm: str = "AES") -> dict:
        """Get (default): the stored wrapped block, naming `wrapping`; returns the KeyBlock."""
        block = key_block(self.ok(uid_op("Get", uid), user, srv))
        self.assertIsNotNone(block, f"Get {uid}: no KeyBlock")
        key_value = find(block, "KeyValue")
        self.assertIsNotNone(key_value, block)
        self.assertEqual(key_value.get("type"), "ByteString", f"{uid}: KeyValue is not the wrapped bytes: {block}")
        self.assertGreater(len(bytes.fromhex(key_value["value"])), 0)
        self.assertEqual(value(block, "KeyFormatType"), fmt, block)
        self.assertEqual(value(block, "CryptographicAlgorithm"), algorithm, block)
        self.assertEqual(value(block, "KeyWrappingData/WrappingMethod"), "Encrypt", block)
        self.assertEqual(value(block, "KeyWrappingData/EncryptionKeyInformation/UniqueIdentifier"), wrapping, block)
        return block

    def clear_key(self, uid: str, user: str = ADMIN, srv: Server | None = None, fmt: str | None = None) -> bytes:
        """Get with KeyWrapType NotWrapped: the clear key material (a ByteString)."""
        got = self.ok(get_clear(uid, fmt), user, srv)
        block = key_block(got)
        self.assertIsNotNone(block, got)
        self.assertIsNone(find(block, "KeyWrappingData"), f"NotWrapped still wrapped: {block}")
        material = value(block, "KeyValue/KeyMaterial")
        self.assertIsInstance(material, str, f"no KeyMaterial ByteString: {block}")
        return bytes.fromhex(material)

    def check_clear_aes(self, uid: str, key: bytes, user: str = ADMIN, srv: Server | None = None) -> None:
        """kmsd's AES-GCM and Python's agree with `key`: kmsd encrypts, Python decrypts, and back."""
        self.assertEqual(len(key), 32)
        ct = self.encrypt(uid, MESSAGE, user, srv)
        if AESGCM is not None:
            self.assertEqual(AESGCM(key).decrypt(ct["iv"], ct["data"] + ct["tag"], None), MESSAGE)
            iv = os.urandom(12)
            sealed = AESGCM(key).encrypt(iv, MESSAGE + b"/py", None)
            back = self.decrypt(uid, {"data": sealed[:-16], "iv": iv, "tag": sealed[-16:]}, user, srv)
            self.assertEqual(back, MESSAGE + b"/py")
        else:
            # No python3-cryptography: the exported key registered as a clear key decrypts.
            other = self.create(register_aes(key), user, srv)
            self.assertEqual(self.decrypt(other, ct, user, srv), MESSAGE)

    def rsa_private_exponent(self, der: bytes) -> bytes | None:
        if load_der_private_key is None:
            return None
        key = load_der_private_key(der, password=None)
        d = key.private_numbers().d
        return d.to_bytes((d.bit_length() + 7) // 8, "big")

    def counter(self, name: str = DRIVER_CALLS, srv: Server | None = None) -> float:
        got = (srv or self.srv).metrics()
        self.assertIn(name, got, f"/metrics has no {name}: {sorted(got)}")
        return got[name]


def hsm_aes(srv: Server, uid: str) -> None:
    status, body = srv.call(create_hsm_aes(uid))
    if status != 200:
        raise AssertionError(f"HSM key {uid}: HTTP {status}: {body}")


def hsm_rsa(srv: Server, uid: str) -> None:
    status, body = srv.call(create_hsm_rsa(uid))
    if status != 200:
        raise AssertionError(f"HSM key pair {uid}: HTTP {status}: {body}")


class WrappedKeys(Base):
    """Cases 1-6 on one kmsd (one token)."""

    @classmethod
    def setUpClass(cls):
        cls.srv = Server.on_softhsm("wrapped")
        cls.hsm, cls.tmp, cls.slot = cls.srv.hsm, cls.srv.tmp, cls.srv.slot
        try:
            cls.kek_aes = f"hsm::softhsm2::{cls.slot}::kek-aes"
            cls.kek_rsa = f"hsm::softhsm2::{cls.slot}::kek-rsa"
            hsm_aes(cls.srv, cls.kek_aes)
            hsm_rsa(cls.srv, cls.kek_rsa)
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.srv.close(15)

    # 1 ------------------------------------------------------------------------------------
    def test_1_aes_wrapping_key(self):
        for form in FORMS:
            with self.subTest(form=form):
                uid = self.create(create_aes(wrapping=self.kek_aes, form=form))
                self.roundtrip(uid)
                block = self.wrapped_block(uid, self.kek_aes)
                self.assertEqual(value(block, "CryptographicLength"), 256, block)
                wrapped = bytes.fromhex(value(block, "KeyValue"))
                # RFC 5649 of 32 bytes: 40 bytes; AES-GCM: 32 (+ 16 tag, maybe in the value).
                self.assertIn(len(wrapped), (32, 40, 48), block.get("value"))
                attrs = self.ok(uid_op("GetAttributes", uid))
                self.assertEqual(vendor_attribute(attrs, "wrapping_key_id"), self.kek_aes, attrs)
                key = self.clear_key(uid)
                self.assertNotEqual(key, wrapped[:32])
                self.check_clear_aes(uid, key)
                # Export answers like Get: wrapped by default, clear with NotWrapped.
                exported = key_block(self.ok(uid_op("Export", uid)))
                self.assertEqual(value(exported, "KeyValue"), value(block, "KeyValue"), exported)
                clear = key_block(self.ok(uid_op("Export", uid, e("KeyWrapType", "NotWrapped"))))
                self.assertEqual(bytes.fromhex(value(clear, "KeyValue/KeyMaterial")), key, clear)
        # The legacy UID form hsm::<slot>::<key> is stored under its canonical name.
        uid = self.create(create_aes(wrapping=f"hsm::{self.slot}::kek-aes"))
        self.roundtrip(uid)
        self.wrapped_block(uid, self.kek_aes)

    def test_1c_wrapping_key_attribute_is_the_servers(self):
        """Clients cannot rewrite or delete the record of where the server wrapped a key."""
        uid = self.create(create_aes(wrapping=self.kek_aes))
        forged = st("Attribute", t("VendorIdentification", "cosmian"), t("AttributeName", "wrapping_key_id"),
                    t("AttributeValue", "something-else"))
        for operation in ("SetAttribute", "ModifyAttribute", "AddAttribute"):
            node = st(operation, t("UniqueIdentifier", uid), st("NewAttribute", forged))
            status, body = self.srv.call(node)
            self.assertEqual(status, 400, f"{operation} of wrapping_key_id: {body}")
            self.assertIn("attribute_read_only:", str(body), f"{operation} of wrapping_key_id")
        status, body = self.srv.call(st("DeleteAttribute", t("UniqueIdentifier", uid),
                                        st("AttributeReference", t("VendorIdentification", "cosmian"),
                                           t("AttributeName", "wrapping_key_id"))))
        self.assertEqual(status, 400, f"DeleteAttribute of wrapping_key_id: {body}")
        self.assertIn("attribute_read_only:", str(body), "DeleteAttribute of wrapping_key_id")
        attrs = self.ok(uid_op("GetAttributes", uid))
        self.assertEqual(vendor_attribute(attrs, "wrapping_key_id"), self.kek_aes, attrs)
        self.roundtrip(uid)

    def test_1d_secret_data_is_not_wrapped_silently(self):
        secret = st("SecretData", e("SecretDataType", "Password"),
                    st("KeyBlock", e("KeyFormatType", "Opaque"), st("KeyValue", b("KeyMaterial", b"a password"))))
        plain = st("Register", e("ObjectType", "SecretData"), st("Attributes"), secret)
        self.create(plain)  # kmsd stores secret data
        asked = st("Register", e("ObjectType", "SecretData"),
                   st("Attributes", wrapping_attribute(self.kek_aes)), secret)
        self.fails(asked, 400, "feature_not_supported:")

    def test_1b_wrapping_key_must_be_an_hsm_key(self):
        db_key = self.create(create_aes())
        self.fails(create_aes(wrapping=db_key), 400, "feature_not_supported:")
        missing = f"hsm::softhsm2::{self.slot}::no-such-kek"
        self.fails(create_aes(wrapping=missing), 404, "not_found:")

    # 2 ------------------------------------------------------------------------------------
    def test_2_rsa_wrapping_key(self):
        for name in (self.kek_rsa + "_pk", self.kek_rsa):
            with self.subTest(wrapping=name):
                uid = self.create(create_aes(wrapping=name))
                self.roundtrip(uid)
                block = self.wrapped_block(uid, name)
                self.assertEqual(len(bytes.fromhex(value(block, "KeyValue"))), 256, "RSA-2048 OAEP output")
                params = find(block, "KeyWrappingData/EncryptionKeyInformation/CryptographicParameters")
                self.assertIsNotNone(params, f"no CryptographicParameters in KeyWrappingData: {block}")
                self.assertEqual(value(params, "PaddingMethod"), "OAEP", params)
                self.assertEqual(value(params, "HashingAlgorithm"), "SHA_1", params)
                if value(params, "CryptographicAlgorithm") is not None:
                    self.assertEqual(value(params, "CryptographicAlgorithm"), "RSA", params)
                self.check_clear_aes(uid, self.clear_key(uid))

    def test_2b_rsa_private_key_under_rsa_wrapping_key(self):
        # Too long for OAEP: RSA-AES key wrapping (CKM_RSA_AES_KEY_WRAP style): OAEP of a fresh
        # AES key, then that key wraps the material (RFC 5649); both recorded in the parameters.
        wrapping = self.kek_rsa + "_pk"
        pair = self.ok(create_rsa_pair(wrapping))
        private, public = value(pair, "PrivateKeyUniqueIdentifier"), value(pair, "PublicKeyUniqueIdentifier")
        block = self.wrapped_block(private, wrapping, fmt="PKCS_1", algorithm="RSA")
        params = find(block, "KeyWrappingData/EncryptionKeyInformation/CryptographicParameters")
        self.assertEqual(value(params, "PaddingMethod"), "OAEP", params)
        self.assertEqual(value(params, "BlockCipherMode"), "AESKeyWrapPadding", params)
        der = self.clear_key(private, fmt="PKCS_1")
        wrapped = bytes.fromhex(value(block, "KeyValue"))
        # OAEP block of the 2048-bit wrapping key, then RFC 5649 of the DER (8-byte aligned, +8).
        self.assertEqual(len(wrapped), 256 + ((len(der) + 7) // 8) * 8 + 8, (len(wrapped), len(der)))
        self.assertNotIn(der[-64:], wrapped)
        signed = self.ok(uid_op("Sign", private, RSA_PSS, b("Data", MESSAGE)))
        verified = self.ok(uid_op("SignatureVerify", public, RSA_PSS, b("Data", MESSAGE),
                                  b("SignatureData", value(signed, "SignatureData"))))
        self.assertEqual(value(verified, "ValidityIndicator"), "Valid")

    def test_2c_key_pair_private_key_wrapped_by_aes(self):
        pair = self.ok(create_rsa_pair(self.kek_aes))
        private, public = value(pair, "PrivateKeyUniqueIdentifier"), value(pair, "PublicKeyUniqueIdentifier")
        self.wrapped_block(private, self.kek_aes, fmt="PKCS_1", algorithm="RSA")
        pub_block = key_block(self.ok(uid_op("Get", public)))
        self.assertIsNone(find(pub_block, "KeyWrappingData"), f"public key wrapped: {pub_block}")
        signed = self.ok(uid_op("Sign", private, RSA_PSS, b("Data", MESSAGE)))
        verified = self.ok(uid_op("SignatureVerify", public, RSA_PSS, b("Data", MESSAGE),
                                  b("SignatureData", value(signed, "SignatureData"))))
        self.assertEqual(value(verified, "ValidityIndicator"), "Valid")

    # 3 ------------------------------------------------------------------------------------
    def test_3_register_and_import_clear_key(self):
        for how in ("Register", "Import"):
            for form in ("VendorAttribute-text", "VendorAttributes-bytes"):
                with self.subTest(how=how, form=form):
                    key = os.urandom(32)
                    if how == "Register":
                        uid = self.create(register_aes(key, self.kek_aes, form))
                    else:
                        uid = f"imported-{form}-{os.urandom(4).hex()}"
                        self.assertEqual(self.create(import_aes(uid, key, self.kek_aes, form)), uid)
                    block = self.wrapped_block(uid, self.kek_aes)
                    self.assertNotEqual(bytes.fromhex(value(block, "KeyValue")), key)
                    self.roundtrip(uid)
                    self.check_clear_aes(uid, key)
                    self.assertEqual(self.clear_key(uid), key)
                    if how == "Import":
                        # Replaced while in the cache: the next use takes the new material.
                        new_key = os.urandom(32)
                        node = import_aes(uid, new_key, self.kek_aes, form)
                        node["value"] = [x for x in node["value"] if x["tag"] != "ReplaceExisting"]
                        node["value"].insert(2, {"tag": "ReplaceExisting", "type": "Boolean", "value": True})
                        self.ok(node)
                        self.wrapped_block(uid, self.kek_aes)
                        self.check_clear_aes(uid, new_key)
                        self.assertEqual(self.clear_key(uid), new_key)

    # 4 ------------------------------------------------------------------------------------
    def test_4_who_may_wrap(self):
        kek = f"hsm::softhsm2::{self.slot}::kek-bob"
        hsm_aes(self.srv, kek)
        locate = st("Locate", st("Attributes", e("ObjectType", "SymmetricKey")))
        def bobs_keys():
            return [c["value"] for c in self.ok(locate, BOB)["value"]
                    if c["tag"] == "UniqueIdentifier" and not c["value"].startswith("hsm::")]
        before = bobs_keys()
        refused = self.fails(create_aes(wrapping=kek), 404, "not_found:", user=BOB)
        missing = f"hsm::softhsm2::{self.slot}::kek-nobody"
        absent = self.fails(create_aes(wrapping=missing), 404, "not_found:", user=BOB)
        self.assertEqual(refused.replace(kek, "X"), absent.replace(missing, "X"),
                         "a refused wrapping key must look like a missing one")
        self.fails(register_aes(os.urandom(32), kek), 404, "not_found:", user=BOB)
        # A grant other than encrypt is not enough.
        status, body, _ = self.srv.rest("POST", "/access/grant",
                                        {"unique_identifier": kek, "user_id": BOB, "operation_types": ["get"]})
        self.assertEqual(status, 200, body)
        self.fails(create_aes(wrapping=kek), 404, "not_found:", user=BOB)
        self.assertEqual(bobs_keys(), before, "a refused wrapped Create stored an object")
        status, body, _ = self.srv.rest("POST", "/access/grant",
                                        {"unique_identifier": kek, "user_id": BOB, "operation_types": ["encrypt"]})
        self.assertEqual(status, 200, body)
        uid = self.create(create_aes(wrapping=kek), user=BOB)
        self.roundtrip(uid, BOB)
        self.wrapped_block(uid, kek, user=BOB)
        self.check_clear_aes(uid, self.clear_key(uid, BOB), BOB)
        # Bob's grant is on kek-bob only.
        self.fails(create_aes(wrapping=self.kek_aes), 404, "not_found:", user=BOB)
        # The cache does not bypass access control: the admin's key, hot in the cache, is not Bob's.
        admins = self.create(create_aes(wrapping=kek))
        ct = self.roundtrip(admins)
        self.fails(uid_op("Encrypt", admins, b("Data", MESSAGE)), 404, "not_found:", user=BOB)
        self.fails(self.decrypt_node(admins, ct), 404, "not_found:", user=BOB)
        self.fails(get_clear(admins), 404, "not_found:", user=BOB)

    # 5 ------------------------------------------------------------------------------------
    def test_5_sensitive(self):
        uid = self.create(create_aes(wrapping=self.kek_aes, sensitive=True))
        self.roundtrip(uid)
        self.fails(get_clear(uid), 403, "sensitive:")
        self.fails(get_clear(uid, "Raw"), 403, "sensitive:")
        self.fails(uid_op("Export", uid, e("KeyWrapType", "NotWrapped")), 403, "sensitive:")
        self.wrapped_block(uid, self.kek_aes)
        self.assertIs(value(self.ok(uid_op("GetAttributes", uid)), "Attributes/Sensitive"), True)
        kept = self.create(create_aes(bo("Extractable", False), wrapping=self.kek_aes))
        self.roundtrip(kept)
        self.fails(get_clear(kept), 403, "not_extractable:")
        # KMIP 2.1 4.23: not Extractable -> the value is not retrieved at all, wrapped or not.
        self.fails(uid_op("Get", kept), 403, "not_extractable:")
        self.assertEqual(vendor_attribute(self.ok(uid_op("GetAttributes", kept)), "wrapping_key_id"), self.kek_aes)

    # 6 ------------------------------------------------------------------------------------
    def test_6_cache_hits_and_invalidation(self):
        uid = self.create(create_aes(wrapping=self.kek_aes))
        before = self.srv.metrics()
        for name in (DRIVER_CALLS, "kms_key_cache_hits_total", "kms_key_cache_misses_total",
                     "kms_key_cache_unwraps_total", "kms_key_cache_evictions_total",
                     "kms_key_cache_invalidations_total", "kms_key_cache_entries"):
            self.assertIn(name, before, f"/metrics lacks {name}")
        ct = self.encrypt(uid)
        first = self.srv.metrics()
        self.assertGreater(first[DRIVER_CALLS], before[DRIVER_CALLS], "first use must unwrap in the HSM")
        self.assertGreater(first["kms_key_cache_misses_total"], before["kms_key_cache_misses_total"])
        self.assertGreater(first["kms_key_cache_unwraps_total"], before["kms_key_cache_unwraps_total"])
        self.assertGreaterEqual(first["kms_key_cache_entries"], 1)
        for _ in range(10):
            again = self.encrypt(uid)
            self.assertEqual(self.decrypt(uid, again), MESSAGE)
        warm = self.srv.metrics()
        self.assertEqual(warm[DRIVER_CALLS], first[DRIVER_CALLS], "cached key: no driver call")
        self.assertEqual(warm["kms_key_cache_hits_total"] - first["kms_key_cache_hits_total"], 20)
        self.assertEqual(warm["kms_key_cache_unwraps_total"], first["kms_key_cache_unwraps_total"])
        # An attribute change makes the entry unusable: the next use unwraps again.
        self.ok(uid_op("AddAttribute", uid, st("NewAttribute", st("Name", t("NameValue", "renamed-" + uid),
                                                                  e("NameType", "UninterpretedTextString")))))
        changed = self.srv.metrics()
        self.assertGreater(changed["kms_key_cache_invalidations_total"], warm["kms_key_cache_invalidations_total"])
        self.encrypt(uid)
        rewarmed = self.srv.metrics()
        self.assertGreater(rewarmed[DRIVER_CALLS], changed[DRIVER_CALLS], "changed key served from the old entry")
        self.encrypt(uid)
        warm = self.srv.metrics()
        self.assertEqual(warm[DRIVER_CALLS], rewarmed[DRIVER_CALLS])
        # Revoke: the entry goes; Encrypt is refused; Decrypt (allowed when Deactivated) unwraps again.
        self.ok(revoke(uid))
        revoked = self.srv.metrics()
        self.assertGreater(revoked["kms_key_cache_invalidations_total"], warm["kms_key_cache_invalidations_total"])
        self.fails(uid_op("Encrypt", uid, b("Data", MESSAGE)), 409, "wrong_key_lifecycle_state")
        self.assertEqual(self.decrypt(uid, ct), MESSAGE)
        after = self.srv.metrics()
        self.assertGreater(after[DRIVER_CALLS], revoked[DRIVER_CALLS], "the revoked key's old entry was reused")
        # Destroy (after Revoke: an Active key cannot be destroyed) on a second key in the cache.
        other = self.create(create_aes(wrapping=self.kek_aes))
        ct2 = self.encrypt(other)
        self.ok(revoke(other))
        self.assertEqual(self.decrypt(other, ct2), MESSAGE)    # in the cache again
        cached = self.srv.metrics()
        self.ok(uid_op("Destroy", other))
        destroyed = self.srv.metrics()
        self.assertGreater(destroyed["kms_key_cache_invalidations_total"], cached["kms_key_cache_invalidations_total"])
        self.fails(self.decrypt_node(other, ct2), 409, "wrong_key_lifecycle_state")
        self.fails(uid_op("Encrypt", other, b("Data", MESSAGE)), 409, "wrong_key_lifecycle_state")

    def test_6b_metrics_format(self):
        status, body, headers = self.srv.rest("GET", "/metrics")
        self.assertEqual(status, 200, body)
        self.assertTrue(headers.get("content-type", "").startswith("text/plain"), headers)
        self.assertIn("version=0.0.4", headers.get("content-type", ""))
        self.assertIn(DRIVER_CALLS, body)
        status, _, _ = self.srv.kmsd.request("GET", "/metrics")
        self.assertEqual(status, 401, "GET /metrics is authenticated")


class CacheSettings(Base):
    """Case 7: each cache setting on its own kmsd, sharing one token and its wrapping key."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = Path(tempfile.mkdtemp(prefix="kmsd-wrapcache-"))
        cls.hsm = SoftHsm(tokens=1, label_prefix="wrapcache").start()
        tok = cls.hsm.tokens[0]
        cls.slot = tok.slot_id
        pkcs11_tool(cls.hsm.library, tok.slot_id, tok.pin, "--keygen", "--key-type", "AES:32",
                    "--label", "kek-cache", "--id", "0c0c", "--sensitive", "--usage-wrap", "--usage-decrypt")
        cls.kek = f"hsm::softhsm2::{cls.slot}::kek-cache"

    @classmethod
    def tearDownClass(cls):
        cls.hsm.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def server(self, name: str, *args: str, env: dict | None = None) -> Server:
        srv = Server(self.tmp / name, [self.slot], self.hsm.tokens[0].pin, args, env)
        srv.start()
        self.addCleanup(srv.cleanup)
        self.srv = srv
        return srv

    def use(self, uid: str) -> None:
        self.encrypt(uid)

    def test_7a_max_age(self):
        self.server("age", "--unwrapped-cache-max-age", "2s")
        uid = self.create(create_aes(wrapping=self.kek))
        self.use(uid)
        c0 = self.counter()
        # Used every second for 3 s: never idle for 2 s, never unwrapped again.
        for _ in range(3):
            time.sleep(1.0)
            self.use(uid)
        self.assertEqual(self.counter(), c0, "a key used within max-age was unwrapped again")
        evictions = self.counter("kms_key_cache_evictions_total")
        time.sleep(3.0)
        self.use(uid)
        self.assertGreater(self.counter(), c0, "idle for longer than max-age, yet not unwrapped again")
        self.assertGreater(self.counter("kms_key_cache_evictions_total"), evictions)

    def test_7b_size_one(self):
        self.server("size", "--unwrapped-cache-size", "1")
        a = self.create(create_aes(wrapping=self.kek))
        bkey = self.create(create_aes(wrapping=self.kek))
        self.use(a)
        c0 = self.counter()
        self.use(a)
        self.assertEqual(self.counter(), c0, "A is cached")
        evictions = self.counter("kms_key_cache_evictions_total")
        self.use(bkey)
        c1 = self.counter()
        self.assertGreater(c1, c0)
        self.use(a)
        self.assertGreater(self.counter(), c1, "A should have been evicted by B")
        self.assertGreater(self.counter("kms_key_cache_evictions_total"), evictions)
        self.assertLessEqual(self.counter("kms_key_cache_entries"), 1)

    def test_7c_size_zero_from_environment(self):
        self.server("zero", env={"KMS_UNWRAPPED_CACHE_SIZE": "0"})
        uid = self.create(create_aes(wrapping=self.kek))
        self.use(uid)
        c0 = self.counter()
        hits = self.counter("kms_key_cache_hits_total")
        for _ in range(3):
            self.use(uid)
        self.assertGreaterEqual(self.counter() - c0, 3, "cache size 0: every use unwraps")
        self.assertEqual(self.counter("kms_key_cache_hits_total"), hits)

    def test_7d_max_lifetime(self):
        self.server("life", "--unwrapped-cache-max-lifetime", "2s")
        uid = self.create(create_aes(wrapping=self.kek))
        self.use(uid)
        c0 = self.counter()
        deadline = time.monotonic() + 3.0
        while time.monotonic() < deadline:
            time.sleep(0.5)
            self.use(uid)
        self.assertGreater(self.counter(), c0, "continuous use past max-lifetime must unwrap again")


class ServerKek(Base):
    """Cases 8-10: --key-encryption-key, /admin/rewrap, and what the database files hold."""

    secrets: list[tuple[str, bytes]] = []

    @classmethod
    def setUpClass(cls):
        def keks(hsm: SoftHsm) -> list[str]:
            tok = hsm.tokens[0]
            for label, ident in (("kek-srv", "0a01"), ("kek-new", "0a02"), ("kek-own", "0a03")):
                pkcs11_tool(hsm.library, tok.slot_id, tok.pin, "--keygen", "--key-type", "AES:32",
                            "--label", label, "--id", ident, "--sensitive", "--usage-wrap", "--usage-decrypt")
            return ["--key-encryption-key", f"hsm::softhsm2::{tok.slot_id}::kek-srv"]

        cls.srv = Server.on_softhsm("kek", extra_args=keks)
        cls.hsm, cls.tmp, cls.slot = cls.srv.hsm, cls.srv.tmp, cls.srv.slot
        cls.kek = f"hsm::softhsm2::{cls.slot}::kek-srv"
        cls.kek_new = f"hsm::softhsm2::{cls.slot}::kek-new"
        cls.kek_own = f"hsm::softhsm2::{cls.slot}::kek-own"
        cls.secrets = []
        cls.kek_in_use = cls.kek

    @classmethod
    def tearDownClass(cls):
        cls.srv.close()

    def remember(self, label: str, secret: bytes) -> None:
        type(self).secrets.append((label, secret))

    # 8 ------------------------------------------------------------------------------------
    def test_8a_kek_wraps_every_key(self):
        created = self.create(create_aes())
        self.roundtrip(created)
        self.wrapped_block(created, self.kek)
        key = self.clear_key(created)
        self.check_clear_aes(created, key)
        self.remember("created under the KEK", key)

        clear = os.urandom(32)
        registered = self.create(register_aes(clear))
        self.wrapped_block(registered, self.kek)
        self.check_clear_aes(registered, clear)
        self.assertEqual(self.clear_key(registered), clear)
        self.remember("registered under the KEK", clear)

        pair = self.ok(create_rsa_pair())
        private, public = value(pair, "PrivateKeyUniqueIdentifier"), value(pair, "PublicKeyUniqueIdentifier")
        self.wrapped_block(private, self.kek, fmt="PKCS_1", algorithm="RSA")
        pub_block = key_block(self.ok(uid_op("Get", public)))
        self.assertIsNone(find(pub_block, "KeyWrappingData"), f"public key wrapped: {pub_block}")
        self.assertEqual(find(pub_block, "KeyValue").get("type"), "Structure", pub_block)
        signed = self.ok(uid_op("Sign", private, RSA_PSS, b("Data", MESSAGE)))
        verified = self.ok(uid_op("SignatureVerify", public, RSA_PSS, b("Data", MESSAGE),
                                  b("SignatureData", value(signed, "SignatureData"))))
        self.assertEqual(value(verified, "ValidityIndicator"), "Valid")
        der = self.clear_key(private, fmt="PKCS_1")
        self.remember("RSA private key (PKCS#1 DER) under the KEK", der)
        d = self.rsa_private_exponent(der)
        if d is not None:
            self.remember("RSA private exponent under the KEK", d)

        # Any user's keys go under the KEK, without a grant on it.
        bobs = self.create(create_aes(), user=BOB)
        self.wrapped_block(bobs, self.kek, user=BOB)
        self.roundtrip(bobs, BOB)

        # A key with its own wrapping key is wrapped by that one, not by the KEK.
        own = self.create(create_aes(wrapping=self.kek_own))
        self.wrapped_block(own, self.kek_own)
        self.roundtrip(own)

    def test_8b_missing_kek_stops_kmsd(self):
        tok = self.hsm.tokens[0]
        for kek in (f"hsm::softhsm2::{self.slot}::does-not-exist", f"hsm::nosuchhsm::{self.slot}::kek-srv", "not-hsm"):
            with self.subTest(kek=kek):
                srv = Server(self.tmp / f"bad-{len(kek)}", [self.slot], tok.pin, ["--key-encryption-key", kek])
                try:
                    done = subprocess.run(srv.kmsd.command(), env=env_without_kms(), capture_output=True,
                                          text=True, timeout=30, stdin=subprocess.DEVNULL, cwd=str(srv.kmsd.dir))
                except subprocess.TimeoutExpired:
                    self.fail(f"kmsd with --key-encryption-key {kek} kept running")
                finally:
                    srv.cleanup()
                self.assertNotEqual(done.returncode, 0, done.stderr)
                self.assertIn("key_encryption_key", done.stderr)
                if kek.startswith("hsm::"):
                    self.assertIn(kek, done.stderr)
                self.assertNotIn(tok.pin, done.stderr + done.stdout)

    # 9 ------------------------------------------------------------------------------------
    def test_9_rewrap(self):
        keys = [self.create(create_aes()) for _ in range(2)]
        keys.append(self.create(register_aes(os.urandom(32))))
        sealed = {uid: self.encrypt(uid) for uid in keys}
        own = self.create(create_aes(wrapping=self.kek_own))
        own_ct = self.encrypt(own)
        body = {"from": self.kek, "to": self.kek_new}
        status, answer, _ = self.srv.rest("POST", "/admin/rewrap", body, user=BOB)
        self.assertEqual(status, 403, answer)
        self.assertTrue(str(answer).startswith("permission_denied:"), answer)
        missing = f"hsm::softhsm2::{self.slot}::kek-missing"
        status, answer, _ = self.srv.rest("POST", "/admin/rewrap", {"from": self.kek, "to": missing})
        self.assertTrue(status >= 400 or (isinstance(answer, dict) and answer.get("rewrapped") == 0),
                        f"re-wrap to a missing key: HTTP {status}: {answer}")
        for uid in keys:
            self.wrapped_block(uid, self.kek)
        inval = self.counter("kms_key_cache_invalidations_total")
        status, answer, _ = self.srv.rest("POST", "/admin/rewrap", {**body, "limit": 1})
        self.assertEqual(status, 200, answer)
        self.assertEqual(answer.get("rewrapped"), 1, answer)
        self.assertEqual(answer.get("failed"), 0, answer)
        remaining = answer.get("remaining")
        self.assertIsInstance(remaining, int, answer)
        self.assertGreater(remaining, 0, answer)
        status, answer, _ = self.srv.rest("POST", "/admin/rewrap", body)
        self.assertEqual(status, 200, answer)
        self.assertEqual(answer, {"rewrapped": remaining, "remaining": 0, "failed": 0})
        self.assertGreater(self.counter("kms_key_cache_invalidations_total"), inval, "re-wrap invalidates")
        status, answer, _ = self.srv.rest("POST", "/admin/rewrap", body)
        self.assertEqual((status, answer), (200, {"rewrapped": 0, "remaining": 0, "failed": 0}))
        for uid in keys:
            self.wrapped_block(uid, self.kek_new)
            self.assertEqual(self.decrypt(uid, sealed[uid]), MESSAGE)
            attrs = self.ok(uid_op("GetAttributes", uid))
            self.assertEqual(vendor_attribute(attrs, "wrapping_key_id"), self.kek_new, attrs)
        self.wrapped_block(own, self.kek_own)          # not wrapped by `from`: untouched
        # The documented procedure: restart on the new KEK; the cache is empty, kek-new unwraps.
        self.srv.kmsd.extra_args[self.srv.kmsd.extra_args.index(self.kek)] = self.kek_new
        self.srv.kmsd.restart()
        type(self).kek_in_use = self.kek_new
        for uid in keys:
            self.assertEqual(self.decrypt(uid, sealed[uid]), MESSAGE)
        self.assertEqual(self.decrypt(own, own_ct), MESSAGE)
        fresh = self.create(create_aes())
        self.wrapped_block(fresh, self.kek_new)
        self.roundtrip(fresh)

    def test_9b_rewrap_refuses_uids_that_are_not_hsm_keys(self):
        # On a kmsd of its own: a crash here must not take the class's kmsd down.
        srv = Server(self.tmp / "rewrap-bad", [self.slot], self.hsm.tokens[0].pin)
        srv.start()
        self.addCleanup(srv.cleanup)
        bodies = [{"from": "abc", "to": "def"}, {"from": "not-hsm", "to": self.kek_new},
                  {"from": self.kek, "to": "not-hsm"}]
        for user in (BOB, ADMIN):
            for body in bodies:
                with self.subTest(user=user, body=body):
                    try:
                        status, answer, _ = srv.rest("POST", "/admin/rewrap", body, user=user)
                    except OSError as failure:
                        status, answer = None, f"{failure!r}"
                    time.sleep(0.2)
                    alive = srv.kmsd.alive()
                    code = srv.kmsd.proc.poll() if srv.kmsd.proc else None
                    if not alive:
                        srv.kmsd.stop()
                        srv.kmsd.start()
                    self.assertTrue(alive, f"kmsd died (exit {code}) on /admin/rewrap {body} as {user}: {answer}")
                    self.assertIn(status, (400, 403, 404), answer)

    # 10 -----------------------------------------------------------------------------------
    def test_zz_database_holds_no_clear_key(self):
        own = self.create(create_aes(wrapping=self.kek_own))
        self.roundtrip(own)
        self.remember("wrapped by an HSM key", self.clear_key(own))
        server = self.create(create_aes())
        self.roundtrip(server)
        self.remember("wrapped by the KEK in use", self.clear_key(server))
        k = self.srv.kmsd
        live = scan_store(k, self.secrets) + scan_tree(k.dir, self.secrets)
        self.assertEqual(live, [], "clear key material in the store or kmsd's files while it runs")
        # A clear key in the same database is found by the scan (the scan works).
        control = os.urandom(32)
        k.extra_args.remove("--key-encryption-key")
        k.extra_args.remove(type(self).kek_in_use)
        k.restart()
        plain = self.create(register_aes(control))
        self.assertIsNone(find(key_block(self.ok(uid_op("Get", plain))), "KeyWrappingData"))
        k.stop()   # SQLite: the WAL is checkpointed into the database file
        self.assertTrue(scan_store(k, [("control", control)]), "the scan does not find a clear key in the store")
        self.assertGreaterEqual(len(self.secrets), 2)
        self.assertEqual(scan_store(k, self.secrets), [], f"clear key material in the {k.store_kind} store")
        self.assertEqual(scan_tree(k.dir, self.secrets), [], "clear key material in kmsd's directory (log, files)")


if __name__ == "__main__":
    main()
