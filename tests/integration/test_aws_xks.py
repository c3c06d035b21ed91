#!/usr/bin/python3
"""kmsd as an AWS KMS External Key Store proxy (docs/aws-xks.md), against a real kmsd with
SoftHSM2, signed by botocore's SigV4 signer (an independent implementation):

    test_aws_xks.py --kmsd BUILD/core/kmsd --plugins-dir BUILD/plugins [-v]

The same cases run over HTTP and over HTTPS (one kmsd each, on a token of its own):
- every route (health, metadata, encrypt, decrypt), with the specification's request examples
  and its response fields checked one by one;
- an AES key inside the HSM and a database key wrapped by an HSM key;
- the AAD framing with ciphertextMetadata and the SHA_256 integrity value, byte for byte;
- the errors: wrong signature, stale date, a body byte changed after signing, unknown access
  key, unknown key, key not granted to the XKS user, revoked key, tampered ciphertext, wrong
  AAD, changed ciphertextMetadata, encrypt-only key, GET, unknown path, sizes.
Both SigV4 credentials work (rotation). With the HSM cut off (tests/fixtures/faultyp11), Encrypt
answers the retryable DependencyTimeoutException and health reports the instance UNAVAILABLE,
then ACTIVE again. With one of an instance's two tokens missing, health reports it DEGRADED and
the other token still serves. Needs Debian's python3-botocore: without it, exit 77.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
import unittest
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))

from credentials import Pki  # noqa: E402
from kmip_requests import AES_GCM, create_aes, create_hsm_aes, revoke, uid_op  # noqa: E402
from kmsd import Kmsd, b, default_binary, http_request, value  # noqa: E402
from servers import Server, faulty_hsm_kmsd, faulty_p11_path, hsm_args, main  # noqa: E402
from softhsm import SoftHsm  # noqa: E402

try:
    import botocore.auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
except ImportError:  # pragma: no cover - depends on the machine
    botocore = None

REGION = "eu-west-3"
SERVICE = "kms-xks-proxy"
PREFIX = "/keystores/ks-1"
BASE = PREFIX + "/kms/xks/v1"
XKS_USER = "aws-xks"
# Two credentials (rotation); the access key ids follow AWS's rules (A-Z, 2-7, 20-30 characters).
KEY_ID_1 = "AKIAXKSTESTPRIMARY2345"
SECRET_1 = base64.b64encode(os.urandom(32)).decode()
KEY_ID_2 = "AKIAXKSTESTSECONDARY67"
SECRET_2 = base64.b64encode(os.urandom(32)).decode()

# The specification's request examples (its JSON has missing commas; these are the same values).
METADATA_EXAMPLE = {"requestMetadata": {
    "awsPrincipalArn": "arn:aws:iam::123456789012:user/Alice",
    "kmsKeyArn": "arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    "kmsOperation": "DescribeKey", "kmsRequestId": "4112f4d6-db54-4af4-ae30-c55a22a8dfae",
    "kmsViaService": "ebs"}}
ENCRYPT_EXAMPLE = {
    "requestMetadata": {
        "awsPrincipalArn": "arn:aws:iam::123456789012:user/Alice",
        "kmsKeyArn": "arn:aws:kms:us-east-2:123456789012:/key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "kmsOperation": "Encrypt", "kmsRequestId": "4112f4d6-db54-4af4-ae30-c55a22a8dfae",
        "kmsViaService": "ebs"},
    "additionalAuthenticatedData": "cHJvamVjdD1uaWxlLGRlcGFydG1lbnQ9bWFya2V0aW5n",
    "plaintext": "SGVsbG8gV29ybGQh",
    "encryptionAlgorithm": "AES_GCM",
    "ciphertextDataIntegrityValueAlgorithm": "SHA_256"}
DECRYPT_METADATA = {
    "awsPrincipalArn": "arn:aws:iam::123456789012:user/Alice",
    "kmsKeyArn": "arn:aws:kms:us-east-2:123456789012:/key/1234abcd-12ab-34cd-56ef-1234567890ab",
    "kmsOperation": "Decrypt", "kmsRequestId": "5112f4d6-db54-4af4-ae30-c55a22a8dfae", "kmsViaService": "ebs"}
HEALTH_EXAMPLE = {"requestMetadata": {"kmsRequestId": "4112f4d6-db54-4af4-ae30-c55a22a8dfae",
                                      "kmsOperation": "CreateCustomKeyStore"}}
# Appendix D's encrypt request: no AAD, no integrity value.
PLAIN_ENCRYPT = {"requestMetadata": {
    "awsPrincipalArn": "arn:aws:iam::123456789012:user/Alice",
    "kmsKeyArn": "arn:aws:kms:us-east-2:123456789012:/key/1234abcd-12ab-34cd-56ef-1234567890ab",
    "kmsOperation": "GenerateDataKey", "kmsRequestId": "4112f4d6-db54-4af4-ae30-c55a22a8dfae"},
    "plaintext": "SGVsbG8gV29ybGQh", "encryptionAlgorithm": "AES_GCM"}

b64 = base64.b64encode


def unb64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


def key_id(uid: str) -> str:
    """The externalKeyId of a kmsd UID (docs/aws-xks.md: each "::" written "..")."""
    return uid.replace("::", "..")


class _StaleClock:
    """Stands in for the datetime module inside botocore.auth: a signer 6 minutes behind."""

    class datetime(datetime.datetime):
        @classmethod
        def utcnow(cls):
            return datetime.datetime.utcnow() - datetime.timedelta(minutes=6)


def grant(srv: Server, uid: str, *rights: str) -> None:
    status, body, _ = srv.rest("POST", "/access/grant",
                               {"unique_identifier": uid, "user_id": XKS_USER, "operation_types": list(rights)})
    if status != 200:
        raise AssertionError(f"grant {rights} on {uid}: HTTP {status}: {body}")


def create(srv: Server, node: dict) -> str:
    status, body = srv.call(node)
    if status != 200:
        raise AssertionError(f"create: HTTP {status}: {body}")
    return value(body, "UniqueIdentifier")


def xks_args(directory: Path) -> list[str]:
    secret_file = directory / "xks-secret"
    secret_file.write_text(SECRET_1 + "\n")
    secret_file.chmod(0o600)
    return ["--aws-xks-enable", "true", "--aws-xks-region", REGION, "--aws-xks-uri-path-prefix", PREFIX,
            "--aws-xks-sigv4-access-key-id", KEY_ID_1,
            "--aws-xks-sigv4-secret-access-key-file", str(secret_file),
            "--aws-xks-sigv4-secondary-access-key-id", KEY_ID_2]


# The second secret comes from the environment (the first from a file): never on a command line.
XKS_ENV = {"KMS_AWS_XKS_SIGV4_SECONDARY_SECRET_ACCESS_KEY": SECRET_2}


class XksClient:
    """Signed XKS requests to `self.target` (a Kmsd), over HTTPS when ssl_context is set."""

    ssl_context = None
    target = None

    def signed(self, path: str, body: bytes, *, access_key: str = KEY_ID_1, secret: str = SECRET_1,
               region: str = REGION, stale: bool = False, method: str = "POST") -> dict:
        port = self.target.port
        scheme = "https" if self.ssl_context is not None else "http"
        request = AWSRequest(method=method, url=f"{scheme}://127.0.0.1:{port}{path}", data=body,
                             headers={"Content-Type": "application/json"})
        signer = botocore.auth.SigV4Auth(Credentials(access_key, secret), SERVICE, region)
        if stale:
            with mock.patch.object(botocore.auth, "datetime", _StaleClock):
                signer.add_auth(request)
        else:
            signer.add_auth(request)
        headers = dict(request.headers.items())
        headers["Host"] = f"127.0.0.1:{port}"
        return headers

    def send(self, path: str, obj, *, tamper=None, **sign) -> tuple[int, object]:
        body = json.dumps(obj).encode() if not isinstance(obj, bytes) else obj
        method = sign.pop("method", "POST")
        headers = self.signed(path, body, method=method, **sign)
        if tamper is not None:
            body = tamper(body)
        status, answer, _ = http_request(self.target.port, method, path, body, headers,
                                         ssl_context=self.ssl_context)
        return status, answer

    def ok(self, path: str, obj, **sign) -> dict:
        status, answer = self.send(path, obj, **sign)
        self.assertEqual(status, 200, answer)
        self.assertIsInstance(answer, dict)
        return answer

    def fails(self, path: str, obj, status: int, name: str, **sign) -> dict:
        got, answer = self.send(path, obj, **sign)
        self.assertEqual((got, answer.get("errorName") if isinstance(answer, dict) else answer), (status, name),
                         answer)
        message = answer.get("errorMessage", "")
        self.assertLess(len(message), 512)
        self.assertTrue(all(0x20 <= ord(c) <= 0x7e for c in message), message)
        return answer

    def encrypt(self, uid: str, request: dict = ENCRYPT_EXAMPLE) -> dict:
        return self.ok(f"{BASE}/keys/{key_id(uid)}/encrypt", request)


class XksCases(XksClient):
    """The cases; a subclass starts the kmsd (HTTP or HTTPS) in setUpClass as cls.srv."""

    srv: Server
    hsm: SoftHsm
    token = 0
    tmp: Path

    @classmethod
    def start(cls, extra_args: list[str] = ()) -> None:
        tok = cls.hsm.tokens[cls.token]
        srv = Server(cls.tmp / "srv", [tok.slot_id], tok.pin, xks_args(cls.tmp) + list(extra_args), env=XKS_ENV)
        srv.kmsd.ssl_context = cls.ssl_context
        cls.srv = srv.start()
        slot = tok.slot_id
        # Keys: one in the HSM, one of the database wrapped by an HSM key, each granted to the
        # XKS user; one not granted; one encrypt-only; one revoked.
        cls.hsm_key = f"hsm::softhsm2::{slot}::xks-aes"
        create(srv, create_hsm_aes(cls.hsm_key))
        cls.kek = f"hsm::softhsm2::{slot}::xks-kek"
        create(srv, create_hsm_aes(cls.kek))
        cls.wrapped_key = create(srv, create_aes(wrapping=cls.kek))
        cls.not_granted = create(srv, create_aes(wrapping=cls.kek))
        cls.encrypt_only = create(srv, create_aes(wrapping=cls.kek, mask="Encrypt"))
        cls.revoked = create(srv, create_aes(wrapping=cls.kek))
        for uid in (cls.hsm_key, cls.wrapped_key, cls.encrypt_only, cls.revoked):
            grant(srv, uid, "encrypt", "decrypt", "getattributes")
        status, body = srv.call(revoke(cls.revoked))
        assert status == 200, body
        cls.keys = {"hsm": cls.hsm_key, "wrapped": cls.wrapped_key}

    @classmethod
    def tearDownClass(cls):
        cls.srv.close()

    @property
    def target(self):
        return self.srv.kmsd

    def decrypt_request(self, encrypted: dict, aad: str | None) -> dict:
        out = {"requestMetadata": DECRYPT_METADATA, "encryptionAlgorithm": "AES_GCM",
               "ciphertext": encrypted["ciphertext"], "initializationVector": encrypted["initializationVector"],
               "authenticationTag": encrypted["authenticationTag"]}
        if "ciphertextMetadata" in encrypted:
            out["ciphertextMetadata"] = encrypted["ciphertextMetadata"]
        if aad is not None:
            out["additionalAuthenticatedData"] = aad
        return out

    # -- routes -------------------------------------------------------------------------------

    def test_health(self):
        answer = self.ok(f"{BASE}/health", HEALTH_EXAMPLE)
        self.assertEqual(set(answer), {"xksProxyFleetSize", "xksProxyVendor", "xksProxyModel", "ekmVendor",
                                       "ekmFleetDetails"})
        self.assertIsInstance(answer["xksProxyFleetSize"], int)
        self.assertGreater(answer["xksProxyFleetSize"], 0)
        self.assertEqual(answer["xksProxyVendor"], "kmsd")
        self.assertTrue(answer["xksProxyModel"].startswith("kmsd "))
        self.assertEqual(answer["ekmVendor"], "softhsm2")
        fleet = answer["ekmFleetDetails"]
        self.assertTrue(1 <= len(fleet) <= 10, fleet)
        self.assertEqual([(e["id"], e["healthStatus"]) for e in fleet], [("hsm::softhsm2", "ACTIVE")])
        self.assertIn("softhsm2", fleet[0]["model"])
        self.assertEqual(set(fleet[0]), {"id", "model", "healthStatus"})

    def test_metadata(self):
        for kind, uid in self.keys.items():
            with self.subTest(kind):
                answer = self.ok(f"{BASE}/keys/{key_id(uid)}/metadata", METADATA_EXAMPLE)
                self.assertEqual(set(answer), {"keySpec", "keyUsage", "keyStatus"})
                self.assertEqual(answer["keySpec"], "AES_256")
                self.assertIn("ENCRYPT", answer["keyUsage"])
                self.assertIn("DECRYPT", answer["keyUsage"])
                self.assertLessEqual(len(answer["keyUsage"]), 10)
                self.assertEqual(answer["keyStatus"], "ENABLED")
        # The usage mask decides keyUsage; the state decides keyStatus.
        answer = self.ok(f"{BASE}/keys/{self.encrypt_only}/metadata", METADATA_EXAMPLE)
        self.assertEqual(answer["keyUsage"], ["ENCRYPT"])
        answer = self.ok(f"{BASE}/keys/{self.revoked}/metadata", METADATA_EXAMPLE)
        self.assertEqual(answer["keyStatus"], "DISABLED")

    def test_encrypt_decrypt_example(self):
        aad = unb64(ENCRYPT_EXAMPLE["additionalAuthenticatedData"])
        for kind, uid in self.keys.items():
            with self.subTest(kind):
                out = self.encrypt(uid)
                self.assertEqual(set(out), {"ciphertext", "ciphertextMetadata", "initializationVector",
                                            "authenticationTag", "ciphertextDataIntegrityValue"})
                ciphertext, iv, tag = (unb64(out[k]) for k in ("ciphertext", "initializationVector",
                                                               "authenticationTag"))
                metadata = unb64(out["ciphertextMetadata"])
                self.assertEqual(len(ciphertext), len(b"Hello World!"))
                self.assertIn(len(iv), (12, 16))
                self.assertEqual(len(tag), 16)
                self.assertLessEqual(len(metadata), 20)
                # Appendix C, computed independently.
                cdiv = hashlib.sha256(aad + metadata + iv + ciphertext + tag).digest()
                self.assertEqual(unb64(out["ciphertextDataIntegrityValue"]), cdiv)
                plain = self.ok(f"{BASE}/keys/{key_id(uid)}/decrypt",
                                self.decrypt_request(out, ENCRYPT_EXAMPLE["additionalAuthenticatedData"]))
                self.assertEqual(plain, {"plaintext": "SGVsbG8gV29ybGQh"})
                # Each encryption draws its IV.
                self.assertNotEqual(self.encrypt(uid)["initializationVector"], out["initializationVector"])

    def test_round_trip_without_aad(self):
        data = os.urandom(4300)  # the largest plaintext the specification requires
        for kind, uid in self.keys.items():
            with self.subTest(kind):
                out = self.encrypt(uid, dict(PLAIN_ENCRYPT, plaintext=b64(data).decode()))
                self.assertNotIn("ciphertextDataIntegrityValue", out)
                self.assertEqual(len(unb64(out["ciphertext"])), len(data))
                plain = self.ok(f"{BASE}/keys/{key_id(uid)}/decrypt", self.decrypt_request(out, None))
                self.assertEqual(unb64(plain["plaintext"]), data)

    def test_hsm_key_encrypts_inside_the_hsm(self):
        """The HSM key's ciphertext decrypts with kmsd's KMIP Decrypt under the framed AAD:
        the XKS route used the HSM key itself, with CK_GCM_PARAMS carrying the AAD."""
        out = self.encrypt(self.hsm_key)
        aad = unb64(ENCRYPT_EXAMPLE["additionalAuthenticatedData"])
        metadata = unb64(out["ciphertextMetadata"])
        framed = len(aad).to_bytes(2, "big") + aad + bytes([len(metadata)]) + metadata
        node = uid_op("Decrypt", self.hsm_key, AES_GCM, b("Data", unb64(out["ciphertext"])),
                      b("IVCounterNonce", unb64(out["initializationVector"])),
                      b("AuthenticatedEncryptionAdditionalData", framed),
                      b("AuthenticatedEncryptionTag", unb64(out["authenticationTag"])))
        status, body = self.srv.call(node)
        self.assertEqual(status, 200, body)
        self.assertEqual(bytes.fromhex(value(body, "Data")), b"Hello World!")

    def test_rotation_second_credential(self):
        self.ok(f"{BASE}/health", HEALTH_EXAMPLE, access_key=KEY_ID_2, secret=SECRET_2)
        self.encrypt(self.wrapped_key)  # the first still works
        self.fails(f"{BASE}/health", HEALTH_EXAMPLE, 401, "AuthenticationFailedException",
                   access_key=KEY_ID_2, secret=SECRET_1)

    # -- errors -------------------------------------------------------------------------------

    def test_authentication_failures(self):
        path = f"{BASE}/keys/{key_id(self.wrapped_key)}/encrypt"
        name = "AuthenticationFailedException"
        self.fails(path, ENCRYPT_EXAMPLE, 401, name, secret=SECRET_2)                       # wrong signature
        self.fails(path, ENCRYPT_EXAMPLE, 401, name, stale=True)                            # stale date
        self.fails(path, ENCRYPT_EXAMPLE, 401, name, access_key="AKIAUNKNOWNKEY234567")     # unknown key id
        self.fails(path, ENCRYPT_EXAMPLE, 401, name, region="us-east-1")                    # other region
        # One byte of the body changed after signing.
        self.fails(path, ENCRYPT_EXAMPLE, 401, name, tamper=lambda body: body.replace(b"SGVsbG8", b"SGVsbG9", 1))
        # No signature at all.
        status, answer, _ = http_request(self.target.port, "POST", path, json.dumps(ENCRYPT_EXAMPLE).encode(),
                                         {"Content-Type": "application/json"}, ssl_context=self.ssl_context)
        self.assertEqual((status, answer.get("errorName")), (401, name), answer)
        # Health is authenticated too.
        self.fails(f"{BASE}/health", HEALTH_EXAMPLE, 401, name, secret="wrong")

    def test_key_errors(self):
        self.fails(f"{BASE}/keys/no-such-key/metadata", METADATA_EXAMPLE, 404, "KeyNotFoundException")
        self.fails(f"{BASE}/keys/no-such-key/encrypt", ENCRYPT_EXAMPLE, 404, "KeyNotFoundException")
        # A key the XKS user was not granted looks like a missing one, on every route.
        for route, body in (("metadata", METADATA_EXAMPLE), ("encrypt", ENCRYPT_EXAMPLE)):
            self.fails(f"{BASE}/keys/{self.not_granted}/{route}", body, 404, "KeyNotFoundException")
        self.fails(f"{BASE}/keys/{self.revoked}/encrypt", ENCRYPT_EXAMPLE, 400, "InvalidStateException")
        out = self.encrypt(self.encrypt_only)
        self.fails(f"{BASE}/keys/{self.encrypt_only}/decrypt",
                   self.decrypt_request(out, ENCRYPT_EXAMPLE["additionalAuthenticatedData"]),
                   400, "InvalidKeyUsageException")

    def test_ciphertext_errors(self):
        aad = ENCRYPT_EXAMPLE["additionalAuthenticatedData"]
        for kind, uid in self.keys.items():
            with self.subTest(kind):
                path = f"{BASE}/keys/{key_id(uid)}/decrypt"
                out = self.encrypt(uid)
                good = self.decrypt_request(out, aad)

                def changed(field: str, flip: int = 0) -> dict:
                    raw = bytearray(unb64(good[field]))
                    raw[flip] ^= 1
                    return dict(good, **{field: b64(bytes(raw)).decode()})

                for bad in (changed("ciphertext"), changed("authenticationTag", 15), changed("initializationVector"),
                            changed("ciphertextMetadata"),
                            dict(good, additionalAuthenticatedData=b64(b"project=nile,department=sales").decode()),
                            {k: v for k, v in good.items() if k != "additionalAuthenticatedData"},
                            {k: v for k, v in good.items() if k != "ciphertextMetadata"},
                            # The metadata moved into the AAD: the framing keeps them apart.
                            dict({k: v for k, v in good.items() if k != "ciphertextMetadata"},
                                 additionalAuthenticatedData=b64(unb64(aad) + unb64(good["ciphertextMetadata"]))
                                 .decode())):
                    self.fails(path, bad, 400, "InvalidCiphertextException")
                self.fails(path, dict(good, initializationVector=b64(b"x" * 8).decode()), 400,
                           "InvalidCiphertextException")
                self.fails(path, dict(good, authenticationTag=b64(b"x" * 12).decode()), 400,
                           "InvalidCiphertextException")
                self.ok(path, good)

    def test_validation_errors(self):
        path = f"{BASE}/keys/{key_id(self.wrapped_key)}/encrypt"
        name = "ValidationException"
        self.fails(path, dict(ENCRYPT_EXAMPLE, encryptionAlgorithm="AES_CBC"), 400, name)
        self.fails(path, dict(ENCRYPT_EXAMPLE, ciphertextDataIntegrityValueAlgorithm="MD5"), 400, name)
        self.fails(path, dict(ENCRYPT_EXAMPLE, plaintext="not base64!"), 400, name)
        self.fails(path, {k: v for k, v in ENCRYPT_EXAMPLE.items() if k != "requestMetadata"}, 400, name)
        self.fails(path, {k: v for k, v in ENCRYPT_EXAMPLE.items() if k != "plaintext"}, 400, name)
        self.fails(path, b"{not json", 400, name)
        self.fails(f"{BASE}/keys/bad%3Akey/metadata", METADATA_EXAMPLE, 400, name)
        # Beyond what the specification requires: 4301 bytes of plaintext, 8193 of AAD.
        self.fails(path, dict(ENCRYPT_EXAMPLE, plaintext=b64(os.urandom(4301)).decode()), 501,
                   "UnsupportedOperationException")
        self.fails(path, dict(ENCRYPT_EXAMPLE, additionalAuthenticatedData=b64(os.urandom(8193)).decode()), 501,
                   "UnsupportedOperationException")
        self.encrypt(self.wrapped_key, dict(ENCRYPT_EXAMPLE, additionalAuthenticatedData=b64(os.urandom(8192))
                                            .decode()))

    def test_paths_and_methods(self):
        # GET on the API's URIs is 405 (the specification).
        for route in ("metadata", "encrypt", "decrypt"):
            status, _ = self.send(f"{BASE}/keys/{key_id(self.wrapped_key)}/{route}", b"", method="GET")
            self.assertEqual(status, 405)
        status, _ = self.send(f"{BASE}/health", b"", method="GET")
        self.assertEqual(status, 405)
        self.fails(f"{BASE}/keys/{key_id(self.wrapped_key)}/sign", METADATA_EXAMPLE, 404, "InvalidUriPathException")
        self.fails(f"{BASE}/nothing", HEALTH_EXAMPLE, 404, "InvalidUriPathException")
        self.fails("/wrong-prefix/kms/xks/v1/health", HEALTH_EXAMPLE, 404, "InvalidUriPathException")

    def test_log_has_request_metadata_never_plaintext(self):
        secret_text = b64(b"plaintext that must never be logged").decode()
        self.encrypt(self.wrapped_key, dict(PLAIN_ENCRYPT, plaintext=secret_text,
                                            requestMetadata=dict(PLAIN_ENCRYPT["requestMetadata"],
                                                                 kmsRequestId="req-id-for-the-log-1234")))
        # The line is written after the answer is sent: give it a moment.
        deadline = time.monotonic() + 5
        while "req-id-for-the-log-1234" not in (log := self.srv.kmsd.log_text()) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertIn("kmsRequestId=req-id-for-the-log-1234", log)
        self.assertIn("awsPrincipalArn=arn:aws:iam::123456789012:user/Alice", log)
        self.assertNotIn(secret_text, log)
        self.assertNotIn(SECRET_1, log)
        self.assertNotIn(SECRET_2, log)


class XksServed(XksCases):
    """setUpClass and tearDownClass of a case class: a token, the kmsd (HTTPS when `https`)."""

    https = False

    @classmethod
    def setUpClass(cls):
        name = "https" if cls.https else "http"
        cls.tmp = Path(tempfile.mkdtemp(prefix=f"kmsd-xks-{name}-"))
        args = []
        if cls.https:
            pki = Pki(cls.tmp / "pki")
            cert, key = pki.server()
            cls.ssl_context = pki.client_context()
            args = ["--tls-cert-file", str(cert), "--tls-key-file", str(key)]
        cls.hsm = SoftHsm(tokens=1, label_prefix=f"xks{name}").start()
        try:
            cls.start(args)
        except BaseException:
            cls.hsm.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.hsm.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)


class XksOverHttp(XksServed, unittest.TestCase):
    pass


class XksOverHttps(XksServed, unittest.TestCase):
    https = True


class XksOwnKmsd(XksClient):
    """A case class that starts its own kmsd (cls.kmsd) on its own SoftHSM2 tokens (cls.hsm) in
    cls.tmp, without authentication (kmsd's default user administers the HSM and grants)."""

    kmsd: Kmsd
    hsm: SoftHsm
    tmp: Path

    @classmethod
    def tearDownClass(cls):
        cls.kmsd.__exit__(None, None, None)
        cls.hsm.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    @classmethod
    def create_granted_hsm_key(cls, uid: str) -> None:
        """An AES key inside the HSM, granted encrypt and decrypt to the XKS user."""
        status, body = cls.kmsd.post_json("/kmip/2_1", create_hsm_aes(uid))
        assert status == 200, body
        status, body = cls.kmsd.post_json("/access/grant", {"unique_identifier": uid, "user_id": XKS_USER,
                                                            "operation_types": ["encrypt", "decrypt"]})
        assert status == 200, body

    @property
    def target(self):
        return self.kmsd

    def fleet(self) -> list[dict]:
        return self.ok(f"{BASE}/health", HEALTH_EXAMPLE)["ekmFleetDetails"]

    def health(self) -> list[str]:
        return [entry["healthStatus"] for entry in self.fleet()]

    def wait_health(self, expected: str) -> None:
        deadline = time.monotonic() + 10
        while self.health() != [expected]:
            self.assertLess(time.monotonic(), deadline, f"health never became {expected}: {self.fleet()}")
            time.sleep(0.2)


class XksHsmOutage(XksOwnKmsd, unittest.TestCase):
    """The HSM cut off behind the fault-injecting PKCS#11 module: only these cases run here."""

    @classmethod
    def setUpClass(cls):
        try:
            shim = faulty_p11_path()
        except FileNotFoundError as error:
            raise unittest.SkipTest(str(error))
        cls.tmp = Path(tempfile.mkdtemp(prefix="kmsd-xks-outage-"))
        cls.switch = cls.tmp / "hsm-down"
        cls.hsm = SoftHsm(tokens=1, label_prefix="xksfault").start()
        try:
            kmsd = faulty_hsm_kmsd(cls.tmp, cls.hsm, "admin", shim)
            kmsd.extra_args += xks_args(cls.tmp) + ["--aws-xks-health-probe-interval", "1s"]
            kmsd.extra_env.update(XKS_ENV)
            cls.kmsd = kmsd.__enter__()
        except BaseException:
            cls.hsm.stop()
            raise
        cls.uid = f"hsm::softhsm2::{cls.hsm.tokens[0].slot_id}::xks-outage"
        cls.create_granted_hsm_key(cls.uid)

    @classmethod
    def tearDownClass(cls):
        cls.switch.unlink(missing_ok=True)
        super().tearDownClass()

    def test_outage(self):
        self.encrypt(self.uid)
        self.assertEqual(self.health(), ["ACTIVE"])
        self.switch.touch()
        try:
            self.fails(f"{BASE}/keys/{key_id(self.uid)}/encrypt", ENCRYPT_EXAMPLE, 503, "DependencyTimeoutException")
            self.wait_health("UNAVAILABLE")
        finally:
            self.switch.unlink(missing_ok=True)
        self.wait_health("ACTIVE")
        deadline = time.monotonic() + 10
        while self.send(f"{BASE}/keys/{key_id(self.uid)}/encrypt", ENCRYPT_EXAMPLE)[0] != 200:
            self.assertLess(time.monotonic(), deadline, "Encrypt never worked again after the outage")
            time.sleep(0.2)


class XksHealthDegraded(XksOwnKmsd, unittest.TestCase):
    """One HSM instance on two SoftHSM2 tokens, one of which goes missing (its token directory
    moved away, as a card pulled from a reader): health reports the instance DEGRADED while the
    other slot still serves. (SoftHSM2 does not take a token directory back once it has seen it
    gone, so the slot stays down until kmsd restarts: the HSM outage case above tests recovery.)"""

    @classmethod
    def setUpClass(cls):
        cls.tmp = Path(tempfile.mkdtemp(prefix="kmsd-xks-degraded-"))
        cls.hsm = SoftHsm(tokens=2, label_prefix="xksdeg").start()
        try:
            slots = [token.slot_id for token in cls.hsm.tokens]
            args = hsm_args(cls.tmp, slots, cls.hsm.tokens[0].pin) + xks_args(cls.tmp) + \
                ["--aws-xks-health-probe-interval", "1s"]
            cls.kmsd = Kmsd(default_binary(), extra_args=args, env=XKS_ENV).__enter__()
        except BaseException:
            cls.hsm.stop()
            shutil.rmtree(cls.tmp, ignore_errors=True)
            raise

    def accessible_slots(self) -> list[int]:
        status, body = self.kmsd.get("/hsm/status")
        self.assertEqual(status, 200, body)
        return [slot["slot_id"] for slot in body[0]["slots"] if slot["accessible"]]

    def test_one_token_missing(self):
        self.assertEqual(self.health(), ["ACTIVE"])
        self.assertEqual(self.fleet()[0]["id"], "hsm::softhsm2")
        token_dirs = sorted((self.hsm.directory / "tokens").iterdir())
        self.assertEqual(len(token_dirs), 2)
        away = self.tmp / "pulled-token"
        shutil.move(str(token_dirs[0]), str(away))
        try:
            self.wait_health("DEGRADED")
            # The token still present serves XKS calls: an AES key inside it encrypts.
            (up,) = self.accessible_slots()
            uid = f"hsm::softhsm2::{up}::xks-degraded"
            self.create_granted_hsm_key(uid)
            self.encrypt(uid)
        finally:
            shutil.move(str(away), str(token_dirs[0]))


if __name__ == "__main__":
    if botocore is None:
        print("test_aws_xks: python3-botocore is not installed: skipped", file=sys.stderr)
        sys.exit(1 if os.environ.get("CI") == "true" else 77)
    main()
