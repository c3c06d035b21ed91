"""Helpers of the wrapped-key integration tests (test_wrapped_keys.py): the wrapping_key_id
vendor attribute in its accepted forms, KMIP requests for KMS keys, reading wrapped key blocks
and vendor attributes, the Prometheus text of GET /metrics, a kmsd with an HSM and two JWT
users, and a scan of bytes for a secret in its usual encodings (raw, hex, base64)."""

from __future__ import annotations

import base64
import datetime as _dt
import json
import os
import re
from pathlib import Path
from typing import Any, Iterable

from hsm_helpers import ARGS  # noqa: F401  (also puts tests/support on sys.path)
from credentials import HmacJwtKey, bearer, claims, jwks  # noqa: E402
from kmsd import Kmsd, b, bo, children, default_binary, dt, e, find, i, st, t, value  # noqa: E402

PAST = _dt.datetime(2020, 1, 1, tzinfo=_dt.timezone.utc)
VENDOR = "cosmian"
WRAPPING_KEY_ID = "wrapping_key_id"
ISSUER = "https://idp.wrap.test"
AUDIENCE = "kmsd-wrap"
ADMIN = "hsmadmin@example.com"
BOB = "bob@example.com"
DRIVER_CALLS = 'kms_hsm_driver_calls_total{instance="softhsm2"}'

# --------------------------------------------------------------------------------------------
# Requests
# --------------------------------------------------------------------------------------------

# Forms of the wrapping_key_id vendor attribute (contract: as for tags).
FORMS = ("VendorAttribute-text", "VendorAttributes-bytes", "Attribute-text")


def wrapping_attribute(uid: str, form: str = "VendorAttribute-text") -> dict:
    """The cosmian/wrapping_key_id vendor attribute naming `uid`, in one of FORMS."""
    kind, _, encoding = form.partition("-")
    val = b("AttributeValue", uid.encode()) if encoding == "bytes" else t("AttributeValue", uid)
    if kind == "VendorAttribute":
        return st("VendorAttribute", t("VendorIdentification", VENDOR), t("AttributeName", WRAPPING_KEY_ID), val)
    if kind == "VendorAttributes":
        return st("VendorAttributes", st("VendorAttribute", t("VendorIdentification", VENDOR),
                                         t("AttributeName", WRAPPING_KEY_ID), val))
    if kind == "Attribute":
        return st("Attribute", t("VendorIdentification", VENDOR), t("AttributeName", WRAPPING_KEY_ID), val)
    raise ValueError(form)


def aes_attributes(bits: int = 256, wrapping: str | None = None, form: str = "VendorAttribute-text",
                   sensitive: bool | None = None, active: bool = True, *more: Any) -> dict:
    return st("Attributes", e("CryptographicAlgorithm", "AES"), i("CryptographicLength", bits),
              i("CryptographicUsageMask", "Encrypt|Decrypt"),
              dt("ActivationDate", PAST) if active else None,
              bo("Sensitive", sensitive) if sensitive is not None else None,
              wrapping_attribute(wrapping, form) if wrapping else None, *more)


def create_aes(wrapping: str | None = None, form: str = "VendorAttribute-text", bits: int = 256,
               sensitive: bool | None = None) -> dict:
    """Create of an Active AES key of the KMS database, wrapped by `wrapping` when given."""
    return st("Create", e("ObjectType", "SymmetricKey"), aes_attributes(bits, wrapping, form, sensitive))


def aes_object(key: bytes, tag: str = "SymmetricKey") -> dict:
    return st(tag, st("KeyBlock", e("KeyFormatType", "Raw"), st("KeyValue", b("KeyMaterial", key)),
                      e("CryptographicAlgorithm", "AES"), i("CryptographicLength", len(key) * 8)))


def register_aes(key: bytes, wrapping: str | None = None, form: str = "VendorAttribute-text") -> dict:
    """Register of a clear AES key, Active, to be stored wrapped by `wrapping` when given."""
    return st("Register", e("ObjectType", "SymmetricKey"),
              aes_attributes(len(key) * 8, wrapping, form), aes_object(key))


