"""Shared helpers of the integration tests: locating tests/support, KMIP requests built from
the JSON TTLV builders, and checks on the answers."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[0] / "support"))

from kmsd import (  # noqa: E402,F401
    Kmsd, b, batch_item, children, default_binary, e, find, i, request_message, st, t,
    take_kmsd_arg, value)

AES_GCM = st("CryptographicParameters", e("BlockCipherMode", "GCM"),
             e("CryptographicAlgorithm", "AES"), i("TagLength", 16))


def create_aes(length: int = 256, mask: str = "Encrypt|Decrypt", *extra_attrs) -> dict:
    return st("Create", e("ObjectType", "SymmetricKey"),
              st("Attributes", e("CryptographicAlgorithm", "AES"),
                 i("CryptographicLength", length), i("CryptographicUsageMask", mask),
                 *extra_attrs))


def uid_op(op: str, uid: str | None, *more) -> dict:
    return st(op, t("UniqueIdentifier", uid) if uid is not None else None, *more)


def encrypt_gcm(uid: str | None, data: bytes) -> dict:
    return uid_op("Encrypt", uid, AES_GCM, b("Data", data))


def decrypt_gcm(uid: str, data_hex: str, iv_hex: str, tag_hex: str) -> dict:
    return uid_op("Decrypt", uid, AES_GCM, b("Data", data_hex), b("IVCounterNonce", iv_hex),
                  b("AuthenticatedEncryptionTag", tag_hex))


def revoke(uid: str, reason: str = "Unspecified") -> dict:
    return uid_op("Revoke", uid, st("RevocationReason", e("RevocationReasonCode", reason)))


def hexval(node, path: str) -> str:
    v = value(node, path)
    assert isinstance(v, str), f"{path}: expected a hex ByteString, got {v!r} in {node!r}"
    return v.lower()


def result_items(resp: dict) -> list[dict]:
    assert isinstance(resp, dict) and resp.get("tag") == "ResponseMessage", \
        f"expected a ResponseMessage, got {str(resp)[:500]}"
    return children(resp, "BatchItem")


def single_failure(k: Kmsd, operation: dict) -> tuple[str, str, str]:
    """Send `operation` in a one-item RequestMessage that must fail: (status, reason, message)."""
    resp = k.kmip(request_message(batch_item_of(operation)))
    items = result_items(resp)
    assert len(items) == 1, f"expected 1 batch item, got {resp}"
    return (value(items[0], "ResultStatus"), value(items[0], "ResultReason"),
            value(items[0], "ResultMessage"))


def call(k: Kmsd, operation: dict) -> dict:
    """Send `operation` in a one-item RequestMessage that must succeed; its ResponsePayload."""
    resp = k.kmip(request_message(batch_item_of(operation)))
    items = result_items(resp)
    assert len(items) == 1, f"expected 1 batch item, got {resp}"
    status = value(items[0], "ResultStatus")
    assert status == "Success", (
        f"{operation['tag']}: {status} {value(items[0], 'ResultReason')}: "
        f"{value(items[0], 'ResultMessage')}")
    payload = find(items[0], "ResponsePayload")
    assert payload is not None, f"{operation['tag']}: Success without ResponsePayload: {resp}"
    return payload


def batch_item_of(operation: dict, batch_id: bytes | None = None) -> dict:
    """A request BatchItem from a bare operation node {"tag": Op, "value": payload}."""
    return st("BatchItem", e("Operation", operation["tag"]),
              b("UniqueBatchItemID", batch_id) if batch_id is not None else None,
              st("RequestPayload", operation["value"]))


def kmsd_help(binary: str) -> str:
    r = subprocess.run([binary, "--help"], capture_output=True, text=True, timeout=15,
                       stdin=subprocess.DEVNULL)
    return r.stdout + r.stderr


def body_limit_flag(binary: str) -> str:
    """The flag that sets the request body limit, read from `kmsd --help` (a flag with
    'body' in its name); `--max-body-size` if none is listed."""
    m = re.search(r"(--[a-z0-9-]*body[a-z0-9-]*)", kmsd_help(binary))
    return m.group(1) if m else "--max-body-size"


def main() -> None:
    """unittest.main() after taking `--kmsd BIN` out of argv."""
    import unittest
    argv = take_kmsd_arg(sys.argv)
    if os.environ.get("KMSD_TEST_VERBOSE") is None and "-v" in argv:
        os.environ["KMSD_TEST_VERBOSE"] = "1"
    unittest.main(argv=argv)
