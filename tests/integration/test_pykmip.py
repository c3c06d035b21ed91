#!/usr/bin/python3
"""PyKMIP (python3-pykmip, an independent KMIP client) against kmsd's binary KMIP socket, at
KMIP 1.2 and 2.0, over mutual TLS on a free port, configured only with a CA, a client
certificate and host:port:

- the key life cycle: create, get, get_attributes, get_attribute_list, locate, activate,
  revoke, destroy; register and get back the same bytes;
- create_key_pair, sign (RSA-PSS SHA-256) and signature_verify (valid and invalid);
- a user without rights gets the answer of a missing object.

Runs with Debian's python3, which has PyKMIP. Without PyKMIP the test exits 77 (ctest:
Skipped), except under CI=true, where a missing client is a failure.

    /usr/bin/python3 test_pykmip.py --kmsd BUILD/core/kmsd [-v]
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))

from credentials import Pki  # noqa: E402
from kmsd import Kmsd, default_binary, free_port  # noqa: E402
from servers import main  # noqa: E402

try:
    from kmip.core import enums
    from kmip.pie import objects
    from kmip.pie.client import ProxyKmipClient
    from kmip.pie.exceptions import KmipOperationFailure
except ImportError:
    if os.environ.get("CI") == "true":
        raise
    print("SKIP: PyKMIP (python3-pykmip) is not installed for this python3")
    sys.exit(77)

logging.getLogger("kmip").setLevel(logging.CRITICAL)  # PyKMIP logs every missing config file

VERSIONS = {"1.2": enums.KMIPVersion.KMIP_1_2, "2.0": enums.KMIPVersion.KMIP_2_0}
USAGE = enums.CryptographicUsageMask
PSS = {"cryptographic_algorithm": enums.CryptographicAlgorithm.RSA,
       "hashing_algorithm": enums.HashingAlgorithm.SHA_256, "padding_method": enums.PaddingMethod.PSS}


class PyKmip(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = Path(tempfile.mkdtemp(prefix="kmsd-pykmip-"))
        cls.pki = Pki(cls.tmp / "pki")
        cert, key = cls.pki.server()
        cls.certs = {user: cls.pki.issue(user, f"/CN={user}") for user in ("alice", "bob")}
        cls.port = free_port()
        cls.kmsd = Kmsd(default_binary(), extra_args=[
            "--tls-cert-file", str(cert), "--tls-key-file", str(key),
            "--clients-ca-cert-file", str(cls.pki.ca_cert),
            "--socket-server-start", "true", "--socket-server-port", str(cls.port)],
            ssl_context=cls.pki.client_context(*cls.certs["alice"])).__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.kmsd.__exit__(None, None, None)
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def client(self, version: str, user: str = "alice") -> ProxyKmipClient:
        cert, key = self.certs[user]
        client = ProxyKmipClient(hostname="127.0.0.1", port=self.port, cert=str(cert), key=str(key),
                                 ca=str(self.pki.ca_cert), kmip_version=VERSIONS[version])
        client.open()
        self.addCleanup(client.close)
        return client

    def test_key_life_cycle(self):
        for version in VERSIONS:
            with self.subTest(version=version):
                c = self.client(version)
                uid = c.create(enums.CryptographicAlgorithm.AES, 256, cryptographic_usage_mask=[USAGE.ENCRYPT, USAGE.DECRYPT])
                key = c.get(uid)
                self.assertIsInstance(key, objects.SymmetricKey)
                self.assertEqual(len(key.value), 32)
                _, attributes = c.get_attributes(uid, ["Cryptographic Algorithm", "Cryptographic Length", "State"])
                got = {a.attribute_name.value: a.attribute_value.value for a in attributes}
                self.assertEqual(got["Cryptographic Algorithm"], enums.CryptographicAlgorithm.AES)
                self.assertEqual(got["Cryptographic Length"], 256)
                self.assertEqual(got["State"], enums.State.PRE_ACTIVE)
                self.assertIn("Cryptographic Algorithm", c.get_attribute_list(uid))
                self.assertIn(uid, c.locate())
                c.activate(uid)
                _, attributes = c.get_attributes(uid, ["State"])
                self.assertEqual(attributes[0].attribute_value.value, enums.State.ACTIVE)
                c.revoke(enums.RevocationReasonCode.KEY_COMPROMISE, uid)
                c.destroy(uid)
                with self.assertRaises(KmipOperationFailure):
                    c.get(uid)

    def test_register_and_get_back(self):
        for version in VERSIONS:
            with self.subTest(version=version):
                c = self.client(version)
                secret = os.urandom(16)
                uid = c.register(objects.SymmetricKey(enums.CryptographicAlgorithm.AES, 128, secret,
                                                      masks=[USAGE.ENCRYPT, USAGE.DECRYPT]))
                self.assertEqual(c.get(uid).value, secret)

    def test_sign_and_verify(self):
        for version in VERSIONS:
            with self.subTest(version=version):
                c = self.client(version)
                public, private = c.create_key_pair(enums.CryptographicAlgorithm.RSA, 2048,
                                                    private_usage_mask=[USAGE.SIGN], public_usage_mask=[USAGE.VERIFY])
                c.activate(private)
                c.activate(public)
                signature = c.sign(b"kmsd over 5696", uid=private, cryptographic_parameters=PSS)
                self.assertEqual(len(signature), 256)
                self.assertEqual(c.signature_verify(b"kmsd over 5696", signature, uid=public, cryptographic_parameters=PSS),
                                 enums.ValidityIndicator.VALID)
                self.assertEqual(c.signature_verify(b"something else", signature, uid=public, cryptographic_parameters=PSS),
                                 enums.ValidityIndicator.INVALID)

    def test_a_user_without_rights_gets_the_answer_of_a_missing_object(self):
        for version in VERSIONS:
            with self.subTest(version=version):
                uid = self.client(version).create(enums.CryptographicAlgorithm.AES, 256)
                bob = self.client(version, "bob")
                missing = "0" * len(uid)
                answers = []
                for target in (uid, missing):
                    with self.assertRaises(KmipOperationFailure) as caught:
                        bob.get(target)
                    e = caught.exception
                    answers.append((e.status, e.reason, e.message.replace(target, "<uid>")))
                self.assertEqual(answers[0], answers[1])


if __name__ == "__main__":
    main()
