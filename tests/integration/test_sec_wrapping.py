#!/usr/bin/env python3
"""Issue 22, findings 1, 7 and 8, attacked through a real kmsd on a real SoftHSM2 token:

    test_sec_wrapping.py --kmsd BUILD/core/kmsd --plugins-dir BUILD/plugins [-v]

- GcmKeystream (finding 1): kmsd wrapped RSA private keys whose PKCS#1 encoding is not whole
  8-byte blocks with AES-GCM under an HSM AES key (SoftHSM2's AES key wrap refuses them), the
  IV stored with the key; Encrypt on that HSM key took the caller's IV. BOB, holding only
  `encrypt` on the HSM key and `get` on the (Sensitive) wrapped key, encrypts zeros under the
  stored IV and XORs: the clear private key. Now: no AES-GCM wrap is written (key wrap, or the
  envelope: the HSM key-wraps a fresh AES-256 key that key-wraps the material), and Encrypt on
  an HSM AES key refuses a caller's IV.
- LegacyGcm (finding 1, compatibility): a key in the AES-GCM form the old code stored, written
  into the store directly, still unwraps; a read re-wraps it under the same key with the new
  scheme; POST /admin/rewrap with from == to migrates the rest.
- NoDigest (finding 7): no SHA-1/256/512 of a wrapped key's clear material (raw, hex, base64)
  anywhere in the store, and no Digest attribute on it.
- Pkcs1v15 (finding 8): RSA PKCS#1 v1.5 Decrypt answers one refusal for well-formed and
  malformed ciphertexts, on database and HSM keys, unless --rsa-pkcs1v15-decrypt is given
  (then it decrypts, and kmsd warns at start).
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import struct
import subprocess
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))

from kmip_requests import PAST, create_hsm_aes, get_clear, key_block, register_aes, uid_op, wrapping_attribute  # noqa: E402
from kmsd import b, bo, dt, e, find, i, st, t, value  # noqa: E402
from secret_scan import find_secret  # noqa: E402
from servers import ADMIN, BOB, Server, main  # noqa: E402
from softhsm import SoftHsm  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
MESSAGE = b"issue 22: wrapped keys stay wrapped"
PKCS1 = st("CryptographicParameters", e("PaddingMethod", "PKCS1V1_5"))
RSA_PSS = st("CryptographicParameters", e("PaddingMethod", "PSS"), e("HashingAlgorithm", "SHA_256"),
             e("CryptographicAlgorithm", "RSA"))


# --------------------------------------------------------------------------------------------
# RSA keys made with openssl, and the little DER reading the tests need
# --------------------------------------------------------------------------------------------

def openssl(*args: str, data: bytes | None = None) -> bytes:
    return subprocess.run(["openssl", *args], input=data, capture_output=True, check=True).stdout


def rsa_pkcs1_der(bits: int = 2048, aligned: bool = False) -> bytes:
    """A fresh RSA private key, PKCS#1 DER, whose length is (not) a multiple of 8 bytes."""
    for _ in range(64):
        pem = openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", f"rsa_keygen_bits:{bits}")
        der = openssl("rsa", "-outform", "DER", "-traditional", data=pem)
        if (len(der) % 8 == 0) == aligned:
            return der
    raise AssertionError("openssl kept making keys of the other alignment")


def modulus_of_private(der: bytes) -> str:
    """openssl's own check of a PKCS#1 private key, and its modulus (hex): raises if invalid."""
    out = openssl("rsa", "-inform", "DER", "-check", "-noout", "-modulus", data=der).decode()
    if "RSA key ok" not in out:
        raise ValueError(out)
    return re.search(r"Modulus=([0-9A-F]+)", out).group(1)


def der_items(data: bytes, pos: int = 0, end: int | None = None):
    """(tag, content) of each DER element in data[pos:end]."""
    end = len(data) if end is None else end
    while pos < end:
        tag = data[pos]
        length = data[pos + 1]
        pos += 2
        if length & 0x80:
            n = length & 0x7F
            length = int.from_bytes(data[pos:pos + n], "big")
            pos += n
        yield tag, data[pos:pos + length]
        pos += length


