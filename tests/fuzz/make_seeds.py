#!/usr/bin/env python3
"""Make the fuzz targets' seed corpora in the build tree (tests/fuzz/CMakeLists.txt runs it).

OUT/<target>/ receives:
  - the hand-written seeds of tests/fuzz/seeds/<target>/ (for binary_ttlv: seeds/json_ttlv
    converted to binary);
  - KMIP requests built with the integration tests' own builders (tests/support/
    kmip_requests.py): JSON and binary TTLV, and as HTTP requests for http_framing;
  - when the vectors directory exists, every RequestMessage and ResponseMessage of the OASIS
    XML vectors, converted with tests/conformance/xml_to_json.py (JSON), then by the converter
    (binary); a few small requests also as HTTP requests. Nothing of the vectors is written
    outside OUT.
  - etc/kms.toml and etc/kms.yaml for the configuration readers.

Usage: make_seeds.py --seeds DIR --vectors DIR --converter BIN --out DIR
"""

from __future__ import annotations

import argparse
import datetime as _dt
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "tests" / "conformance"))
sys.path.insert(0, str(ROOT / "tests" / "support"))

import kmip_requests as kh  # noqa: E402
from kmsd import e, request_message, st, t  # noqa: E402
import xml_to_json  # noqa: E402

TARGETS = ("json_ttlv", "binary_ttlv", "http_framing", "config_toml", "config_yaml", "jwks", "jwt")
HTTP_SEEDS_FROM_VECTORS = 24  # the smallest vector requests, as HTTP requests
HTTP_SEED_MAX_BODY = 4096


def compact(node: dict) -> bytes:
    return json.dumps(node, separators=(",", ":")).encode()


def write(directory: Path, data: bytes, hint: str = "") -> None:
    """Content-addressed, as libFuzzer names corpus files: a seed made twice is one file."""
    name = (hint + "-" if hint else "") + hashlib.sha1(data).hexdigest()[:16]
    (directory / name).write_bytes(data)


def suite_requests() -> list[dict]:
    """Requests as the integration tests send them: bare operations (/kmip/2_1) and the same
    in RequestMessages (/kmip)."""
    uid = "9b1e5b7a-2c4e-4c7f-9f1e-0d6a2b3c4d5e"
    operations = [
        kh.create_aes(active=False),
        kh.create_aes(t("ObjectGroup", "fuzz"), bits=128, mask="Encrypt|Decrypt|WrapKey", active=False),
        kh.uid_op("Get", uid),
        kh.uid_op("GetAttributes", uid),
        kh.uid_op("Activate", uid),
        kh.uid_op("Destroy", uid),
        kh.encrypt_gcm(uid, b"attack at dawn"),
        kh.decrypt_gcm(uid, "00112233", "000102030405060708090A0B", "00" * 16),
        kh.revoke(uid, "KeyCompromise"),
        st("Locate", st("Attributes", e("ObjectType", "SymmetricKey"))),
        st("Query", e("QueryFunction", "QueryOperations")),
    ]
    messages = [request_message(kh.batch_item_of(op)) for op in operations]
    messages.append(request_message(*(kh.batch_item_of(op, bytes([n])) for n, op in enumerate(operations[:4])),
                                       correlation="fuzz"))
    return operations + messages


def vector_messages(vectors: Path) -> list[tuple[str, dict]]:
    now = _dt.datetime.now(_dt.timezone.utc)
    out = []
    for path in sorted(vectors.glob("*/*.xml")):
        try:
            for n, (kind, message, _) in enumerate(xml_to_json.iter_messages(str(path), now)):
                out.append((f"{path.parent.name}-{path.stem}-{n}-{kind[0]}", message))
        except (xml_to_json.ConversionError, Exception) as error:  # a vector the converter refuses
            print(f"make_seeds: {path.name}: skipped: {error}", file=sys.stderr)
    return out


def http_requests(body: bytes, path: str = "/kmip/2_1") -> list[bytes]:
    head = f"POST {path} HTTP/1.1\r\nHost: kms\r\nContent-Type: application/json\r\n".encode()
    fixed = head + f"Content-Length: {len(body)}\r\n\r\n".encode() + body
    half = len(body) // 2
    chunked = (head + b"Transfer-Encoding: chunked\r\n\r\n" + f"{half:x}\r\n".encode() + body[:half] + b"\r\n"
               + f"{len(body) - half:x};ext=1\r\n".encode() + body[half:] + b"\r\n0\r\n\r\n")
    return [fixed, chunked]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=Path, required=True)
    parser.add_argument("--vectors", type=Path, required=True)
    parser.add_argument("--converter", required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()

    out = {target: args.out / target for target in TARGETS}
    for directory in out.values():
        shutil.rmtree(directory, ignore_errors=True)
        directory.mkdir(parents=True)
        hand = args.seeds / directory.name
        if hand.is_dir():
            for seed in sorted(hand.iterdir()):
                write(directory, seed.read_bytes(), seed.stem)

    json_seeds: list[tuple[str, bytes]] = [("suite", compact(r)) for r in suite_requests()]
    hand_json = [(p.stem, p.read_bytes()) for p in sorted((args.seeds / "json_ttlv").iterdir())]
    http_bodies = [body for _, body in json_seeds[:6]]
    if args.vectors.is_dir():
        vectors = vector_messages(args.vectors)
        json_seeds += [(name, compact(message)) for name, message in vectors]
        requests = sorted((compact(m) for _, m in vectors if m.get("tag") == "RequestMessage"), key=len)
        http_bodies += [r for r in requests if len(r) <= HTTP_SEED_MAX_BODY][:HTTP_SEEDS_FROM_VECTORS]
        print(f"make_seeds: {len(vectors)} messages from the vectors in {args.vectors}")
    else:
        print(f"make_seeds: no vectors at {args.vectors}: hand-written and test-suite seeds only")

    for name, data in json_seeds:
        write(out["json_ttlv"], data, name)
    for body in http_bodies:
        for request in http_requests(body):
            write(out["http_framing"], request, "kmip")

    # Binary TTLV: the JSON seeds, converted by kmsd's own codecs.
    json_seeds += hand_json
    with tempfile.TemporaryDirectory() as scratch:
        pairs = []
        for n, (name, data) in enumerate(json_seeds):
            source = Path(scratch) / f"{n}.json"
            source.write_bytes(data)
            pairs += [str(source), str(Path(scratch) / f"{n}.bin")]
        result = subprocess.run([args.converter, *pairs], capture_output=True, text=True)
        if result.returncode != 0:
            print(result.stderr, file=sys.stderr)
            return 1
        for n, (name, _) in enumerate(json_seeds):
            binary = Path(scratch) / f"{n}.bin"
            if binary.exists():
                write(out["binary_ttlv"], binary.read_bytes(), name)

    write(out["config_toml"], (ROOT / "etc" / "kms.toml").read_bytes(), "etc-kms")
    write(out["config_yaml"], (ROOT / "etc" / "kms.yaml").read_bytes(), "etc-kms")

    for target, directory in out.items():
        print(f"make_seeds: {target}: {sum(1 for _ in directory.iterdir())} seeds")
    return 0


if __name__ == "__main__":
    sys.exit(main())
