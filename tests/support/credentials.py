"""Test support: credentials made by the test itself.

Standard library plus the `openssl` command line only.

- Pki: a CA in a temporary directory, server and client certificates (PEM, PKCS#12),
  expired certificates and certificates from another CA.
- Jwt signers: RS256 and ES256 keys made with openssl (signatures by `openssl dgst`), HS256
  with hmac; their public JWKS documents; tokens with chosen claims and headers.
- JwksServer: a JWKS document served over HTTP on loopback (a thread).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.server
import json
import os
import ssl
import subprocess
import threading
import time
from pathlib import Path
from typing import Any, Iterable


def _run(*args: str, cwd: Path | None = None, input: bytes | None = None) -> bytes:
    result = subprocess.run(list(args), cwd=cwd, input=input, capture_output=True)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed: {result.stderr.decode(errors='replace')}")
    return result.stdout


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


# ---------------------------------------------------------------------------------------------
# X.509
# ---------------------------------------------------------------------------------------------

class Pki:
    """A CA named `name` under `directory`; files are named after what they hold."""

    def __init__(self, directory: Path, name: str = "ca"):
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.name = name
        self.ca_key = self.dir / f"{name}.key"
        self.ca_cert = self.dir / f"{name}.pem"
        _run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
             "-nodes", "-keyout", str(self.ca_key), "-out", str(self.ca_cert),
             "-subj", f"/CN=kmsd test {name}", "-days", "2",
             "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign")

    def issue(self, stem: str, subject: str, *, days: int = 2, san: str | None = None,
              server: bool = False) -> tuple[Path, Path]:
        """(certificate, key) PEM files signed by this CA. days=0: valid for one second."""
        key = self.dir / f"{stem}.key"
        csr = self.dir / f"{stem}.csr"
        cert = self.dir / f"{stem}.pem"
        args = ["openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                "-nodes", "-keyout", str(key), "-out", str(csr), "-subj", subject]
        if san:
            args += ["-addext", f"subjectAltName={san}"]
        args += ["-addext", "extendedKeyUsage=" + ("serverAuth" if server else "clientAuth")]
        _run(*args)
        _run("openssl", "x509", "-req", "-in", str(csr), "-CA", str(self.ca_cert),
             "-CAkey", str(self.ca_key), "-CAcreateserial", "-days", str(days),
             "-copy_extensions", "copy", "-out", str(cert))
        return cert, key

    def server(self) -> tuple[Path, Path]:
        return self.issue("server", "/CN=localhost", san="DNS:localhost,IP:127.0.0.1", server=True)

    def p12(self, cert: Path, key: Path, password: str, stem: str = "server") -> Path:
        out = self.dir / f"{stem}.p12"
        _run("openssl", "pkcs12", "-export", "-in", str(cert), "-inkey", str(key),
             "-certfile", str(self.ca_cert), "-out", str(out), "-passout", f"pass:{password}")
        return out

    def client_context(self, cert: Path | None = None, key: Path | None = None) -> ssl.SSLContext:
        """A client context trusting this CA (for the server certificate), with an optional
        client certificate."""
        context = ssl.create_default_context(cafile=str(self.ca_cert))
        if cert is not None:
            context.load_cert_chain(str(cert), str(key))
        return context


# ---------------------------------------------------------------------------------------------
# JWT
# ---------------------------------------------------------------------------------------------

class JwtKey:
    """A signing key with its algorithm, kid and public JWK."""

    alg = ""

    def __init__(self, kid: str):
        self.kid = kid

    def jwk(self) -> dict:
        raise NotImplementedError

    def sign(self, data: bytes) -> bytes:
        raise NotImplementedError

    def token(self, claims: dict[str, Any], *, header: dict[str, Any] | None = None,
              alg: str | None = None) -> str:
        head = {"alg": alg or self.alg, "typ": "JWT", "kid": self.kid}
        head.update(header or {})
        signing_input = (b64url(json.dumps(head).encode()) + "." +
                         b64url(json.dumps(claims).encode())).encode()
        return signing_input.decode() + "." + b64url(self.sign(signing_input))


class RsaJwtKey(JwtKey):
    alg = "RS256"

    def __init__(self, directory: Path, kid: str):
        super().__init__(kid)
        self.path = Path(directory) / f"jwt-{kid}.key"
        _run("openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
             "-out", str(self.path))
        modulus = _run("openssl", "rsa", "-in", str(self.path), "-noout", "-modulus").decode()
        self.n = bytes.fromhex(modulus.strip().split("=", 1)[1])

    def jwk(self) -> dict:
        return {"kty": "RSA", "kid": self.kid, "use": "sig", "alg": "RS256",
                "n": b64url(self.n), "e": b64url((65537).to_bytes(3, "big"))}

    def sign(self, data: bytes) -> bytes:
        return _run("openssl", "dgst", "-sha256", "-sign", str(self.path), input=data)


class EcJwtKey(JwtKey):
    alg = "ES256"

    def __init__(self, directory: Path, kid: str):
        super().__init__(kid)
        self.path = Path(directory) / f"jwt-{kid}.key"
        _run("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
             "-out", str(self.path))
        der = _run("openssl", "pkey", "-in", str(self.path), "-pubout", "-outform", "DER")
        point = der[-65:]  # SubjectPublicKeyInfo ends with the uncompressed point 04||x||y
        assert point[0] == 4
        self.x, self.y = point[1:33], point[33:]

    def jwk(self) -> dict:
        return {"kty": "EC", "kid": self.kid, "use": "sig", "alg": "ES256", "crv": "P-256",
                "x": b64url(self.x), "y": b64url(self.y)}

    def sign(self, data: bytes) -> bytes:
        der = _run("openssl", "dgst", "-sha256", "-sign", str(self.path), input=data)
        # ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } -> JWS wants r||s, 32 bytes each
        idx = 2 if der[1] < 0x80 else 3
        out = b""
        for _ in range(2):
            assert der[idx] == 0x02
            length = der[idx + 1]
            value = der[idx + 2: idx + 2 + length]
            out += value.lstrip(b"\x00").rjust(32, b"\x00")
            idx += 2 + length
        return out


class HmacJwtKey(JwtKey):
    alg = "HS256"

    def __init__(self, kid: str, secret: bytes | None = None):
        super().__init__(kid)
        self.secret = secret or os.urandom(32)

    def jwk(self) -> dict:
        return {"kty": "oct", "kid": self.kid, "alg": "HS256", "k": b64url(self.secret)}

    def sign(self, data: bytes) -> bytes:
        return hmac.new(self.secret, data, hashlib.sha256).digest()


def jwks(*keys: JwtKey) -> str:
    return json.dumps({"keys": [k.jwk() for k in keys]})


def claims(issuer: str, user: str, *, audience: str | list[str] | None = None,
           lifetime: int = 600, not_before: int | None = None, **more: Any) -> dict:
    now = int(time.time())
    out: dict[str, Any] = {"iss": issuer, "sub": user, "email": user, "iat": now,
                           "exp": now + lifetime}
    if audience is not None:
        out["aud"] = audience
    if not_before is not None:
        out["nbf"] = not_before
    out.update(more)
    return out


class JwksServer:
    """Serves `document` at http://127.0.0.1:<port>/jwks.json; `document` may be replaced."""

    def __init__(self, document: str):
        self.document = document
        self.requests = 0
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's naming)
                outer.requests += 1
                if self.path != "/jwks.json":
                    self.send_error(404)
                    return
                body = outer.document.encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):  # keep the test output clean
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/jwks.json"

    def __enter__(self) -> "JwksServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class JwtUsers:
    """The JWT side of a test kmsd: an HS256 key whose JWKS is written to `directory`/jwks.json,
    a token for each of `users`, and the --jwt-auth-provider flag that makes kmsd trust it."""

    def __init__(self, directory: Path, kid: str, issuer: str, audience: str | None, users: Iterable[str], *,
                 lifetime: int = 3600):
        self.key = HmacJwtKey(kid)
        self.issuer, self.audience = issuer, audience
        self.jwks_path = Path(directory) / "jwks.json"
        self.jwks_path.write_text(jwks(self.key))
        self.tokens = {u: self.key.token(claims(issuer, u, audience=audience, lifetime=lifetime)) for u in users}

    def provider(self) -> str:
        """The value of --jwt-auth-provider (and of jwt_auth_provider in a configuration file)."""
        return f"{self.issuer},{self.jwks_path}" + (f",{self.audience}" if self.audience is not None else "")

    def args(self) -> list[str]:
        return ["--jwt-auth-provider", self.provider()]

    def headers(self, user: str) -> dict[str, str]:
        return bearer(self.tokens[user])
