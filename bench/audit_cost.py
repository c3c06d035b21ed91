#!/usr/bin/python3
"""The audit log's cost (docs/audit.md): AES Encrypt of 64 bytes with a database key under
kms-loadgen at 32 connections, without audit and with each flush policy, in one run.

    bench/audit_cost.py KMSD KMS_LOADGEN [off|event|interval ...]   # default: off event interval off
"""
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "support"))
from kmip_requests import create_aes, encrypt  # noqa: E402
from kmsd import Kmsd, value  # noqa: E402

KMSD, LG = sys.argv[1], sys.argv[2]


def run(label, extra, dur=8):
    """One kmsd, one key, one loadgen run of `dur` seconds after 2 s of warm-up."""
    with Kmsd(KMSD, extra_args=["--threads", "96"] + extra) as k:
        uid = value(k.kmip(create_aes()), "UniqueIdentifier")
        body = os.path.join(k.dir, "body.json")
        open(body, "w").write(json.dumps(encrypt(uid, b"x" * 64)))
        out = subprocess.run([LG, "--port", str(k.port), "--path", "/kmip/2_1", "--connections", "32", "--threads", "2",
                              "--duration", str(dur), "--warmup", "2", "--body", body, "--content-type", "application/json",
                              "--fail", "not_found", "--label", label], capture_output=True, text=True)
        print(label, out.stdout.strip()[-600:], out.stderr.strip()[-300:], flush=True)
d = tempfile.mkdtemp(prefix="kmsd-audit-cost-")
open(f"{d}/k", "w").write("ab" * 32)
which = sys.argv[3:] or ["off", "event", "interval", "off"]
for w in which:
    if w == "off": run("no-audit", [])
    if w == "event": run("audit-event", ["--audit-log-file", f"{d}/ev.log", "--audit-hmac-key-file", f"{d}/k", "--audit-rotate-size", "0"])
    if w == "interval": run("audit-interval", ["--audit-log-file", f"{d}/iv.log", "--audit-hmac-key-file", f"{d}/k", "--audit-flush", "interval", "--audit-rotate-size", "0"])
for f in os.listdir(d):
    p = os.path.join(d, f); print(f, os.path.getsize(p))