def import_aes(uid: str, key: bytes, wrapping: str | None = None, form: str = "VendorAttribute-text") -> dict:
    """Import (Cosmian style) of a clear AES key under `uid`."""
    return st("Import", t("UniqueIdentifier", uid), e("ObjectType", "SymmetricKey"),
              bo("ReplaceExisting", False), aes_attributes(len(key) * 8, wrapping, form),
              aes_object(key, "Object"))


def create_rsa_pair(wrapping: str | None = None, bits: int = 2048) -> dict:
    """CreateKeyPair of an Active software RSA pair; wrapping_key_id on the private side."""
    return st("CreateKeyPair",
              st("CommonAttributes", e("CryptographicAlgorithm", "RSA"), i("CryptographicLength", bits),
                 dt("ActivationDate", PAST)),
              st("PrivateKeyAttributes", i("CryptographicUsageMask", "Sign|Decrypt"),
                 wrapping_attribute(wrapping) if wrapping else None),
              st("PublicKeyAttributes", i("CryptographicUsageMask", "Verify|Encrypt")))


def uid_op(operation: str, uid: str, *more: Any) -> dict:
    return st(operation, t("UniqueIdentifier", uid), *more)


def get_clear(uid: str, fmt: str | None = None) -> dict:
    return uid_op("Get", uid, e("KeyWrapType", "NotWrapped"), e("KeyFormatType", fmt) if fmt else None)


def revoke(uid: str, reason: str = "Unspecified") -> dict:
    return uid_op("Revoke", uid, st("RevocationReason", e("RevocationReasonCode", reason)))


# --------------------------------------------------------------------------------------------
# Answers
# --------------------------------------------------------------------------------------------

KEY_OBJECT_TAGS = ("SymmetricKey", "PrivateKey", "PublicKey", "SecretData", "Object")


def key_block(get_response: dict) -> dict | None:
    """The KeyBlock of a Get/Export answer, whatever the object's tag."""
    for tag in KEY_OBJECT_TAGS:
        block = find(get_response, f"{tag}/KeyBlock")
        if block is not None:
            return block
    return None


def vendor_attribute(attributes: Any, name: str, vendor: str = VENDOR) -> Any:
    """The value of vendor/name among Attribute / VendorAttribute / VendorAttributes nodes found
    anywhere below `attributes` (TextString as text, ByteString decoded as UTF-8); None if absent."""
    stack = [attributes]
    while stack:
        node = stack.pop()
        if not isinstance(node, dict):
            continue
        if node.get("tag") in ("Attribute", "VendorAttribute") and value(node, "AttributeName") == name \
                and value(node, "VendorIdentification") == vendor:
            v = find(node, "AttributeValue")
            if v is None:
                return None
            if v.get("type") == "ByteString":
                return bytes.fromhex(v["value"]).decode("utf-8", errors="replace")
            return v.get("value")
        stack.extend(children(node))
    return None


_METRIC_LINE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)")
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse_metrics(text: str) -> dict[str, float]:
    """Prometheus text format -> {'name' or 'name{k="v",...}' (labels sorted): value}."""
    out: dict[str, float] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        m = _METRIC_LINE.match(line)
        if not m:
            continue
        name, labels, raw = m.groups()
        key = name
        if labels:
            pairs = sorted(_LABEL.findall(labels))
            key = name + "{" + ",".join(f'{k}="{v}"' for k, v in pairs) + "}"
        try:
            out[key] = float(raw)
        except ValueError:
            continue
    return out


# --------------------------------------------------------------------------------------------
# Secret scan
# --------------------------------------------------------------------------------------------

