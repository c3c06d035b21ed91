"""Helpers shared by the HSM integration tests: KMIP requests on hsm:: keys, the plugins
directory argument, and pkcs11-tool run with the PIN in the environment (never in argv)."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "support"))

from kmsd import b, bo, e, i, st, t, take_kmsd_arg  # noqa: E402

ARGS = argparse.Namespace(plugins_dir=None)


def parse_args() -> list[str]:
    """Takes --kmsd BIN and --plugins-dir DIR out of sys.argv; returns the rest for unittest."""
    argv = take_kmsd_arg(sys.argv[1:])
    rest: list[str] = []
    idx = 0
    while idx < len(argv):
        if argv[idx] == "--plugins-dir" and idx + 1 < len(argv):
            ARGS.plugins_dir = argv[idx + 1]
            idx += 2
            continue
        rest.append(argv[idx])
        idx += 1
    if ARGS.plugins_dir is None:
        ARGS.plugins_dir = os.environ.get("KMS_TEST_PLUGINS_DIR", str(Path(__file__).resolve().parents[2] / "build" / "plugins"))
    # kmsd runs in its own temporary directory: a relative path would name nothing there.
    ARGS.plugins_dir = os.path.abspath(ARGS.plugins_dir)
    return [sys.argv[0]] + rest


def create_aes(uid: str, bits: int = 256, sensitive: bool | None = None) -> dict:
    return st("Create", e("ObjectType", "SymmetricKey"),
              st("Attributes", e("CryptographicAlgorithm", "AES"), i("CryptographicLength", bits),
                 t("UniqueIdentifier", uid),
                 bo("Sensitive", sensitive) if sensitive is not None else None))


def create_rsa(uid: str, bits: int = 2048, sensitive: bool | None = None) -> dict:
    return st("CreateKeyPair",
              st("CommonAttributes", e("CryptographicAlgorithm", "RSA"), i("CryptographicLength", bits)),
              st("PrivateKeyAttributes", t("UniqueIdentifier", uid),
                 bo("Sensitive", sensitive) if sensitive is not None else None))


def uid_op(operation: str, uid: str, *more) -> dict:
    return st(operation, t("UniqueIdentifier", uid), *more)


def oaep(hash_name: str) -> dict:
    return st("CryptographicParameters", e("PaddingMethod", "OAEP"), e("HashingAlgorithm", hash_name))


PKCS1 = st("CryptographicParameters", e("PaddingMethod", "PKCS1V1_5"))


def pkcs11_tool(library: str, slot: int, pin: str, *args: str, env: dict | None = None) -> str:
    """pkcs11-tool logged in to `slot`; the PIN travels in the environment (`--pin env:VAR`)."""
    child = dict(env or os.environ)
    child["KMS_TEST_P11_PIN"] = pin
    command = ["pkcs11-tool", "--module", library, "--slot", str(slot), "--login",
               "--pin", "env:KMS_TEST_P11_PIN", *args]
    assert pin not in command
    done = subprocess.run(command, env=child, capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0:
        raise AssertionError(f"pkcs11-tool {' '.join(args)} failed: {done.stderr or done.stdout}")
    return done.stdout


__all__ = ["ARGS", "parse_args", "create_aes", "create_rsa", "uid_op", "oaep", "PKCS1", "pkcs11_tool", "b"]