def rsa_public_numbers(der: bytes) -> tuple[int, int]:
    """(n, e) of a PKCS#1 RSAPublicKey or an X.509 SubjectPublicKeyInfo."""
    (tag, body), = list(der_items(der))
    items = list(der_items(body))
    if items[0][0] == 0x30:  # SubjectPublicKeyInfo: AlgorithmIdentifier, BIT STRING
        return rsa_public_numbers(items[1][1][1:])
    return int.from_bytes(items[0][1], "big"), int.from_bytes(items[1][1], "big")


def public_der_of(private_der: bytes) -> bytes:
    return openssl("rsa", "-inform", "DER", "-RSAPublicKey_out", "-outform", "DER", data=private_der)


def register_rsa_private(der: bytes, wrapping: str | None, sensitive: bool) -> dict:
    return st("Register", e("ObjectType", "PrivateKey"),
              st("Attributes", e("CryptographicAlgorithm", "RSA"), i("CryptographicLength", 2048),
                 i("CryptographicUsageMask", "Sign|Decrypt"), dt("ActivationDate", PAST),
                 bo("Sensitive", sensitive), wrapping_attribute(wrapping) if wrapping else None),
              st("PrivateKey", st("KeyBlock", e("KeyFormatType", "PKCS_1"), st("KeyValue", b("KeyMaterial", der)),
                                  e("CryptographicAlgorithm", "RSA"), i("CryptographicLength", 2048))))


def register_rsa_public(der: bytes) -> dict:
    return st("Register", e("ObjectType", "PublicKey"),
              st("Attributes", e("CryptographicAlgorithm", "RSA"), i("CryptographicLength", 2048),
                 i("CryptographicUsageMask", "Encrypt|Verify"), dt("ActivationDate", PAST)),
              st("PublicKey", st("KeyBlock", e("KeyFormatType", "PKCS_1"), st("KeyValue", b("KeyMaterial", der)),
                                 e("CryptographicAlgorithm", "RSA"), i("CryptographicLength", 2048))))


# --------------------------------------------------------------------------------------------
# Binary TTLV, to write the old code's AES-GCM form straight into the store
# --------------------------------------------------------------------------------------------

def _dictionary() -> tuple[dict[str, int], dict[tuple[str, str], int]]:
    text = (REPO / "core" / "kms" / "kmip" / "DictionaryData.cpp").read_text()
    tags = {m[0]: int(m[1], 16) for m in re.findall(r'\{"(\w+)", (0x42[0-9A-Fa-f]{4})\}', text)}
    enums = {(m[0], m[1]): int(m[2], 16) for m in re.findall(r'\{"(\w+)", "(\w+)", (0x[0-9A-Fa-f]{8})\}', text)}
    return tags, enums


TAGS, ENUMS = _dictionary()


def ttlv(tag: str, kind: str, val) -> bytes:
    """Binary TTLV of one item: kind "struct" (val: list of encoded items), "int", "enum" (val:
    the enumerator's name), "text", "bytes"."""
    if kind == "struct":
        body, code = b"".join(val), 0x01
    elif kind == "int":
        body, code = struct.pack(">i", val), 0x02
    elif kind == "enum":
        body, code = struct.pack(">I", ENUMS[(tag, val)]), 0x05
    elif kind == "text":
        body, code = val.encode(), 0x07
    elif kind == "bytes":
        body, code = bytes(val), 0x08
    else:
        raise ValueError(kind)
    head = TAGS[tag].to_bytes(3, "big") + bytes([code]) + struct.pack(">I", len(body))
    return head + body + b"\0" * (-len(body) % 8)


def legacy_gcm_object(object_tag: str, fmt: str, algorithm: str, bits: int, wrapped: bytes, iv: bytes,
                      wrapping: str) -> bytes:
    """The key object exactly as KeyWrapper::wrap stored an AES-GCM wrap before issue 22."""
    params = ttlv("CryptographicParameters", "struct", [
        ttlv("BlockCipherMode", "enum", "GCM"), ttlv("CryptographicAlgorithm", "enum", "AES"),
        ttlv("IVLength", "int", 96), ttlv("TagLength", "int", 16)])
    data = ttlv("KeyWrappingData", "struct", [
        ttlv("WrappingMethod", "enum", "Encrypt"),
        ttlv("EncryptionKeyInformation", "struct", [ttlv("UniqueIdentifier", "text", wrapping), params]),
        ttlv("IVCounterNonce", "bytes", iv), ttlv("EncodingOption", "enum", "NoEncoding")])
    block = ttlv("KeyBlock", "struct", [
        ttlv("KeyFormatType", "enum", fmt), ttlv("KeyValue", "bytes", wrapped),
        ttlv("CryptographicAlgorithm", "enum", algorithm), ttlv("CryptographicLength", "int", bits), data])
    return ttlv(object_tag, "struct", [block])