def secret_patterns(secret: bytes) -> dict[str, bytes]:
    """The encodings of `secret` to look for: raw, hex (lower, upper), base64 and base64url at
    the three alignments a secret may have inside a longer base64 text (the characters that
    depend on the secret's bytes only)."""
    pats = {"raw": secret, "hex": secret.hex().encode(), "HEX": secret.hex().upper().encode()}
    for shift in range(3):
        padded = b"\0" * shift + secret
        for name, enc in (("base64", base64.b64encode), ("base64url", base64.urlsafe_b64encode)):
            text = enc(padded).rstrip(b"=")
            start = 4 if shift else 0          # the first group mixes the filler bytes
            usable = ((shift + len(secret)) // 3) * 4   # whole groups of secret bytes
            core = text[start:usable]
            if len(core) >= 16:
                pats[f"{name}@{shift}"] = core
    return pats


def find_secret(blob: bytes, secret: bytes) -> list[str]:
    """Names of the encodings of `secret` that occur in `blob` (empty: none)."""
    return [name for name, pat in secret_patterns(secret).items() if pat and pat in blob]


def scan_tree(root: Path, secrets: Iterable[tuple[str, bytes]]) -> list[str]:
    """Every file below `root` read as bytes and searched for every (label, secret)."""
    found: list[str] = []
    secrets = list(secrets)
    for path in sorted(Path(root).rglob("*")):
        if not path.is_file():
            continue
        found += scan_bytes(path.read_bytes(), secrets, str(path.relative_to(root)))
    return found


def scan_bytes(blob: bytes, secrets: Iterable[tuple[str, bytes]], where: str) -> list[str]:
    """`where: label as encodings` for every (label, secret) found in `blob`."""
    found = []
    for label, secret in secrets:
        hits = find_secret(blob, secret)
        if hits:
            found.append(f"{where}: {label} as {', '.join(hits)}")
    return found


def scan_store(kmsd: Kmsd, secrets: Iterable[tuple[str, bytes]]) -> list[str]:
    """The whole store of `kmsd` (SQLite files with their WAL, or a pg_dump) searched."""
    return scan_bytes(kmsd.store_dump(), list(secrets), f"{kmsd.store_kind} store")


# --------------------------------------------------------------------------------------------
# A kmsd with one softhsm2 instance and two JWT users
# --------------------------------------------------------------------------------------------

class Server:
    """kmsd (SQLite) with the flat softhsm2 instance on `slots` (admin ADMIN; PINs in a file),
    JWT authentication (HS256, JWKS file) and tokens for ADMIN and BOB."""

    def __init__(self, tmp: Path, slots: list[int], pin: str, extra_args: Iterable[str] = (),
                 env: dict | None = None):
        tmp = Path(tmp)
        tmp.mkdir(parents=True, exist_ok=True)
        self.jwt = HmacJwtKey("wrap")
        (tmp / "jwks.json").write_text(jwks(self.jwt))
        pins = tmp / "pins.txt"
        pins.write_text("".join(pin + "\n" for _ in slots))
        pins.chmod(0o600)
        args = ["--plugins-dir", ARGS.plugins_dir, "--hsm-model", "softhsm2", "--hsm-admin", ADMIN]
        for slot in slots:
            args += ["--hsm-slot", str(slot)]
        args += ["--hsm-password-file", str(pins),
                 "--jwt-auth-provider", f"{ISSUER},{tmp / 'jwks.json'},{AUDIENCE}", *extra_args]
        self.kmsd = Kmsd(default_binary(), extra_args=args, env=env)
        self.tokens = {u: self.jwt.token(claims(ISSUER, u, audience=AUDIENCE, lifetime=3600)) for u in (ADMIN, BOB)}

    def start(self) -> "Server":
        self.kmsd.__enter__()
        return self

    def cleanup(self) -> None:
        self.kmsd.cleanup()

    def call(self, node: dict, user: str = ADMIN) -> tuple[int, Any]:
        status, body, _ = self.kmsd.request("POST", "/kmip/2_1", json.dumps(node).encode(),
                                            {"Content-Type": "application/json", **bearer(self.tokens[user])})
        return status, body

    def rest(self, method: str, path: str, obj: Any = None, user: str = ADMIN) -> tuple[int, Any, dict]:
        data = json.dumps(obj).encode() if obj is not None else None
        headers = dict(bearer(self.tokens[user]))
        if data is not None:
            headers["Content-Type"] = "application/json"
        return self.kmsd.request(method, path, data, headers)

    def metrics(self) -> dict[str, float]:
        status, body, headers = self.rest("GET", "/metrics")
        if status != 200:
            raise AssertionError(f"GET /metrics -> HTTP {status}: {str(body)[:300]}")
        return parse_metrics(body if isinstance(body, str) else json.dumps(body))


def env_without_kms() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("KMS_")}
