#!/usr/bin/env python3
"""Issue 24 item 7: the tamper-evident audit log, against a real kmsd with SoftHSM2 and JWT users:

    test_audit_log.py --kmsd BUILD/core/kmsd --plugins-dir BUILD/plugins [-v]

- Operations (register, encrypt, an HSM key create, a request refused to a user without rights,
  a failed authentication, a grant, the grantee's encrypt) each leave the line docs/audit.md
  describes: user, operation, UIDs, result, reason; no key byte, plaintext, ciphertext, PIN,
  JWT or the HMAC key appears in the file.
- `kmsd audit verify` accepts the file (exit 0), then fails (exit 1) naming file:line for a byte
  altered, a line deleted, two lines swapped, the last line truncated, and the whole file
  rewritten with recomputed hashes but without the key.
- An AWS XKS Encrypt carries its requestMetadata (principal, key ARN, request id, operation) into
  its line (skipped without python3-botocore).
- With a small audit_rotate_size the log rotates over several files, and verify checks the chain
  across them in order; a file left out is named.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))

from kmip_requests import create_hsm_aes, encrypt, register_aes  # noqa: E402
from kmsd import Kmsd, default_binary, value  # noqa: E402
from secret_scan import find_secret  # noqa: E402
from servers import ADMIN, BOB, Server, main  # noqa: E402

KEY = bytes(range(0x40, 0x60))  # the registered key's bytes, looked for in the log
PLAINTEXT = b"audit-plaintext-" + secrets.token_hex(8).encode()


def verify(*files: Path, key: Path | None = None, partial: bool = False) -> tuple[int, str]:
    args = [default_binary(), "audit", "verify", *map(str, files)]
    if key is not None:
        args += ["--hmac-key-file", str(key)]
    if partial:
        args.append("--partial")
    done = subprocess.run(args, capture_output=True, text=True, timeout=60)
    return done.returncode, done.stdout + done.stderr


def lines_of(path: Path) -> list[str]:
    return path.read_text().splitlines()


def write_lines(path: Path, lines: list[str], final_newline: bool = True) -> Path:
    path.write_text("\n".join(lines) + ("\n" if final_newline else ""))
    return path


class AuditLog(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = Path(tempfile.mkdtemp(prefix="kmsd-audit-"))
        cls.log = cls.tmp / "audit.log"
        cls.key_hex = secrets.token_hex(32)
        cls.key = cls.tmp / "audit.key"
        cls.key.write_text(cls.key_hex + "\n")
        cls.key.chmod(0o600)
        cls.srv = Server.on_softhsm("audit", extra_args=[
            "--audit-log-file", str(cls.log), "--audit-hmac-key-file", str(cls.key)])
        try:
            cls.run_operations()
        finally:
            cls.srv.kmsd.stop()

    @classmethod
    def run_operations(cls):
        srv = cls.srv
        status, body = srv.call(register_aes(KEY))
        assert status == 200, body
        cls.uid = value(body, "UniqueIdentifier")
        status, body = srv.call(encrypt(cls.uid, PLAINTEXT))
        assert status == 200, body
        cls.ciphertext = bytes.fromhex(value(body, "Data"))
        cls.hsm_uid = f"hsm::{srv.slot}::audit-aes"
        status, body = srv.call(create_hsm_aes(cls.hsm_uid))
        assert status == 200, body
        status, body = srv.call(encrypt(cls.uid, PLAINTEXT), user=BOB)  # not granted yet
        assert status != 200, body
        status, body, _ = srv.kmsd.request("POST", "/kmip/2_1", b"{}", {
            "Content-Type": "application/json", "Authorization": "Bearer not-a-valid-jwt"})
        assert status == 401, (status, body)
        status, body, _ = srv.rest("POST", "/access/grant", {
            "unique_identifier": cls.uid, "user_id": BOB, "operation_types": ["encrypt"]})
        assert status == 200, body
        status, body = srv.call(encrypt(cls.uid, PLAINTEXT), user=BOB)
        assert status == 200, body

    @classmethod
    def tearDownClass(cls):
        cls.srv.close()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def entries(self) -> list[dict]:
        return [json.loads(line) for line in lines_of(self.log)]

    def copy(self, name: str) -> Path:
        target = self.tmp / name
        shutil.copyfile(self.log, target)
        return target

    # -- content --------------------------------------------------------------------------------

    def test_lines_record_each_event(self):
        entries = self.entries()
        self.assertEqual([e["seq"] for e in entries], list(range(1, len(entries) + 1)))
        self.assertEqual(entries[0]["type"], "server.start")
        self.assertEqual(entries[0]["prev"], "0" * 64)
        self.assertEqual(entries[-1]["type"], "server.stop")
        for entry in entries:
            self.assertRegex(entry["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
            self.assertRegex(entry["mac"], r"^[0-9a-f]{64}$")
        kmip = [e for e in entries if e["type"] == "kmip"]
        ops = [(e["user"], e["op"], e["result"]) for e in kmip]
        self.assertIn((ADMIN, "Register", "success"), ops)
        self.assertIn((ADMIN, "Create", "success"), ops)
        encrypts = [e for e in kmip if e["op"] == "Encrypt"]
        self.assertEqual([(e["user"], e["result"]) for e in encrypts],
                         [(ADMIN, "success"), (BOB, "failure"), (BOB, "success")])
        self.assertTrue(all(e["uids"] == [self.uid] for e in encrypts), encrypts)
        self.assertEqual(encrypts[1]["reason"], "not_found")  # a key BOB may not use is "not found"
        self.assertEqual(encrypts[0]["transport"], "http")
        self.assertEqual(encrypts[0]["peer"], "127.0.0.1")
        create = next(e for e in kmip if e["op"] == "Create")
        self.assertEqual(create["uids"], [self.hsm_uid])
        failures = [e for e in entries if e["type"] == "auth.failure"]
        self.assertEqual(len(failures), 1, failures)
        self.assertEqual((failures[0]["result"], failures[0]["op"], failures[0]["user"]),
                         ("denied", "POST /kmip/2_1", ""))
        grant = next(e for e in entries if e["type"] == "access.grant")
        self.assertEqual((grant["user"], grant["uids"], grant["ctx"]),
                         (ADMIN, [self.uid], {"grantee": BOB, "rights": "encrypt"}))
        start = entries[0]["ctx"]
        self.assertEqual((start["audit_mac"], start["hsm_instances"]), ("on", "1"))

    def test_no_secret_in_the_log(self):
        blob = self.log.read_bytes()
        secrets_ = {"key bytes": KEY, "plaintext": PLAINTEXT, "ciphertext": self.ciphertext,
                    "HSM PIN": self.srv.hsm.tokens[0].pin.encode(), "HMAC key": bytes.fromhex(self.key_hex),
                    "HMAC key hex": self.key_hex.encode()}
        for user, token in self.srv.tokens.items():
            secrets_[f"JWT of {user}"] = token.encode()
        for name, secret in secrets_.items():
            self.assertEqual(find_secret(blob, secret), [], f"{name} found in the audit log")
        self.assertNotIn(self.key_hex, self.srv.kmsd.log_text())

    # -- verify -----------------------------------------------------------------------------------

    def test_intact_file_verifies(self):
        code, out = verify(self.log, key=self.key)
        self.assertEqual(code, 0, out)
        self.assertIn("every mac checked", out)
        code, out = verify(self.log)
        self.assertEqual(code, 0, out)
        self.assertIn("NOT checked", out)

    def expect_failure(self, path: Path, line: int, reason: str, key: Path | None = None):
        code, out = verify(path, key=key)
        self.assertEqual(code, 1, out)
        self.assertIn(f"{path}:{line}: {reason}", out)

    def test_altered_byte(self):
        lines = lines_of(self.log)
        k = 3
        lines[k - 1] = lines[k - 1].replace('"user":"', '"user":"x', 1)
        path = write_lines(self.tmp / "altered.log", lines)
        self.expect_failure(path, k, "altered")  # the chain: line k+1's prev no longer matches
        self.expect_failure(path, k, "bad mac", key=self.key)

    def test_deleted_line(self):
        lines = lines_of(self.log)
        del lines[3]
        self.expect_failure(write_lines(self.tmp / "deleted.log", lines), 4, "missing")

    def test_swapped_lines(self):
        lines = lines_of(self.log)
        lines[2], lines[3] = lines[3], lines[2]
        self.expect_failure(write_lines(self.tmp / "swapped.log", lines), 3, "reordered")

    def test_truncated_last_line(self):
        lines = lines_of(self.log)
        lines[-1] = lines[-1][: len(lines[-1]) // 2]
        path = write_lines(self.tmp / "truncated.log", lines, final_newline=False)
        self.expect_failure(path, len(lines), "truncated", key=self.key)

    def test_rewrite_with_recomputed_hashes(self):
        """A forger who edits a line and recomputes every prev: the chain holds, the macs do not."""
        forged, prev = [], "0" * 64
        for n, line in enumerate(lines_of(self.log)):
            line = re.sub(r',"mac":"[0-9a-f]{64}"\}$', "}", line)
            line = re.sub(r'"prev":"[0-9a-f]{64}"', f'"prev":"{prev}"', line)
            if n == 4:
                line = line.replace(f'"user":"{BOB}"', '"user":"mallory"').replace(f'"user":"{ADMIN}"',
                                                                                   '"user":"mallory"')
            forged.append(line)
            prev = hashlib.sha256(line.encode()).hexdigest()
        path = write_lines(self.tmp / "forged.log", forged)
        code, out = verify(path)
        self.assertEqual(code, 0, "without the key the forgery is a valid chain: " + out)
        self.expect_failure(path, 1, "no mac", key=self.key)
        # The same forgery with macs under another key.
        other = self.tmp / "other.key"
        other.write_text(secrets.token_hex(32))
        resigned, prev = [], "0" * 64
        import hmac
        for line in forged:
            line = re.sub(r'"prev":"[0-9a-f]{64}"', f'"prev":"{prev}"', line)
            mac = hmac.new(bytes.fromhex(other.read_text()), line.encode(), hashlib.sha256).hexdigest()
            line = line[:-1] + f',"mac":"{mac}"}}'
            resigned.append(line)
            prev = hashlib.sha256(line.encode()).hexdigest()
        path = write_lines(self.tmp / "resigned.log", resigned)
        self.assertEqual(verify(path, key=other)[0], 0)  # the forger's own key accepts it
        self.expect_failure(path, 1, "bad mac", key=self.key)


class Rotation(unittest.TestCase):
    def test_chain_across_rotated_files(self):
        tmp = Path(tempfile.mkdtemp(prefix="kmsd-audit-rot-"))
        try:
            log = tmp / "audit.log"
            args = ["--audit-log-file", str(log), "--audit-rotate-size", "2048"]
            with Kmsd(default_binary(), extra_args=args) as k:
                uid = value(k.kmip(register_aes(KEY)), "UniqueIdentifier")
                for _ in range(25):
                    k.kmip(encrypt(uid, PLAINTEXT))
            with Kmsd(default_binary(), extra_args=args) as k:  # a restart goes on with the chain
                k.kmip(register_aes(KEY))
            rotated = sorted(tmp.glob("audit.log.*"))
            self.assertGreaterEqual(len(rotated), 4, rotated)
            files = rotated + [log]
            for f in files:
                self.assertLessEqual(f.stat().st_size, 2048, f)
            code, out = verify(*files)
            self.assertEqual(code, 0, out)
            first = json.loads(lines_of(rotated[1])[0])
            self.assertEqual((first["type"], first["ctx"]["previous_file"]), ("audit.rotate", rotated[0].name))
            code, out = verify(*(files[:2] + files[3:]))
            self.assertEqual(code, 1, out)
            self.assertIn(f"{files[3]}:1: missing", out)
            code, out = verify(*files[2:])
            self.assertEqual(code, 1, out)
            self.assertIn("does not start", out)
            self.assertEqual(verify(*files[2:], partial=True)[0], 0)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


class XksMetadata(unittest.TestCase):
    """Issue 19 item 4: an XKS call's requestMetadata (AWS principal, key ARN, request id,
    operation) goes into its audit line, with the XKS user as the line's user."""

    def test_request_metadata_in_the_line(self):
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        import test_aws_xks as xks  # the SigV4 client and the specification's examples
        if xks.botocore is None:
            self.skipTest("python3-botocore is not installed")
        tmp = Path(tempfile.mkdtemp(prefix="kmsd-audit-xks-"))
        log = tmp / "audit.log"
        srv = None
        try:
            args = xks.xks_args(tmp)[:-2]  # without the secondary credential (its secret is in the environment)
            srv = Server.on_softhsm("auditxks", extra_args=args + ["--audit-log-file", str(log)])
            status, body = srv.call(xks.create_aes())
            self.assertEqual(status, 200, body)
            uid = value(body, "UniqueIdentifier")
            xks.grant(srv, uid, "encrypt", "decrypt", "getattributes")
            client = xks.XksClient()
            client.target = srv.kmsd
            status, answer = client.send(f"{xks.BASE}/keys/{xks.key_id(uid)}/encrypt", xks.PLAIN_ENCRYPT)
            self.assertEqual(status, 200, answer)
            srv.kmsd.stop()
            lines = [json.loads(line) for line in lines_of(log)]
            entry = next(e for e in lines if e["type"] == "kmip" and e["user"] == xks.XKS_USER and e["op"] == "Encrypt")
            meta = xks.PLAIN_ENCRYPT["requestMetadata"]
            self.assertEqual(entry["uids"], [uid])
            self.assertEqual(entry["transport"], "aws-xks")
            self.assertEqual(entry["request_id"], meta["kmsRequestId"])
            self.assertEqual(entry["ctx"], {k: meta[k] for k in
                                            ("awsPrincipalArn", "kmsKeyArn", "kmsRequestId", "kmsOperation")})
            self.assertEqual(verify(log)[0], 0)
        finally:
            if srv is not None:
                srv.close()
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
