#!/usr/bin/python3
"""kmsd as Google Workspace client-side encryption's KACLS (docs/google-cse.md), against a real
kmsd with SoftHSM2, as Google Workspace would call it:

    test_google_cse.py --kmsd BUILD/core/kmsd --plugins-dir BUILD/plugins [-v]

- the users' identity provider is kmsd's jwt_auth_provider (the test Server's); Google's token
  issuer is a stand-in: an RS256 key whose JWKS file google_cse_authorization_jwks_uri names,
  signing tokens as Google's Drive issuer (audience cse-authorization, kacls_url, role,
  resource_name, perimeter_id, email);
- wrap/unwrap round trips with the wrapping key inside the HSM, then, after a restart with
  google_cse_key_id naming a database key wrapped by the HSM key, the old blobs still unwrap, new
  ones name the new key, and rewrap moves an old blob to it; digest and rewrap give Google's
  resource key hash (HMAC-SHA-256, computed here independently);
- every token failure and each refusal answers Google's structured error with its status;
- privileged routes for google_cse_privileged_users only; Gmail's private keys: wrapprivatekey,
  privatekeysign (verified with python3-cryptography), privatekeydecrypt (RSA-OAEP), spki_hash;
- on PostgreSQL (integration.pg.test_google_cse), a second node unwraps what the first wrapped;
- no DEK, private key or token ever reaches kmsd's log.
Needs Debian's python3-cryptography: without it, exit 77.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import shutil
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))

from credentials import RsaJwtKey, claims, jwks  # noqa: E402
from kmip_requests import create_aes, create_hsm_aes  # noqa: E402
from kmsd import Kmsd, default_binary, http_request  # noqa: E402
from servers import ADMIN, AUDIENCE, BOB, ISSUER, Server, main  # noqa: E402
from softhsm import SoftHsm  # noqa: E402

try:
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding, rsa
except ImportError:  # pragma: no cover - depends on the machine
    rsa = None

PUBLIC_URL = "https://kms.cse.test"
KACLS_URL = PUBLIC_URL + "/google_cse"
GOOGLE = "gsuitecse-tokenissuer-drive@system.gserviceaccount.com"  # one of kmsd's default issuers
CAROL = "carol@example.com"  # authenticated, but not granted the wrapping key
BOB_AT_IDP = "bob@idp.example.org"  # BOB's identity-provider email; google_email names BOB
BLOCKED = "wsadmin@example.com"     # google_cse_blocked_users (a Workspace administrator, say)
OUTSIDER = "dave@other.test"        # outside google_cse_allowed_domains
GOOGLE_ORIGIN = "https://client-side-encryption.google.com"
RESOURCE = "//googleapis.com/drive/files/1AbCdEf"
PERIMETER = "eu-perimeter"
OPERATIONS = {"digest", "privatekeydecrypt", "privatekeysign", "privilegedprivatekeydecrypt", "privilegedunwrap",
              "privilegedwrap", "rewrap", "status", "unwrap", "wrap", "wrapprivatekey"}


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def resource_key_hash(dek: bytes, resource: str, perimeter: str) -> str:
    """Google's definition, independently of kmsd."""
    data = f"ResourceKeyDigest:{resource}:{perimeter}".encode()
    return b64(hmac.new(dek, data, hashlib.sha256).digest())


def wrapping_uid(blob_b64: str) -> str:
    """The key a kmsd blob names (docs/google-cse.md: version, kind, uid length, uid, ...)."""
    blob = base64.b64decode(blob_b64)
    size = int.from_bytes(blob[2:4], "big")
    return blob[4:4 + size].decode()


