#!/usr/bin/env python3
"""Authentication against a real kmsd:

    test_authentication.py --kmsd BUILD/core/kmsd [-v]

- TLS with client certificates made here with openssl: a valid certificate names the user
  (subject CN, or the email address); expired, foreign-CA and missing certificates are
  refused; PEM and PKCS#12 server keys; TLS 1.2 at least.
- JWT bearer tokens with a test JWKS (file and HTTP): RS256, ES256, HS256 accepted; expired,
  not yet valid, wrong issuer, wrong audience, wrong key, "alg: none", unknown kid refused;
  a rotated key is found by refetching the JWKS.
- API tokens: issued by an administrator, used, revoked; stored only as a hash.
- Every refusal is the same fixed 401, kmsd logs why, and no secret used by a test appears
  in kmsd's log.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import ssl
import sys
import tempfile
import time
import unittest
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
from kmip_requests import create_aes  # noqa: E402
from kmsd import Kmsd, default_binary, value  # noqa: E402
from servers import main  # noqa: E402
from credentials import (EcJwtKey, HmacJwtKey, JwksServer, Pki, RsaJwtKey, b64url,  # noqa: E402
                         bearer, claims, jwks)

REFUSAL = (401, "authentication_failed: authentication required")
ISSUER = "https://idp.example.test"
AUDIENCE = "kmsd"
CREATE = create_aes(active=False)


class TempDirCase(unittest.TestCase):
    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="kmsd-auth-"))
        self.secrets: list[str] = []  # every secret the test used: must not be in the log

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def assert_no_secret_logged(self, kmsd: Kmsd):
        log = kmsd.log_text()
        self.assertIn("=== start", log)
        for secret in self.secrets:
            self.assertNotIn(secret, log, "a secret appears in kmsd's log")
            if len(secret) > 24:  # a token's signature alone is a secret too
                self.assertNotIn(secret[-20:], log, "part of a secret appears in kmsd's log")

    def me(self, kmsd: Kmsd, headers: dict | None = None):
        status, body, _ = kmsd.request("GET", "/me", None, headers)
        return status, body


# ---------------------------------------------------------------------------------------------
# TLS and client certificates
# ---------------------------------------------------------------------------------------------

class ClientCertificates(TempDirCase):
    def setUp(self):
        super().setUp()
        self.pki = Pki(self.tmp / "pki")
        self.server_cert, self.server_key = self.pki.server()
        self.alice = self.pki.issue("alice", "/CN=alice", san="email:alice@example.com")
        self.other_ca = Pki(self.tmp / "other", name="other-ca")
        self.mallory = self.other_ca.issue("mallory", "/CN=alice")  # same name, foreign CA

    def kmsd(self, *extra: str, client=None, env=None) -> Kmsd:
        client = client or self.alice
        return Kmsd(default_binary(), extra_args=[
            "--tls-cert-file", str(self.server_cert), "--tls-key-file", str(self.server_key),
            "--clients-ca-cert-file", str(self.pki.ca_cert), *extra],
            ssl_context=self.pki.client_context(*client), env=env)

    def refused_handshake(self, kmsd: Kmsd, context: ssl.SSLContext) -> bool:
        """True when the connection fails (TLS alert or reset) instead of answering."""
        try:
            self._get_with(kmsd, context)
            return False
        except (ssl.SSLError, ConnectionError, OSError):
            return True

    @staticmethod
    def _get_with(kmsd: Kmsd, context: ssl.SSLContext):
        import http.client
        conn = http.client.HTTPSConnection("127.0.0.1", kmsd.port, timeout=10, context=context)
        try:
            conn.request("GET", "/me")
            response = conn.getresponse()
            response.read()
            return response.status
        finally:
            conn.close()

    def test_valid_certificate_names_the_user(self):
        with self.kmsd() as k:
            self.assertEqual(self.me(k), (200, {"user_id": "alice", "has_create_permission": True,
                                                "has_privileged_access": False,
                                                "is_token_admin": False}))
            status, body = k.post_json("/kmip/2_1", CREATE)
            self.assertEqual(status, 200, body)
            self.assertTrue(k.url.startswith("https://"))

    def test_email_as_user(self):
        with self.kmsd("--client-cert-user", "email") as k:
            self.assertEqual(self.me(k)[1]["user_id"], "alice@example.com")

    def test_expired_foreign_and_missing_certificates_are_refused(self):
        expired = self.pki.issue("expired", "/CN=alice", days=0)  # valid for one second
        time.sleep(2)
        with self.kmsd() as k:
            for name, cert in (("expired", expired), ("foreign CA", self.mallory), ("none", None)):
                context = self.pki.client_context(*(cert or (None, None)))
                with self.subTest(name):
                    self.assertTrue(self.refused_handshake(k, context), name)
            # The server itself still works for a good certificate.
            self.assertEqual(self.me(k)[0], 200)

    def test_plain_http_is_not_served(self):
        with self.kmsd() as k:
            with socket.create_connection(("127.0.0.1", k.port), timeout=5) as s:
                s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
                try:
                    data = s.recv(100)
                except OSError:
                    data = b""
            self.assertFalse(data.startswith(b"HTTP/1.1 200"))

    def test_tls_1_1_is_refused(self):
        with self.kmsd() as k:
            context = self.pki.client_context(*self.alice)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                context.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
                context.maximum_version = ssl.TLSVersion.TLSv1_1
            try:
                context.set_ciphers("ALL:@SECLEVEL=0")
            except ssl.SSLError:
                pass
            self.assertTrue(self.refused_handshake(k, context))

    def test_pkcs12_server_key_with_password_from_the_environment(self):
        password = "p12-" + b64url(os.urandom(12))
        self.secrets.append(password)
        p12 = self.pki.p12(self.server_cert, self.server_key, password)
        k = Kmsd(default_binary(), extra_args=[
            "--tls-p12-file", str(p12), "--clients-ca-cert-file", str(self.pki.ca_cert)],
            env={"KMS_TLS_P12_PASSWORD": password},
            ssl_context=self.pki.client_context(*self.alice))
        with k:
            self.assertEqual(self.me(k)[1]["user_id"], "alice")
            self.assert_no_secret_logged(k)
        # A wrong password stops kmsd at start with one line that names the file, not the password.
        bad = Kmsd(default_binary(), extra_args=["--tls-p12-file", str(p12)],
                   env={"KMS_TLS_P12_PASSWORD": "wrong-" + password},
                   ssl_context=self.pki.client_context())
        with self.assertRaises(RuntimeError):
            bad.start()
        text = bad.log_text()
        bad.cleanup()
        self.assertIn("tls_p12_file", text)
        self.assertNotIn(password, text)


# ---------------------------------------------------------------------------------------------
# JWT
# ---------------------------------------------------------------------------------------------

class JwtTokens(TempDirCase):
    def setUp(self):
        super().setUp()
        self.rsa = RsaJwtKey(self.tmp, "rsa-1")
        self.ec = EcJwtKey(self.tmp, "ec-1")
        self.hs = HmacJwtKey("hs-1")
        self.secrets.append(b64url(self.hs.secret))
        self.jwks_file = self.tmp / "jwks.json"
        self.jwks_file.write_text(jwks(self.rsa, self.ec, self.hs))

    def kmsd(self, jwks_uri: str, *extra: str) -> Kmsd:
        return Kmsd(default_binary(), extra_args=[
            "--jwt-auth-provider", f"{ISSUER},{jwks_uri},{AUDIENCE}", *extra])

    def token(self, key, user="carol@example.com", **kw) -> str:
        kw.setdefault("audience", AUDIENCE)
        token = key.token(claims(kw.pop("issuer", ISSUER), user, **kw))
        self.secrets.append(token)
        return token

    def test_valid_tokens_of_each_algorithm(self):
        with self.kmsd(str(self.jwks_file)) as k:
            for key in (self.rsa, self.ec, self.hs):
                with self.subTest(key.alg):
                    status, body = self.me(k, bearer(self.token(key, f"{key.alg}@example.com")))
                    self.assertEqual((status, body["user_id"]), (200, f"{key.alg}@example.com"))
            # An audience list holding ours is fine.
            status, _ = self.me(k, bearer(self.token(self.rsa, audience=["other", AUDIENCE])))
            self.assertEqual(status, 200)
            # KMIP with a token: the user owns what it creates.
            status, body, _ = k.request("POST", "/kmip/2_1", json.dumps(CREATE).encode(),
                                        bearer(self.token(self.ec, "dave@example.com")))
            self.assertEqual(status, 200, body)
            uid = value(body, "UniqueIdentifier")
            status, owned, _ = k.request("GET", "/access/owned", None,
                                         bearer(self.token(self.ec, "dave@example.com")))
            self.assertIn(uid, {o["object_id"] for o in owned})
            self.assert_no_secret_logged(k)

    def test_bad_tokens_are_refused_with_one_fixed_answer(self):
        (self.tmp / "wrong").mkdir()
        wrong_key = RsaJwtKey(self.tmp / "wrong", "rsa-1")  # same kid, another key
        now = int(time.time())
        header, payload, _ = self.token(self.hs).split(".")
        cases = {
            "expired": self.token(self.rsa, lifetime=-3600),
            "not yet valid": self.token(self.rsa, not_before=now + 3600),
            "wrong issuer": self.token(self.rsa, issuer="https://evil.example.test"),
            "wrong audience": self.token(self.rsa, audience="someone-else"),
            "no audience": self.token(self.rsa, audience=None),
            "wrong key": self.token(wrong_key),
            "unknown kid": self.hs.token(claims(ISSUER, "x", audience=AUDIENCE), header={"kid": "nope"}),
            "alg none": b64url(json.dumps({"alg": "none", "typ": "JWT"}).encode()) + "." + payload + ".",
            "alg none with kid": b64url(json.dumps({"alg": "none", "kid": "hs-1"}).encode()) + "." + payload + ".",
            "HS256 signed with the RSA public key": self.token(
                HmacJwtKey("rsa-1", secret=self.rsa.n), user="x"),
            "garbage": "not.a.jwt",
            "no user claim": self.hs.token({"iss": ISSUER, "aud": AUDIENCE, "exp": now + 600}),
        }
        self.secrets.extend(cases.values())
        with self.kmsd(str(self.jwks_file)) as k:
            for name, token in cases.items():
                with self.subTest(name):
                    self.assertEqual(self.me(k, bearer(token)), REFUSAL, name)
            self.assertEqual(self.me(k), REFUSAL)  # no credentials
            self.assertEqual(self.me(k, {"Authorization": "Basic YWxpY2U6cHc="}), REFUSAL)
            status, body, _ = k.request("POST", "/kmip/2_1", json.dumps(CREATE).encode(),
                                        bearer(cases["expired"]))
            self.assertEqual((status, body), REFUSAL)
            # /health and /version stay open for probes.
            self.assertEqual(k.get("/health")[0], 200)
            log = k.log_text()
            for reason in ("expired", "unknown issuer", "audience", "not valid yet",
                           "signature not verified", "malformed JWT", "no credentials"):
                self.assertIn(reason, log)
            self.assert_no_secret_logged(k)

    def test_jwks_over_http_and_key_rotation(self):
        with JwksServer(jwks(self.rsa)) as server:
            with self.kmsd(server.url) as k:
                self.assertEqual(self.me(k, bearer(self.token(self.rsa)))[0], 200)
                # The provider rotates to a new key: a token with the new kid makes kmsd
                # refetch the set (no more than once per 10 s).
                rotated = EcJwtKey(self.tmp, "ec-2")
                server.document = jwks(self.rsa, rotated)
                time.sleep(10.5)
                self.assertEqual(self.me(k, bearer(self.token(rotated)))[0], 200)
                fetches = server.requests
                # Made-up kids do not turn into a fetch each.
                for n in range(5):
                    bogus = self.hs.token(claims(ISSUER, "x", audience=AUDIENCE), header={"kid": f"k{n}"})
                    self.assertEqual(self.me(k, bearer(bogus)), REFUSAL)
                self.assertLessEqual(server.requests - fetches, 1)


# ---------------------------------------------------------------------------------------------
# API tokens
# ---------------------------------------------------------------------------------------------

class ApiTokens(TempDirCase):
    def test_issue_use_revoke(self):
        hs = HmacJwtKey("admin")
        self.secrets.append(b64url(hs.secret))
        (self.tmp / "jwks.json").write_text(jwks(hs))
        admin_jwt = hs.token(claims(ISSUER, "admin"))
        user_jwt = hs.token(claims(ISSUER, "erin"))
        self.secrets += [admin_jwt, user_jwt]
        with Kmsd(default_binary(), extra_args=[
                "--jwt-auth-provider", f"{ISSUER},{self.tmp / 'jwks.json'}", "--api-token-auth",
                "--privileged-users", "admin,svc"]) as k:
            def rest(method, path, obj=None, headers=None):
                data = json.dumps(obj).encode() if obj is not None else None
                status, body, _ = k.request(method, path, data, headers)
                return status, body

            # Only an administrator (a privileged user, by configuration) issues tokens.
            self.assertEqual(rest("POST", "/tokens", {"user": "svc"}, bearer(user_jwt))[0], 403)
            status, issued = rest("POST", "/tokens", {"user": "svc"}, bearer(admin_jwt))
            self.assertEqual(status, 200, issued)
            token, token_id = issued["token"], issued["id"]
            self.secrets.append(token)
            self.assertTrue(token.startswith("kms_" + token_id + "."))

            status, me = rest("GET", "/me", None, bearer(token))
            self.assertEqual((status, me["user_id"]), (200, "svc"))
            status, body = rest("POST", "/kmip/2_1", CREATE, bearer(token))
            self.assertEqual(status, 200, body)

            # A wrong secret with a real id, a made-up id, a truncated token: the fixed 401.
            for bad in (token[:-1] + ("A" if token[-1] != "A" else "B"),
                        "kms_0000000000000000." + token.split(".")[1], token[:-5]):
                self.secrets.append(bad)
                self.assertEqual(rest("GET", "/me", None, bearer(bad)), REFUSAL)

            status, listing = rest("GET", "/tokens", None, bearer(admin_jwt))
            self.assertEqual(status, 200)
            self.assertEqual([t_["id"] for t_ in listing], [token_id])
            self.assertNotIn("token", listing[0])

            self.assertEqual(rest("DELETE", f"/tokens/{token_id}", None, bearer(admin_jwt))[0], 200)
            self.assertEqual(rest("GET", "/me", None, bearer(token)), REFUSAL)
            self.assertEqual(rest("DELETE", f"/tokens/{token_id}", None, bearer(admin_jwt))[0], 404)
            self.assertIn(f"revoked API token {token_id}", k.log_text())

            # The database holds a hash, never the token or its secret.
            secret = token.split(".", 1)[1]
            rows = k.sql("SELECT id, user_id, hash FROM api_tokens")  # SQLite or PostgreSQL
            self.assertEqual(len(rows), 1)
            self.assertEqual(len(rows[0][2]), 32)
            self.assertNotIn(secret.encode(), k.store_dump())
            self.assert_no_secret_logged(k)

    def test_routes_answer_400_when_disabled(self):
        with Kmsd(default_binary()) as k:
            status, body, _ = k.request("POST", "/tokens", b'{"user": "x"}')
            self.assertEqual(status, 400, body)


class NoAuthentication(TempDirCase):
    def test_default_user_with_a_warning(self):
        with Kmsd(default_binary(), extra_args=["--default-username", "root"]) as k:
            self.assertEqual(self.me(k)[1]["user_id"], "root")
            self.assertIn("no authentication method is configured", k.log_text())

    def test_force_default_username_is_refused_with_authentication(self):
        # The default user applies only without authentication (issue 22, finding 9): acting as
        # it after authenticating would give every user its rights. kmsd refuses to start.
        hs = HmacJwtKey("f")
        (self.tmp / "jwks.json").write_text(jwks(hs))
        k = Kmsd(default_binary(), extra_args=[
            "--jwt-auth-provider", f"{ISSUER},{self.tmp / 'jwks.json'}",
            "--force-default-username", "--default-username", "shared"])
        with self.assertRaises(RuntimeError):
            k.start()
        text = k.log_text()
        k.cleanup()
        self.assertIn("--force-default-username: refused", text)


if __name__ == "__main__":
    main()