# --------------------------------------------------------------------------------------------

class Base(unittest.TestCase):
    srv: Server
    hsm: SoftHsm
    tmp: Path

    @classmethod
    def start(cls, prefix: str, extra_args: tuple[str, ...] = ()) -> None:
        cls.srv = Server.on_softhsm(f"sec-{prefix}", extra_args=extra_args)
        cls.hsm, cls.tmp = cls.srv.hsm, cls.srv.tmp
        try:
            cls.slot = cls.srv.slot
            cls.kek = f"hsm::softhsm2::{cls.slot}::kek-aes"
            cls.ok_(create_hsm_aes(cls.kek))
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.srv.close(20)

    @classmethod
    def ok_(cls, node: dict, user: str = ADMIN) -> dict:
        status, body = cls.srv.call(node, user)
        if status != 200:
            raise AssertionError(f"{node['tag']} as {user}: HTTP {status}: {body}")
        return body

    def ok(self, node: dict, user: str = ADMIN) -> dict:
        return self.ok_(node, user)

    def create(self, node: dict, user: str = ADMIN) -> str:
        return value(self.ok(node, user), "UniqueIdentifier")

    def grant(self, uid: str, user: str, *rights: str) -> None:
        status, body, _ = self.srv.rest("POST", "/access/grant",
                                        {"unique_identifier": uid, "user_id": user, "operation_types": list(rights)})
        self.assertEqual(status, 200, body)

    def keystream_attack(self, uid: str) -> tuple[bytes | None, str]:
        """BOB's attack with `get` on `uid` and `encrypt` on its HSM wrapping key: the clear
        wrapped material, or None and why it failed."""
        status, got = self.srv.call(uid_op("Get", uid), BOB)
        if status != 200:
            return None, f"Get: HTTP {status}: {got}"
        block = key_block(got)
        wrapping = value(block, "KeyWrappingData/EncryptionKeyInformation/UniqueIdentifier")
        iv_hex = value(block, "KeyWrappingData/IVCounterNonce")
        if iv_hex is None:
            return None, "the stored key block holds no IV"
        wrapped = bytes.fromhex(value(block, "KeyValue"))
        tag_len = value(block, "KeyWrappingData/EncryptionKeyInformation/CryptographicParameters/TagLength") or 16
        ciphertext = wrapped[:-tag_len]
        status, enc = self.srv.call(uid_op("Encrypt", wrapping, b("Data", bytes(len(ciphertext))),
                                           b("IVCounterNonce", bytes.fromhex(iv_hex))), BOB)
        if status != 200:
            return None, f"Encrypt with the stored IV: HTTP {status}: {enc}"
        keystream = bytes.fromhex(value(enc, "Data"))
        return bytes(x ^ y for x, y in zip(ciphertext, keystream)), "recovered"

    def stored_params(self, uid: str) -> dict:
        block = key_block(self.ok(uid_op("Get", uid)))
        self.assertIsNotNone(find(block, "KeyWrappingData"), block)
        return block


