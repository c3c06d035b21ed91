#!/usr/bin/python3
"""kmsd as Microsoft Double Key Encryption's key service (docs/ms-dke.md), against a real kmsd
with SoftHSM2, as an Office client would use it:

    test_ms_dke.py --kmsd BUILD/core/kmsd --plugins-dir BUILD/plugins [-v]

- GET /ms_dke/{keyName} without a token (as Microsoft's reference service) publishes the RSA
  public key of a database key wrapped by an HSM key; a client encrypts with RSA-OAEP-256 on that
  JWK (python3-cryptography) and POST /ms_dke/{keyName}/{keyId}/decrypt gives the data back;
- rotation: a second key of the same name is published, and both decrypt by their keyId;
- every token failure: none (401 and the reference's challenge headers), wrong issuer, wrong
  audience (only https://aadrm.com), expired, bad signature, kmsd's own tokens; a caller neither
  in ms_dke_authorized_emails nor holding an authorized role gets 403;
- bad input: not base64, another alg, not JSON, unknown key name or id (400, the reference's);
- an hsm:: RSA key on SoftHSM2, which has no RSA-OAEP with SHA-256: a clear error, no secret.
Needs Debian's python3-cryptography: without it, exit 77.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import sys
import tempfile
import time
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))

from credentials import RsaJwtKey, bearer, claims, jwks  # noqa: E402
from kmip_requests import create_hsm_aes, create_hsm_rsa, create_rsa_pair  # noqa: E402
from kmsd import http_request, value  # noqa: E402
from servers import ADMIN, Server, main  # noqa: E402
from softhsm import SoftHsm  # noqa: E402

try:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa
except ImportError:  # pragma: no cover - depends on the machine
    rsa = None

ENTRA = "https://sts.windows.net/00000000-dke0-test-0000-000000000000/"
AADRM = "https://aadrm.com"
DKE_USER = "ms-dke"
ALICE = "alice@contoso.test"   # authorized by email
BOB = "bob@contoso.test"       # authorized by role
CAROL = "carol@contoso.test"   # neither
ROLE = "DKE.Decrypt"
KEY_NAME = "dke-label"
OAEP = None if rsa is None else padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)


def unb64(text: str) -> bytes:
    text = text.replace("-", "+").replace("_", "/")
    return base64.b64decode(text + "=" * (-len(text) % 4))


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


class MsDke(unittest.TestCase):
    srv: Server
    hsm: SoftHsm
    tmp: Path

    @classmethod
    def setUpClass(cls):
        cls.tmp = Path(tempfile.mkdtemp(prefix="kmsd-dke-"))
        cls.hsm = SoftHsm(tokens=1, label_prefix="dke").start()
        tok = cls.hsm.tokens[0]
        cls.slot = tok.slot_id
        # The Entra ID stand-in: an RS256 key, its JWKS in a file, tokens for https://aadrm.com.
        cls.entra = RsaJwtKey(cls.tmp, "entra-1")
        (cls.tmp / "forger").mkdir()
        cls.forger = RsaJwtKey(cls.tmp / "forger", "entra-1")  # same kid, another key: a bad signature
        entra_jwks = cls.tmp / "entra-jwks.json"
        entra_jwks.write_text(jwks(cls.entra))
        args = ["--jwt-auth-provider", f"{ENTRA},{entra_jwks},{AADRM}",
                "--ms-dke-enable", "true", "--ms-dke-authorized-emails", ALICE,
                "--ms-dke-authorized-roles", ROLE]
        cls.srv = Server(cls.tmp / "srv", [tok.slot_id], tok.pin, args).start()
        cls.kek = f"hsm::softhsm2::{cls.slot}::dke-kek"
        cls.srv.created(create_hsm_aes(cls.kek))
        cls.first = cls.create_dke_key()
        time.sleep(1.1)  # the second key is newer by its creation date
        cls.second = cls.create_dke_key()

    @classmethod
    def tearDownClass(cls):
        if hasattr(cls, "srv"):
            cls.srv.close()
        if hasattr(cls, "hsm"):
            cls.hsm.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    @classmethod
    def create_dke_key(cls, name: str = KEY_NAME) -> str:
        """A database RSA pair named `name`, its private key wrapped by the HSM key; the publisher
        may read it, the three callers may decrypt (the policy decides for them)."""
        body = cls.srv.created(create_rsa_pair(wrapping=cls.kek, name=name))
        private, public = value(body, "PrivateKeyUniqueIdentifier"), value(body, "PublicKeyUniqueIdentifier")
        cls.srv.grant(private, DKE_USER, "getattributes")
        cls.srv.grant(public, DKE_USER, "get")
        for user in (ALICE, BOB, CAROL):
            cls.srv.grant(private, user, "decrypt", "getattributes")
        return private

    # -- helpers ------------------------------------------------------------------------------

    def token(self, user: str, *, key=None, issuer: str = ENTRA, audience=AADRM, lifetime: int = 600,
              **more) -> str:
        return (key or self.entra).token(claims(issuer, user, audience=audience, lifetime=lifetime, **more))

    def request(self, method: str, path: str, body=None, headers=None):
        data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
        hdrs = dict(headers or {})
        if data is not None:
            hdrs["Content-Type"] = "application/json"
        return http_request(self.srv.kmsd.port, method, path, data, hdrs)

    def public_key(self, name: str = KEY_NAME) -> tuple[dict, "rsa.RSAPublicKey"]:
        status, body, headers = self.request("GET", f"/ms_dke/{name}")
        self.assertEqual(status, 200, body)
        jwk = body["key"]
        numbers = rsa.RSAPublicNumbers(int(jwk["e"]), int.from_bytes(unb64(jwk["n"]), "big"))
        return body, numbers.public_key()

    def decrypt(self, kid: str, ciphertext: bytes, user: str = ALICE, **token):
        path = kid[kid.index("/ms_dke/"):] + "/decrypt"
        return self.request("POST", path, {"alg": "RSA-OAEP-256", "value": b64(ciphertext)},
                            bearer(self.token(user, **token)))

    # -- the cases ----------------------------------------------------------------------------

    def test_public_key_without_a_token(self):
        body, key = self.public_key()
        jwk = body["key"]
        self.assertEqual(list(jwk), ["kty", "n", "e", "alg", "kid"])
        self.assertEqual((jwk["kty"], jwk["e"], jwk["alg"]), ("RSA", 65537, "RS256"))
        self.assertEqual(key.key_size, 2048)
        # The key id is the URL of the key, the newest of its name (rotation).
        self.assertEqual(jwk["kid"], f"http://127.0.0.1:{self.srv.kmsd.port}/ms_dke/{KEY_NAME}/{self.second}")
        self.assertRegex(body["cache"]["exp"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$")

    def test_round_trip(self):
        body, key = self.public_key()
        secret = os.urandom(32)
        status, answer, _ = self.decrypt(body["key"]["kid"], key.encrypt(secret, OAEP))
        self.assertEqual(status, 200, answer)
        self.assertEqual(list(answer), ["value"])
        self.assertEqual(base64.b64decode(answer["value"]), secret)
        # By role, without the email.
        status, answer, _ = self.decrypt(body["key"]["kid"], key.encrypt(secret, OAEP), BOB, roles=[ROLE])
        self.assertEqual((status, base64.b64decode(answer["value"])), (200, secret), answer)

    def test_rotation_both_keys_decrypt(self):
        port = self.srv.kmsd.port
        _, newest = self.public_key()
        for uid in (self.first, self.second):
            with self.subTest(uid):
                # The newest through GET; the first as a client cached it before the rotation.
                secret = os.urandom(32)
                if uid == self.second:
                    ciphertext = newest.encrypt(secret, OAEP)
                else:
                    ciphertext = self.first_public().encrypt(secret, OAEP)
                status, answer, _ = self.decrypt(f"http://127.0.0.1:{port}/ms_dke/{KEY_NAME}/{uid}", ciphertext)
                self.assertEqual((status, base64.b64decode(answer["value"])), (200, secret), answer)
        # One key's ciphertext does not decrypt with the other.
        status, answer, _ = self.decrypt(f"http://127.0.0.1:{port}/ms_dke/{KEY_NAME}/{self.first}",
                                         newest.encrypt(b"x" * 32, OAEP))
        self.assertEqual(status, 400, answer)

    def first_public(self) -> "rsa.RSAPublicKey":
        """The first key's public half, as a client cached it before the rotation: its modulus
        and exponent read through KMIP."""
        status, body = self.srv.call({"tag": "GetAttributes", "value": [
            {"tag": "UniqueIdentifier", "type": "TextString", "value": self.first}]})
        self.assertEqual(status, 200, body)
        text = json.dumps(body)
        public_uid = None
        for link in _find_all(body, "Link"):
            kinds = [c for c in link["value"] if c["tag"] == "LinkType"]
            ids = [c for c in link["value"] if c["tag"] == "LinkedObjectIdentifier"]
            if kinds and ids and kinds[0]["value"] == "PublicKeyLink":
                public_uid = ids[0]["value"]
        self.assertIsNotNone(public_uid, text[:500])
        status, body = self.srv.call({"tag": "Get", "value": [
            {"tag": "UniqueIdentifier", "type": "TextString", "value": public_uid},
            {"tag": "KeyFormatType", "type": "Enumeration", "value": "TransparentRSAPublicKey"}]})
        self.assertEqual(status, 200, body)
        n = int(next(_find_all(body, "Modulus"))["value"], 16)
        e = int(next(_find_all(body, "PublicExponent"))["value"], 16)
        return rsa.RSAPublicNumbers(e, n).public_key()

    def test_token_failures(self):
        body, key = self.public_key()
        kid = body["key"]["kid"]
        ciphertext = key.encrypt(b"k" * 32, OAEP)
        path = kid[kid.index("/ms_dke/"):] + "/decrypt"
        request = {"alg": "RSA-OAEP-256", "value": b64(ciphertext)}
        # No token: the reference's challenge (JwtBearer's, plus its resource and authorization).
        status, answer, headers = self.request("POST", path, request)
        self.assertEqual(status, 401, answer)
        self.assertEqual(headers.get("www-authenticate"), "Bearer")
        self.assertEqual(headers.get("resource"), AADRM)
        self.assertTrue(headers.get("authorization", "").startswith("https://login."), headers)
        status, _, headers = self.request("POST", path, request, {"Authorization": "Basic YTpi"})
        self.assertEqual(status, 401)
        bad = {
            "wrong issuer": self.token(ALICE, issuer="https://sts.windows.net/another-tenant/"),
            "wrong audience": self.token(ALICE, audience="https://graph.microsoft.com"),
            "no audience": self.token(ALICE, audience=None),
            "expired": self.token(ALICE, lifetime=-3600),
            "bad signature": self.token(ALICE, key=self.forger),
            "kmsd's own token": self.srv.tokens[ADMIN],
            "not a JWT": "not-a-token",
        }
        for case, token in bad.items():
            with self.subTest(case):
                status, answer, headers = self.request("POST", path, request, bearer(token))
                self.assertEqual(status, 401, answer)
                self.assertEqual(headers.get("www-authenticate"), 'Bearer error="invalid_token"')
                self.assertEqual(headers.get("resource"), AADRM)
        # Authenticated, but neither the email nor a role is authorized: 403.
        for case, extra in (("no role", {}), ("other role", {"roles": ["Reader"]})):
            with self.subTest(case):
                status, answer, _ = self.decrypt(kid, ciphertext, CAROL, **extra)
                self.assertEqual(status, 403, answer)
        log = self.srv.kmsd.log_text()
        self.assertNotIn(bad["bad signature"], log)

    def test_bad_input(self):
        body, key = self.public_key()
        kid = body["key"]["kid"]
        path = kid[kid.index("/ms_dke/"):] + "/decrypt"
        good = b64(key.encrypt(b"k" * 32, OAEP))
        auth = bearer(self.token(ALICE))
        cases = {
            "not base64": {"alg": "RSA-OAEP-256", "value": "not base64!"},
            "other alg": {"alg": "RSA-OAEP", "value": good},
            "no value": {"alg": "RSA-OAEP-256"},
            "not JSON": b"{nope",
        }
        for case, request in cases.items():
            with self.subTest(case):
                status, answer, _ = self.request("POST", path, request, auth)
                self.assertEqual(status, 400, answer)
        request = {"alg": "RSA-OAEP-256", "value": good}
        for case, p in (("unknown key id", f"/ms_dke/{KEY_NAME}/no-such-id/decrypt"),
                        ("key id of another name", f"/ms_dke/other-name/{self.second}/decrypt")):
            with self.subTest(case):
                status, answer, _ = self.request("POST", p, request, auth)
                self.assertEqual(status, 400, answer)
        status, answer, _ = self.request("GET", "/ms_dke/no-such-key")
        self.assertEqual(status, 400, answer)
        status, _, headers = self.request("POST", f"/ms_dke/{KEY_NAME}", request, auth)
        self.assertEqual((status, headers.get("allow")), (405, "GET"))
        status, _, headers = self.request("GET", path)
        self.assertEqual((status, headers.get("allow")), (405, "POST"))
        status, _, _ = self.request("GET", "/ms_dke/a/b")
        self.assertEqual(status, 404)

    def test_hsm_rsa_key_is_a_clear_error(self):
        uid = f"hsm::softhsm2::{self.slot}::dke-hsm-rsa"
        self.srv.created(create_hsm_rsa(uid))
        self.srv.grant(uid, ALICE, "decrypt", "getattributes")
        status, body = self.srv.call({"tag": "GetAttributes", "value": [
            {"tag": "UniqueIdentifier", "type": "TextString", "value": uid}]})
        self.assertEqual(status, 200, body)
        names = [c["value"] for n in _find_all(body, "Name") for c in n["value"] if c["tag"] == "NameValue"]
        name = names[0] if names else "dke-hsm-rsa"
        status, answer, _ = self.request("POST", f"/ms_dke/{name}/{uid}/decrypt",
                                         {"alg": "RSA-OAEP-256", "value": b64(os.urandom(256))},
                                         bearer(self.token(ALICE)))
        # SoftHSM2 has RSA-OAEP with SHA-1 only: the driver says so, kmsd answers 400.
        self.assertEqual(status, 400, answer)
        self.assertIn("RSA-OAEP with SHA-256 is not supported", answer)
        self.assertIn("SoftHSM2 supports OAEP with SHA-1 only", answer)
        self.assertNotIn(self.hsm.tokens[0].pin, answer)
        self.assertNotIn(self.hsm.tokens[0].pin, self.srv.kmsd.log_text())


def _find_all(node, tag: str):
    if isinstance(node, dict):
        if node.get("tag") == tag:
            yield node
        for child in node.get("value", []) if isinstance(node.get("value"), list) else []:
            yield from _find_all(child, tag)
    elif isinstance(node, list):
        for child in node:
            yield from _find_all(child, tag)


if __name__ == "__main__":
    if rsa is None:
        print("test_ms_dke: python3-cryptography is not installed: skipped", file=sys.stderr)
        sys.exit(1 if os.environ.get("CI") == "true" else 77)
    main()
