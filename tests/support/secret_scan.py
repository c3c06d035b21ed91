"""Test support: search bytes, files and a kmsd store for a secret in its usual encodings
(raw, hex, base64, base64url at every alignment). Standard library only."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:
    from kmsd import Kmsd


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