class GcmKeystream(Base):
    """Finding 1: the keystream attack on an AES-GCM-wrapped RSA private key."""

    @classmethod
    def setUpClass(cls):
        cls.start("gcm")

    def test_1_keystream_attack_recovers_nothing(self):
        der = rsa_pkcs1_der(aligned=False)
        self.assertNotEqual(len(der) % 8, 0)
        uid = self.create(register_rsa_private(der, self.kek, sensitive=True))
        self.grant(self.kek, BOB, "encrypt")
        self.grant(uid, BOB, "get")
        # BOB may not have it clear (Sensitive) ...
        status, body = self.srv.call(get_clear(uid), BOB)
        self.assertEqual(status, 403, body)
        # ... and the attack gets nothing either.
        recovered, why = self.keystream_attack(uid)
        if recovered is not None:
            try:
                leaked = modulus_of_private(recovered) == modulus_of_private(der)
            except (subprocess.CalledProcessError, ValueError, AttributeError):
                leaked = recovered == der
            self.assertFalse(leaked, "BOB recovered the clear RSA private key from its AES-GCM wrap")
        sys.stderr.write(f"keystream attack: {why}\n")

    def test_2_no_aes_gcm_wrap_is_written(self):
        """The envelope for material SoftHSM2 will not key-wrap; key wrap for the rest."""
        der = rsa_pkcs1_der(aligned=False)
        uid = self.create(register_rsa_private(der, self.kek, sensitive=False))
        block = self.stored_params(uid)
        params = find(block, "KeyWrappingData/EncryptionKeyInformation/CryptographicParameters")
        self.assertEqual(value(params, "BlockCipherMode"), "AESKeyWrapPadding", params)
        self.assertEqual(value(params, "KeyRoleType"), "KEK", f"not the envelope: {params}")
        self.assertIsNone(find(block, "KeyWrappingData/IVCounterNonce"), block)
        wrapped = bytes.fromhex(value(block, "KeyValue"))
        # 40-byte head (RFC 5649 of the 32-byte ephemeral key), then RFC 5649 of the DER.
        self.assertEqual(len(wrapped), 40 + ((len(der) + 7) // 8) * 8 + 8)
        self.assertEqual(modulus_of_private(self.clear_der(uid)), modulus_of_private(der))
        public = self.create(register_rsa_public(public_der_of(der)))
        signed = self.ok(uid_op("Sign", uid, RSA_PSS, b("Data", MESSAGE)))
        verified = self.ok(uid_op("SignatureVerify", public, RSA_PSS, b("Data", MESSAGE),
                                  b("SignatureData", value(signed, "SignatureData"))))
        self.assertEqual(value(verified, "ValidityIndicator"), "Valid")
        # Whole 8-byte blocks: the HSM key-wraps the material itself.
        aligned = rsa_pkcs1_der(aligned=True)
        uid = self.create(register_rsa_private(aligned, self.kek, sensitive=False))
        params = find(self.stored_params(uid), "KeyWrappingData/EncryptionKeyInformation/CryptographicParameters")
        self.assertEqual(value(params, "BlockCipherMode"), "AESKeyWrapPadding", params)
        self.assertIsNone(value(params, "KeyRoleType"), params)
        self.assertEqual(self.clear_der(uid), aligned)
        # And AES keys as before.
        key = os.urandom(32)
        uid = self.create(register_aes(key, self.kek))
        self.assertEqual(bytes.fromhex(value(key_block(self.ok(get_clear(uid))), "KeyValue/KeyMaterial")), key)

    def clear_der(self, uid: str) -> bytes:
        block = key_block(self.ok(get_clear(uid, "PKCS_1")))
        return bytes.fromhex(value(block, "KeyValue/KeyMaterial"))

    def test_3_encrypt_on_hsm_aes_key_refuses_caller_iv(self):
        for user in (BOB, ADMIN):
            with self.subTest(user=user):
                status, body = self.srv.call(uid_op("Encrypt", self.kek, b("Data", MESSAGE),
                                                    b("IVCounterNonce", os.urandom(12))), user)
                self.assertEqual(status, 400, body)
                self.assertTrue(str(body).startswith("invalid_field:"), body)
                self.assertIn("kmsd draws the IV", str(body))
        # kmsd's own IV: answered with the ciphertext, and it decrypts, with a key that wraps
        # nothing (the KEK, which wraps keys, serves no Decrypt: WrappingKeyDecrypt).
        data_key = f"hsm::softhsm2::{self.slot}::data-aes"
        self.ok(st("Create", e("ObjectType", "SymmetricKey"),
                   st("Attributes", e("CryptographicAlgorithm", "AES"), t("UniqueIdentifier", data_key),
                      i("CryptographicLength", 256))))
        self.grant(data_key, BOB, "encrypt")
        enc = self.ok(uid_op("Encrypt", data_key, b("Data", MESSAGE)), BOB)
        iv = bytes.fromhex(value(enc, "IVCounterNonce"))
        self.assertEqual(len(iv), 12)
        dec = self.ok(uid_op("Decrypt", data_key, b("Data", bytes.fromhex(value(enc, "Data"))),
                             b("IVCounterNonce", iv),
                             b("AuthenticatedEncryptionTag", bytes.fromhex(value(enc, "AuthenticatedEncryptionTag")))))
        self.assertEqual(bytes.fromhex(value(dec, "Data")), MESSAGE)
        # An IVLength asks kmsd for an IV of that length: drawn by kmsd and returned.
        enc = self.ok(uid_op("Encrypt", data_key, st("CryptographicParameters", e("BlockCipherMode", "GCM"),
                                                      i("IVLength", 128)), b("Data", MESSAGE)), BOB)
        self.assertEqual(len(bytes.fromhex(value(enc, "IVCounterNonce"))), 16)


class LegacyGcm(Base):
    """Finding 1, compatibility: keys the old code wrapped with AES-GCM stay readable."""

    @classmethod
    def setUpClass(cls):
        cls.start("legacy")

    def plant_legacy(self, der: bytes) -> str:
        """An RSA private key stored in the old AES-GCM form under the HSM key: kmsd's own
        AES-GCM of the DER (an Encrypt with the HSM key, kmsd's IV: the same bytes the old
        C_WrapKey made) written over the key block of a registered key, kmsd stopped."""
        uid = self.create(register_rsa_private(der, self.kek, sensitive=False))
        enc = self.ok(uid_op("Encrypt", self.kek, b("Data", der)))
        wrapped = bytes.fromhex(value(enc, "Data")) + bytes.fromhex(value(enc, "AuthenticatedEncryptionTag"))
        iv = bytes.fromhex(value(enc, "IVCounterNonce"))
        blob = legacy_gcm_object("PrivateKey", "PKCS_1", "RSA", 2048, wrapped, iv, self.kek)
        kmsd = self.srv.kmsd
        kmsd.stop()
        if kmsd.store_kind == "postgresql":
            kmsd.sql(f"UPDATE objects SET object = '\\x{blob.hex()}'::bytea WHERE uid = '{uid}'")
        else:
            db = sqlite3.connect(str(kmsd.db_dir / "kms.db"))
            try:
                with db:  # commits
                    self.assertEqual(db.execute("UPDATE objects SET object = ? WHERE uid = ?", (blob, uid)).rowcount, 1)
            finally:
                db.close()
        kmsd.start()
        stored = value(key_block(self.ok(uid_op("Get", uid))), "KeyWrappingData/IVCounterNonce")
        self.assertEqual(bytes.fromhex(stored or ""), iv, "the legacy form was not planted")
        return uid

    def scheme(self, uid: str) -> tuple[str | None, str | None]:
        block = key_block(self.ok(uid_op("Get", uid)))
        params = find(block, "KeyWrappingData/EncryptionKeyInformation/CryptographicParameters")
        return value(params, "BlockCipherMode"), value(params, "KeyRoleType")

    def test_1_legacy_gcm_key_unwraps_and_is_migrated_on_read(self):
        der = rsa_pkcs1_der(aligned=False)
        uid = self.plant_legacy(der)
        self.assertEqual(self.scheme(uid), ("GCM", None))
        # Still readable: Sign (through the unwrapped-key cache) and Get NotWrapped.
        public = self.create(register_rsa_public(public_der_of(der)))
        signed = self.ok(uid_op("Sign", uid, RSA_PSS, b("Data", MESSAGE)))
        verified = self.ok(uid_op("SignatureVerify", public, RSA_PSS, b("Data", MESSAGE),
                                  b("SignatureData", value(signed, "SignatureData"))))
        self.assertEqual(value(verified, "ValidityIndicator"), "Valid")
        clear = bytes.fromhex(value(key_block(self.ok(get_clear(uid, "PKCS_1"))), "KeyValue/KeyMaterial"))
        self.assertEqual(modulus_of_private(clear), modulus_of_private(der))
        # The read re-wrapped it under the same key with the envelope; no IV is left.
        self.assertEqual(self.scheme(uid), ("AESKeyWrapPadding", "KEK"))
        block = key_block(self.ok(uid_op("Get", uid)))
        self.assertIsNone(find(block, "KeyWrappingData/IVCounterNonce"), block)
        self.assertEqual(value(block, "KeyWrappingData/EncryptionKeyInformation/UniqueIdentifier"), self.kek)
        clear = bytes.fromhex(value(key_block(self.ok(get_clear(uid, "PKCS_1"))), "KeyValue/KeyMaterial"))
        self.assertEqual(modulus_of_private(clear), modulus_of_private(der))
        self.assertIn(f"key {uid} re-wrapped under {self.kek} from legacy AES-GCM", self.srv.kmsd.log_text())

    def test_2_rewrap_in_place_migrates_legacy_keys(self):
        ders = [rsa_pkcs1_der(aligned=False) for _ in range(2)]
        uids = [self.plant_legacy(der) for der in ders]
        # Planting restarts kmsd: nothing has read them since.
        for uid in uids:
            self.assertEqual(self.scheme_without_reading(uid), "GCM")
        status, body, _ = self.srv.rest("POST", "/admin/rewrap", {"from": self.kek, "to": self.kek, "limit": 1})
        self.assertEqual(status, 200, body)
        self.assertEqual((body["rewrapped"], body["remaining"], body["failed"]), (1, 1, 0), body)
        status, body, _ = self.srv.rest("POST", "/admin/rewrap", {"from": self.kek, "to": self.kek})
        self.assertEqual(status, 200, body)
        self.assertEqual((body["rewrapped"], body["remaining"], body["failed"]), (1, 0, 0), body)
        for uid, der in zip(uids, ders):
            self.assertEqual(self.scheme_without_reading(uid), "AESKeyWrapPadding")
            clear = bytes.fromhex(value(key_block(self.ok(get_clear(uid, "PKCS_1"))), "KeyValue/KeyMaterial"))
            self.assertEqual(modulus_of_private(clear), modulus_of_private(der))
        # Nothing legacy left: a further call re-wraps nothing.
        status, body, _ = self.srv.rest("POST", "/admin/rewrap", {"from": self.kek, "to": self.kek})
        self.assertEqual((status, body["rewrapped"], body["remaining"]), (200, 0, 0), body)

    def test_3_keystream_attack_on_a_legacy_key_is_refused(self):
        """A key still in the old form (IV in the store): its HSM key no longer takes the IV."""
        der = rsa_pkcs1_der(aligned=False)
        uid = self.plant_legacy(der)
        self.grant(self.kek, BOB, "encrypt")
        self.grant(uid, BOB, "get")
        recovered, why = self.keystream_attack(uid)
        if recovered is not None:
            self.assertFalse(recovered == der, "BOB recovered the clear RSA private key of a legacy-wrapped key")
        self.assertTrue(why.startswith("Encrypt with the stored IV: HTTP 400: invalid_field:"), why)
        # The Get of the wrapped block did not unwrap it: still legacy, still readable by the owner.
        self.assertEqual(self.scheme(uid)[0], "GCM")
        clear = bytes.fromhex(value(key_block(self.ok(get_clear(uid, "PKCS_1"))), "KeyValue/KeyMaterial"))
        self.assertEqual(modulus_of_private(clear), modulus_of_private(der))

    def scheme_without_reading(self, uid: str) -> str | None:
        """The stored BlockCipherMode, from a Get of the wrapped block (which does not unwrap)."""
        return self.scheme(uid)[0]


class NoDigest(Base):
    """Finding 7: nothing derived from a wrapped key's clear material is stored."""

    @classmethod
    def setUpClass(cls):
        cls.start("digest")

    def digests(self, material: bytes) -> list[tuple[str, bytes]]:
        return [(f"{name} of the clear key", hashlib.new(name, material).digest())
                for name in ("sha1", "sha256", "sha512")]

    def test_1_no_digest_of_the_clear_key_in_the_store(self):
        key = os.urandom(32)
        aes = self.create(register_aes(key, self.kek))
        der = rsa_pkcs1_der(aligned=False)
        rsa = self.create(register_rsa_private(der, self.kek, sensitive=False))
        # A clear (unwrapped) key keeps its Digest: KMIP 2.1 4.21.
        clear_key = os.urandom(32)
        plain = self.create(register_aes(clear_key))
        self.assertIsNotNone(find(self.ok(uid_op("GetAttributes", plain)), "Attributes/Digest"))
        # Use them (cache fill) and read them clear, then look at every byte of the store.
        self.assertEqual(bytes.fromhex(value(key_block(self.ok(get_clear(aes))), "KeyValue/KeyMaterial")), key)
        self.ok(uid_op("Sign", rsa, RSA_PSS, b("Data", MESSAGE)))
        self.srv.kmsd.stop()  # SQLite: the WAL is checkpointed into the database file
        try:
            dump = self.srv.kmsd.store_dump()
        finally:
            self.srv.kmsd.start()
        found = []
        for label, secret in self.digests(key) + self.digests(der) + [("AES key", key), ("RSA key", der[-64:])]:
            hits = find_secret(dump, secret)
            if hits:
                found.append(f"{label} as {', '.join(hits)}")
        self.assertEqual(found, [], f"{self.srv.kmsd.store_kind} store holds what derives from wrapped keys")
        # The check can see a digest: the clear key's SHA-256 is there.
        self.assertTrue(find_secret(dump, hashlib.sha256(clear_key).digest()),
                        "the scan does not find the Digest of a clear key")
        for uid in (aes, rsa):
            attrs = self.ok(uid_op("GetAttributes", uid))
            self.assertIsNone(find(attrs, "Attributes/Digest"), f"{uid} has a Digest: {attrs}")


class Pkcs1v15(Base):
    """Finding 8: RSA PKCS#1 v1.5 Decrypt off by default, one answer for every ciphertext."""

    @classmethod
    def setUpClass(cls):
        cls.start("v15")
        cls.hsm_rsa = f"hsm::softhsm2::{cls.slot}::rsa-v15"
        cls.ok_(st("CreateKeyPair", st("CommonAttributes", e("CryptographicAlgorithm", "RSA"),
                                       i("CryptographicLength", 2048)),
                   st("PrivateKeyAttributes", t("UniqueIdentifier", cls.hsm_rsa))))
        der = rsa_pkcs1_der()
        cls.db_private = value(cls.ok_(register_rsa_private(der, None, sensitive=False)), "UniqueIdentifier")
        cls.db_public = value(cls.ok_(register_rsa_public(public_der_of(der))), "UniqueIdentifier")

    def public_numbers(self, uid: str) -> tuple[int, int]:
        for fmt in ("PKCS_1", "X_509"):
            status, got = self.srv.call(uid_op("Get", uid, e("KeyFormatType", fmt)))
            if status == 200:
                return rsa_public_numbers(bytes.fromhex(value(key_block(got), "KeyValue/KeyMaterial")))
        raise AssertionError(f"Get {uid}: HTTP {status}: {got}")

    def ciphertexts(self, public: str) -> tuple[bytes, bytes]:
        """A well-formed v1.5 ciphertext (kmsd's Encrypt) and a malformed one (raw RSA of a
        block with type-1 padding), both of the modulus' length."""
        good = bytes.fromhex(value(self.ok(uid_op("Encrypt", public, PKCS1, b("Data", MESSAGE))), "Data"))
        n, e_ = self.public_numbers(public)
        size = (n.bit_length() + 7) // 8
        block = b"\x00\x01" + b"\xff" * (size - 3 - len(MESSAGE)) + b"\x00" + MESSAGE
        bad = pow(int.from_bytes(block, "big"), e_, n).to_bytes(size, "big")
        self.assertEqual(len(good), len(bad))
        return good, bad

    def test_1_refused_alike_by_default(self):
        for private, public in ((self.db_private, self.db_public), (self.hsm_rsa, self.hsm_rsa + "_pk")):
            with self.subTest(key=private):
                good, bad = self.ciphertexts(public)
                answers = {repr(self.srv.call(uid_op("Decrypt", private, PKCS1, b("Data", ct)))) for ct in (good, bad)}
                self.assertEqual(len(answers), 1, f"well-formed and malformed answer differently: {answers}")
                status, body = self.srv.call(uid_op("Decrypt", private, PKCS1, b("Data", good)))
                self.assertEqual(status, 400, body)
                self.assertTrue(body.startswith("feature_not_supported:"), body)
                self.assertIn("rsa_pkcs1v15_decrypt", body)
                # OAEP is unaffected (SHA-1: what SoftHSM2 does).
                oaep = st("CryptographicParameters", e("PaddingMethod", "OAEP"), e("HashingAlgorithm", "SHA_1"))
                enc = self.ok(uid_op("Encrypt", public, oaep, b("Data", MESSAGE)))
                dec = self.ok(uid_op("Decrypt", private, oaep, b("Data", bytes.fromhex(value(enc, "Data")))))
                self.assertEqual(bytes.fromhex(value(dec, "Data")), MESSAGE)
        self.assertNotIn("rsa_pkcs1v15_decrypt is on", self.srv.kmsd.log_text())

    def test_2_enabled_by_the_setting(self):
        kmsd = self.srv.kmsd
        kmsd.stop()
        kmsd.extra_args.append("--rsa-pkcs1v15-decrypt")
        try:
            kmsd.start()
            self.assertIn("rsa_pkcs1v15_decrypt is on", kmsd.log_text())
            for private, public in ((self.db_private, self.db_public), (self.hsm_rsa, self.hsm_rsa + "_pk")):
                with self.subTest(key=private):
                    good, bad = self.ciphertexts(public)
                    dec = self.ok(uid_op("Decrypt", private, PKCS1, b("Data", good)))
                    self.assertEqual(bytes.fromhex(value(dec, "Data")), MESSAGE)
                    status, body = self.srv.call(uid_op("Decrypt", private, PKCS1, b("Data", bad)))
                    self.assertNotEqual(status, 200, body)
        finally:
            kmsd.stop()
            kmsd.extra_args.remove("--rsa-pkcs1v15-decrypt")
            kmsd.start()


class WrappingKeyDecrypt(Base):
    """Finding 1, its RSA side: a user granted `decrypt` on an HSM key that wraps stored keys
    decrypts the wrapped blob and so unwraps the key. A key that wraps keys serves no Decrypt."""

    OAEP = st("CryptographicParameters", e("PaddingMethod", "OAEP"), e("HashingAlgorithm", "SHA_1"),
              e("CryptographicAlgorithm", "RSA"))

    @classmethod
    def setUpClass(cls):
        cls.start("wrapdec")
        cls.rsa_kek = f"hsm::softhsm2::{cls.slot}::rsa-kek"
        cls.rsa_data = f"hsm::softhsm2::{cls.slot}::rsa-data"
        for uid in (cls.rsa_kek, cls.rsa_data):
            cls.ok_(st("CreateKeyPair", st("CommonAttributes", e("CryptographicAlgorithm", "RSA"),
                                           i("CryptographicLength", 2048)),
                       st("PrivateKeyAttributes", t("UniqueIdentifier", uid))))

    def test_1_decrypt_of_a_wrapped_blob_is_refused(self):
        key = os.urandom(32)
        uid = self.create(register_aes(key, self.rsa_kek + "_pk"))
        block = key_block(self.ok(uid_op("Get", uid)))
        self.assertEqual(value(block, "KeyWrappingData/EncryptionKeyInformation/UniqueIdentifier"),
                         self.rsa_kek + "_pk", block)
        wrapped = bytes.fromhex(value(block, "KeyValue"))
        self.grant(self.rsa_kek, BOB, "decrypt")
        self.grant(uid, BOB, "get")
        for user in (BOB, ADMIN):
            with self.subTest(user=user):
                status, got = self.srv.call(uid_op("Decrypt", self.rsa_kek, self.OAEP, b("Data", wrapped)), user)
                data = value(got, "Data") if status == 200 else None
                self.assertNotEqual(data and bytes.fromhex(data), key, f"{user} unwrapped the key with Decrypt")
                self.assertEqual(status, 403, f"{user}: HTTP {status}: {got}")
                self.assertIn("wraps keys", str(got))

    def test_2_a_key_that_wraps_nothing_still_decrypts(self):
        self.grant(self.rsa_data, BOB, "decrypt")
        enc = self.ok(uid_op("Encrypt", self.rsa_data + "_pk", self.OAEP, b("Data", MESSAGE)))
        got = self.ok(uid_op("Decrypt", self.rsa_data, self.OAEP, b("Data", value(enc, "Data"))), BOB)
        self.assertEqual(bytes.fromhex(value(got, "Data")), MESSAGE)


if __name__ == "__main__":
    main()