class GoogleCse(unittest.TestCase):
    srv: Server
    hsm: SoftHsm
    tmp: Path

    @classmethod
    def setUpClass(cls):
        cls.tmp = Path(tempfile.mkdtemp(prefix="kmsd-cse-"))
        cls.hsm = SoftHsm(tokens=1, label_prefix="cse").start()
        tok = cls.hsm.tokens[0]
        cls.slot = tok.slot_id
        cls.google = RsaJwtKey(cls.tmp, "google-1")
        (cls.tmp / "forger").mkdir()
        cls.forger = RsaJwtKey(cls.tmp / "forger", "google-1")  # same kid, another key
        google_jwks = cls.tmp / "google-jwks.json"
        google_jwks.write_text(jwks(cls.google))
        # The wrapping key inside the HSM; later a database key, which another HSM key wraps (a
        # key that wraps stored keys serves no Decrypt: it cannot be the CSE key itself).
        cls.hsm_key = f"hsm::softhsm2::{cls.slot}::cse-wrapping"
        cls.kek = f"hsm::softhsm2::{cls.slot}::cse-kek"
        cls.db_key = "cse-database-key"
        cls.args = ["--kms-public-url", PUBLIC_URL, "--google-cse-enable", "true",
                    "--google-cse-authorization-jwks-uri", str(google_jwks),
                    "--google-cse-privileged-users", ADMIN, "--google-cse-key-id", cls.hsm_key,
                    "--google-cse-allowed-domains", "example.com", "--google-cse-blocked-users", BLOCKED]
        cls.srv = Server(cls.tmp / "srv", [tok.slot_id], tok.pin, cls.args).start()
        cls.srv.created(create_hsm_aes(cls.hsm_key))
        cls.srv.created(create_hsm_aes(cls.kek))
        cls.srv.created(create_aes(uid=cls.db_key, wrapping=cls.kek))
        # ADMIN owns both keys (it created them); BOB is granted them, CAROL nothing.
        for uid in (cls.hsm_key, cls.db_key):
            cls.srv.grant(uid, BOB, "encrypt", "decrypt")
            cls.srv.grant(uid, BOB_AT_IDP, "encrypt", "decrypt")

    @classmethod
    def tearDownClass(cls):
        if hasattr(cls, "srv"):
            log = cls.srv.kmsd.log_text()
            cls.srv.close()
            cls.check_log(log)
        if hasattr(cls, "hsm"):
            cls.hsm.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    secrets_seen: list[str] = []

    @classmethod
    def check_log(cls, log: str) -> None:
        leaked = [s[:12] + "..." for s in cls.secrets_seen if s and s in log]
        if leaked:
            raise AssertionError(f"secrets in kmsd's log: {leaked}")

    # -- tokens and calls ---------------------------------------------------------------------

    def authentication(self, user: str, **more) -> str:
        token = self.srv.jwt.token(claims(ISSUER, user, audience=AUDIENCE, **more))
        self.secrets_seen.append(token)
        return token

    def authorization(self, user: str, role: str, *, resource: str | None = RESOURCE, key=None,
                      issuer: str = GOOGLE, audience="cse-authorization", kacls_url: str | None = KACLS_URL,
                      lifetime: int = 600, **more) -> str:
        body = claims(issuer, user, audience=audience, lifetime=lifetime, role=role, **more)
        if resource is not None:
            body["resource_name"] = resource
        if kacls_url is not None:
            body["kacls_url"] = kacls_url
        token = (key or self.google).token(body)
        self.secrets_seen.append(token)
        return token

    def post(self, operation: str, body) -> tuple[int, dict]:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        status, answer, _ = http_request(self.srv.kmsd.port, "POST", f"/google_cse/{operation}", data,
                                         {"Content-Type": "application/json"})
        return status, answer

    def ok(self, operation: str, body) -> dict:
        status, answer = self.post(operation, body)
        self.assertEqual(status, 200, f"{operation}: {answer}")
        return answer

    def refused(self, operation: str, body, status: int, fragment: str = "") -> dict:
        got, answer = self.post(operation, body)
        self.assertEqual(got, status, f"{operation}: {answer}")
        # Google's structured error reply.
        self.assertEqual(answer.get("code"), status, answer)
        self.assertIsInstance(answer.get("message"), str)
        self.assertIsInstance(answer.get("details"), str)
        if fragment:
            self.assertIn(fragment, answer["message"] + " " + answer["details"])
        return answer

    def wrap(self, dek: bytes, user: str = BOB, resource: str = RESOURCE, **more) -> str:
        self.secrets_seen.append(b64(dek))
        answer = self.ok("wrap", {"authentication": self.authentication(user),
                                  "authorization": self.authorization(user, "writer", resource=resource, **more),
                                  "key": b64(dek), "reason": '{"client":"drive","op":"create"}'})
        return answer["wrapped_key"]

    def unwrap_body(self, blob: str, user: str = BOB, resource: str = RESOURCE, role: str = "reader") -> dict:
        return {"authentication": self.authentication(user),
                "authorization": self.authorization(user, role, resource=resource),
                "wrapped_key": blob, "reason": '{"client":"drive","op":"read"}'}

    def unwrap(self, blob: str, user: str = BOB, resource: str = RESOURCE) -> bytes:
        return base64.b64decode(self.ok("unwrap", self.unwrap_body(blob, user, resource))["key"])

    # -- status -------------------------------------------------------------------------------

    def test_status(self):
        status, body, _ = http_request(self.srv.kmsd.port, "GET", "/google_cse/status")
        self.assertEqual(status, 200, body)
        self.assertEqual(body["server_type"], "KACLS")
        self.assertEqual(set(body["operations_supported"]), OPERATIONS)
        for field in ("vendor_id", "version", "name"):
            self.assertIsInstance(body[field], str)
        status, _, headers = http_request(self.srv.kmsd.port, "POST", "/google_cse/status", b"{}")
        self.assertEqual(status, 405)
        status, body, _ = http_request(self.srv.kmsd.port, "GET", "/google_cse/delegate")
        self.assertEqual((status, body.get("code")), (404, 404))

    # -- wrap and unwrap ------------------------------------------------------------------------

    def test_wrap_unwrap_in_the_hsm(self):
        dek = os.urandom(32)
        blob = self.wrap(dek)
        self.assertEqual(wrapping_uid(blob), self.hsm_key)
        self.assertNotIn(dek, base64.b64decode(blob))
        self.assertEqual(self.unwrap(blob), dek)
        # A writer may unwrap too; a DEK of another size round-trips.
        other = os.urandom(16)
        self.assertEqual(base64.b64decode(self.ok("unwrap", self.unwrap_body(self.wrap(other), role="writer"))["key"]),
                         other)
        # Two wraps of one DEK differ (a fresh IV each time).
        self.assertNotEqual(self.wrap(dek), blob)

    def test_a_blob_unwraps_only_for_its_resource_and_unaltered(self):
        dek = os.urandom(32)
        blob = self.wrap(dek)
        self.refused("unwrap", self.unwrap_body(blob, resource=RESOURCE + "-other"), 400, "another resource")
        raw = bytearray(base64.b64decode(blob))
        raw[-20] ^= 1
        self.refused("unwrap", self.unwrap_body(b64(bytes(raw))), 400, "altered")
        self.refused("unwrap", self.unwrap_body(b64(b"\x07" + bytes(raw[1:]))), 400, "not a key this KACLS wrapped")
        self.refused("unwrap", self.unwrap_body(b64(b"\x01\x01\x00")), 400)

    def test_the_wrapping_key_grant_decides(self):
        # CAROL authenticates and Google authorizes her, but kmsd grants her nothing on the key.
        self.refused("wrap", {"authentication": self.authentication(CAROL),
                              "authorization": self.authorization(CAROL, "writer"), "key": b64(os.urandom(32)),
                              "reason": ""}, 403, "not permitted")

    def test_digest_is_googles_resource_key_hash(self):
        dek = os.urandom(32)
        blob = self.wrap(dek, perimeter_id=PERIMETER)
        answer = self.ok("digest", {"authorization": self.authorization(BOB, "verifier"), "wrapped_key": blob,
                                    "reason": ""})
        self.assertEqual(answer["resource_key_hash"], resource_key_hash(dek, RESOURCE, PERIMETER))
        # Google's documented example, through the same definition.
        self.assertEqual(resource_key_hash(bytes.fromhex("f00d"), "my_resource", "my_perimeter"),
                         b64(hmac.new(bytes.fromhex("f00d"), b"ResourceKeyDigest:my_resource:my_perimeter",
                                      hashlib.sha256).digest()))
        self.refused("digest", {"authorization": self.authorization(BOB, "reader"), "wrapped_key": blob,
                                "reason": ""}, 403, "role")

    # -- tokens ---------------------------------------------------------------------------------

    def test_every_token_failure(self):
        dek = b64(os.urandom(32))

        def body(authn=None, authz=None):
            return {"authentication": self.authentication(BOB) if authn is None else authn,
                    "authorization": self.authorization(BOB, "writer") if authz is None else authz,
                    "key": dek, "reason": ""}

        self.ok("wrap", body())
        cases = [
            ("no authentication", body(authn=""), 401),
            ("no authorization", body(authz=""), 401),
            ("authentication not a JWT", body(authn="not.a.jwt"), 401),
            ("authentication of an unknown issuer",
             body(authn=self.google.token(claims("https://idp.unknown.test", BOB, audience=AUDIENCE))), 401),
            ("authentication expired", body(authn=self.authentication(BOB, exp=1)), 401),
            ("authorization forged", body(authz=self.authorization(BOB, "writer", key=self.forger)), 401),
            ("authorization of another issuer",
             body(authz=self.authorization(BOB, "writer", issuer="gsuitecse-tokenissuer-evil@example.com")), 401),
            ("authorization for another audience", body(authz=self.authorization(BOB, "writer", audience="kmsd")), 401),
            ("authorization expired", body(authz=self.authorization(BOB, "writer", lifetime=-120)), 401),
            ("authorization for another KACLS",
             body(authz=self.authorization(BOB, "writer", kacls_url="https://evil.test/google_cse")), 403),
            ("authorization without kacls_url", body(authz=self.authorization(BOB, "writer", kacls_url=None)), 403),
            ("authorization of a reader", body(authz=self.authorization(BOB, "reader")), 403),
            ("authorization without a resource", body(authz=self.authorization(BOB, "writer", resource=None)), 403),
            ("authorization of a resource above 128 bytes",
             body(authz=self.authorization(BOB, "writer", resource="r" * 129)), 403),
            ("authorization for another user", body(authz=self.authorization(ADMIN, "writer")), 403),
        ]
        for name, request, status in cases:
            with self.subTest(name):
                self.refused("wrap", request, status)
        # google_email, when present, is what Google's email must match (not email).
        self.ok("wrap", body(authn=self.authentication(BOB_AT_IDP, google_email=BOB.upper())))
        self.refused("wrap", body(authn=self.authentication(BOB, google_email="someone@else.test")), 403,
                     "different users")

    def test_bad_requests(self):
        authn, authz = self.authentication(BOB), self.authorization(BOB, "writer")
        self.refused("wrap", b"not json", 400, "JSON object")
        self.refused("wrap", b"[1, 2]", 400, "JSON object")
        self.refused("wrap", {"authentication": authn, "authorization": authz, "key": "not base64!", "reason": ""},
                     400, "Base64")
        self.refused("wrap", {"authentication": authn, "authorization": authz, "key": b64(os.urandom(129)),
                              "reason": ""}, 400, "128 bytes")
        self.refused("wrap", {"authentication": authn, "authorization": authz, "reason": ""}, 400, "key is missing")
        self.refused("wrap", {"authentication": authn, "authorization": authz, "key": 12, "reason": ""}, 400)
        self.refused("wrap", {"authentication": authn, "authorization": authz, "key": b64(os.urandom(32)),
                              "reason": "r" * 1025}, 400, "reason")

    def test_perimeter(self):
        for user in (BLOCKED, OUTSIDER):
            with self.subTest(user):
                self.refused("wrap", {"authentication": self.authentication(user),
                                      "authorization": self.authorization(user, "writer"), "key": b64(os.urandom(32)),
                                      "reason": ""}, 403, "perimeter")
        self.refused("digest", {"authorization": self.authorization(OUTSIDER, "verifier"),
                                "wrapped_key": self.wrap(os.urandom(32)), "reason": ""}, 403, "perimeter")

    def test_cors_for_googles_front_end(self):
        port = self.srv.kmsd.port
        status, _, headers = http_request(port, "OPTIONS", "/google_cse/wrap", None,
                                          {"Origin": GOOGLE_ORIGIN, "Access-Control-Request-Method": "POST",
                                           "Access-Control-Request-Headers": "content-type"})
        lower = {k.lower(): v for k, v in headers.items()}
        self.assertEqual(status, 204, headers)
        self.assertEqual(lower.get("access-control-allow-origin"), GOOGLE_ORIGIN)
        self.assertIn("POST", lower.get("access-control-allow-methods", ""))
        self.assertIn("content-type", lower.get("access-control-allow-headers", "").lower())
        status, body, headers = http_request(port, "OPTIONS", "/google_cse/wrap", None,
                                             {"Origin": "https://evil.test", "Access-Control-Request-Method": "POST"})
        self.assertEqual(status, 403)
        self.assertNotIn("access-control-allow-origin", {k.lower() for k in headers})
        # Answers, errors too, name the allowed origin; others get no CORS header.
        status, body, headers = http_request(port, "GET", "/google_cse/status", None, {"Origin": GOOGLE_ORIGIN})
        self.assertEqual({k.lower(): v for k, v in headers.items()}.get("access-control-allow-origin"), GOOGLE_ORIGIN)
        status, body, headers = http_request(port, "POST", "/google_cse/wrap", b"{}",
                                             {"Origin": GOOGLE_ORIGIN, "Content-Type": "application/json"})
        self.assertEqual(status, 400)
        self.assertEqual({k.lower(): v for k, v in headers.items()}.get("access-control-allow-origin"), GOOGLE_ORIGIN)
        status, body, headers = http_request(port, "GET", "/google_cse/status", None, {"Origin": "https://evil.test"})
        self.assertNotIn("access-control-allow-origin", {k.lower() for k in headers})

    # -- privileged routes ------------------------------------------------------------------------

    def test_privileged_wrap_and_unwrap(self):
        dek = os.urandom(32)
        self.secrets_seen.append(b64(dek))
        answer = self.ok("privilegedwrap", {"authentication": self.authentication(ADMIN), "key": b64(dek),
                                            "perimeter_id": PERIMETER, "resource_name": RESOURCE, "reason": "import"})
        blob = answer["wrapped_key"]
        # Google unwraps what the administrator wrapped, for the same resource.
        self.assertEqual(self.unwrap(blob), dek)
        # And the administrator unwraps what Google had wrapped (a takeout), without Google's token.
        other = os.urandom(32)
        theirs = self.wrap(other)
        answer = self.ok("privilegedunwrap", {"authentication": self.authentication(ADMIN), "resource_name": RESOURCE,
                                              "wrapped_key": theirs, "reason": "takeout"})
        self.assertEqual(base64.b64decode(answer["key"]), other)
        self.refused("privilegedunwrap", {"authentication": self.authentication(ADMIN), "resource_name": "elsewhere",
                                          "wrapped_key": theirs, "reason": ""}, 400)
        for operation in ("privilegedwrap", "privilegedunwrap", "wrapprivatekey"):
            with self.subTest(operation):
                self.refused(operation, {"authentication": self.authentication(BOB), "key": b64(dek),
                                         "resource_name": RESOURCE, "wrapped_key": theirs, "private_key": "x",
                                         "reason": ""}, 403, "privileged")

    # -- Gmail's private keys -----------------------------------------------------------------------

    @unittest.skipIf(rsa is None, "python3-cryptography is missing")
    def test_private_keys(self):
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                    serialization.NoEncryption()).decode()
        self.secrets_seen.append(pem.splitlines()[5])
        spki = private.public_key().public_bytes(serialization.Encoding.DER,
                                                 serialization.PublicFormat.SubjectPublicKeyInfo)
        spki_hash = b64(hashlib.sha256(spki).digest())
        answer = self.ok("wrapprivatekey", {"authentication": self.authentication(ADMIN), "perimeter_id": "",
                                            "private_key": pem})
        wrapped = answer["wrapped_private_key"]
        self.assertEqual(wrapping_uid(wrapped), self.hsm_key)

        def gmail(role: str, hash_: str = spki_hash) -> dict:
            return {"authentication": self.authentication(BOB),
                    "authorization": self.authorization(BOB, role, resource="gmail-message-1", spki_hash=hash_,
                                                        spki_hash_algorithm="SHA-256"),
                    "wrapped_private_key": wrapped, "reason": ""}

        digest = hashlib.sha256(b"signed attributes").digest()
        answer = self.ok("privatekeysign", {**gmail("signer"), "algorithm": "SHA256withRSA", "digest": b64(digest)})
        private.public_key().verify(base64.b64decode(answer["signature"]), b"signed attributes", padding.PKCS1v15(),
                                    hashes.SHA256())
        answer = self.ok("privatekeysign", {**gmail("signer"), "algorithm": "SHA256withRSA/PSS", "digest": b64(digest),
                                            "rsa_pss_salt_length": 32})
        private.public_key().verify(base64.b64decode(answer["signature"]), b"signed attributes",
                                    padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32), hashes.SHA256())
        self.refused("privatekeysign", {**gmail("signer"), "algorithm": "MD5withRSA", "digest": b64(digest)}, 400)
        self.refused("privatekeysign", {**gmail("signer"), "algorithm": "SHA256withRSA", "digest": b64(digest[:20])},
                     400, "digest")
        self.refused("privatekeysign", {**gmail("decrypter"), "algorithm": "SHA256withRSA", "digest": b64(digest)},
                     403, "role")
        self.refused("privatekeysign", {**gmail("signer", b64(b"\x00" * 32)), "algorithm": "SHA256withRSA",
                                        "digest": b64(digest)}, 403, "spki_hash")

        dek = os.urandom(32)
        self.secrets_seen.append(b64(dek))
        oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
        encrypted = private.public_key().encrypt(dek, oaep)
        answer = self.ok("privatekeydecrypt", {**gmail("decrypter"), "algorithm": "RSA/ECB/OAEPwithSHA-256andMGF1Padding",
                                               "encrypted_data_encryption_key": b64(encrypted)})
        self.assertEqual(base64.b64decode(answer["data_encryption_key"]), dek)
        pkcs1 = private.public_key().encrypt(dek, padding.PKCS1v15())
        self.refused("privatekeydecrypt", {**gmail("decrypter"), "algorithm": "RSA/ECB/PKCS1Padding",
                                           "encrypted_data_encryption_key": b64(pkcs1)}, 400, "rsa_pkcs1v15_decrypt")
        self.refused("privatekeydecrypt", {**gmail("decrypter"), "algorithm": "RSA/ECB/OAEPwithSHA-256andMGF1Padding",
                                           "encrypted_data_encryption_key": b64(os.urandom(256))}, 400, "does not decrypt")
        answer = self.ok("privilegedprivatekeydecrypt",
                         {"authentication": self.authentication(ADMIN), "algorithm": "RSA/ECB/OAEPwithSHA-256andMGF1Padding",
                          "encrypted_data_encryption_key": b64(encrypted), "spki_hash": spki_hash,
                          "spki_hash_algorithm": "SHA-256", "wrapped_private_key": wrapped, "reason": ""})
        self.assertEqual(base64.b64decode(answer["data_encryption_key"]), dek)
        # A private key blob is not a DEK, and a DEK blob not a private key.
        self.refused("unwrap", self.unwrap_body(wrapped), 400)  # above a wrapped DEK's 1 KB, too
        self.refused("privatekeysign", {**gmail("signer"), "wrapped_private_key": self.wrap(dek),
                                        "algorithm": "SHA256withRSA", "digest": b64(digest)}, 400,
                     "holds a data encryption key")
        self.refused("wrapprivatekey", {"authentication": self.authentication(ADMIN), "private_key": "not a key"}, 400,
                     "RSA private key")

    # -- a cluster --------------------------------------------------------------------------------

    def test_another_node_unwraps(self):
        """Nodes of a cluster share the PostgreSQL database and the HSM: a blob wrapped by one
        unwraps on the other, both ways (integration.pg.test_google_cse runs this)."""
        first = self.srv.kmsd
        if first.store_kind != "postgresql":
            self.skipTest("a cluster shares a PostgreSQL database: integration.pg.test_google_cse runs this")
        second = Kmsd(default_binary(), extra_args=first.extra_args, database_url=first.database_url).start()
        try:
            dek = os.urandom(32)
            blob = self.wrap(dek)
            body = self.unwrap_body(blob)
            status, answer, _ = http_request(second.port, "POST", "/google_cse/unwrap", json.dumps(body).encode(),
                                             {"Content-Type": "application/json"})
            self.assertEqual((status, base64.b64decode(answer.get("key", ""))), (200, dek), answer)
            wrap = {"authentication": self.authentication(BOB), "authorization": self.authorization(BOB, "writer"),
                    "key": b64(dek), "reason": ""}
            status, answer, _ = http_request(second.port, "POST", "/google_cse/wrap", json.dumps(wrap).encode(),
                                             {"Content-Type": "application/json"})
            self.assertEqual(status, 200, answer)
            self.assertEqual(self.unwrap(answer["wrapped_key"]), dek)
        finally:
            second.stop()
            shutil.rmtree(second.dir, ignore_errors=True)

    # -- rotation (last: it restarts kmsd) -------------------------------------------------------

    def test_z_rotation_keeps_old_blobs_readable(self):
        dek = os.urandom(32)
        old = self.wrap(dek, perimeter_id=PERIMETER)
        self.assertEqual(wrapping_uid(old), self.hsm_key)
        kmsd = self.srv.kmsd
        at = kmsd.extra_args.index("--google-cse-key-id")
        kmsd.extra_args[at + 1] = self.db_key
        kmsd.restart()
        # After the restart, with a new wrapping key: the old blob unwraps (it names its key)...
        self.assertEqual(self.unwrap(old), dek)
        # ... new blobs name the new key...
        new = self.wrap(dek)
        self.assertEqual(wrapping_uid(new), self.db_key)
        self.assertEqual(self.unwrap(new), dek)
        # ... and rewrap moves an old blob to it, with the perimeter it was wrapped with.
        answer = self.ok("rewrap", {"authorization": self.authorization(BOB, "migrator"), "original_kacls_url": KACLS_URL,
                                    "wrapped_key": old, "reason": ""})
        self.assertEqual(wrapping_uid(answer["wrapped_key"]), self.db_key)
        self.assertEqual(answer["resource_key_hash"], resource_key_hash(dek, RESOURCE, PERIMETER))
        self.assertEqual(self.unwrap(answer["wrapped_key"]), dek)
        self.refused("rewrap", {"authorization": self.authorization(BOB, "migrator"),
                                "original_kacls_url": "https://other-kacls.test", "wrapped_key": old, "reason": ""},
                     400, "original_kacls_url")
        self.refused("rewrap", {"authorization": self.authorization(BOB, "writer"), "original_kacls_url": KACLS_URL,
                                "wrapped_key": old, "reason": ""}, 403, "role")


if __name__ == "__main__":
    if rsa is None:
        print("SKIP: python3-cryptography is missing (apt install python3-cryptography)")
        sys.exit(77)
    main()
