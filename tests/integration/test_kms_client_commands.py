#!/usr/bin/env python3
"""The `kms` client's other commands against a real kmsd on a real SoftHSM2 token:

    test_kms_client_commands.py --kmsd BUILD/core/kmsd --kms BUILD/cli/kms --plugins-dir BUILD/plugins [-v]

- Wrap: sym keys wrap|unwrap and rsa keys wrap|unwrap (RFC 5649, locally) with a KMS key
  (--*-key-id), base64 bytes and a key file; the unwrapped file imports back to the same key bytes
  (checked with an export), Python's own RFC 5649 unwraps what kms wrapped; a wrong key, a wrapped
  key wrapped again, ckms's password option: the exit code and one line.
- Attributes: attributes set / set-attribute (Name, tags, a link, a vendor attribute) visible in
  get-attributes and attributes get; attributes add, modify and delete; what kmsd refuses
  (read-only, wrong state, two instances to choose from, another user's object), bad flags.
- Configure: the file it writes (0600, the keys Config reads) is used by the next command; never
  replaced without --force; the terminal prompt does not echo the token.
- Operators: hsm status (the token's slot, --json), tokens create|list|revoke (the token works
  as a bearer token, then fails once revoked; its secret is printed by create only), admin rewrap
  (keys move from one HSM key to another and still decrypt, the old key destroyed).
- Documentation: every command is in docs/cli.md and the man page, and the bash completion
  offers it.
"""

from __future__ import annotations

import base64
import json
import os
import pty
import re
import select
import shlex
import shutil
import subprocess
import sys
import time
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))

import test_kms_client as base  # noqa: E402
from test_kms_client import (EXIT_BAD_DATA, EXIT_FILE, EXIT_OK, EXIT_REFUSED, EXIT_USAGE,  # noqa: E402
                             ClientCase)
from servers import ADMIN, BOB, main  # noqa: E402

REPO = Path(__file__).resolve().parents[2]


def key_material(path: Path) -> bytes:
    """The KeyMaterial bytes of a JSON TTLV key file."""
    def find(node):
        if isinstance(node, dict):
            if node.get("tag") == "KeyMaterial" and node.get("type") == "ByteString":
                return bytes.fromhex(node["value"])
            return find(node.get("value"))
        if isinstance(node, list):
            for item in node:
                found = find(item)
                if found is not None:
                    return found
        return None
    found = find(json.loads(path.read_text()))
    assert found is not None, f"no KeyMaterial in {path}"
    return found


def toml(path: Path) -> dict:
    """The TOML file `path`, parsed (tomllib: Python 3.11+; else the one-table form kms writes)."""
    try:
        import tomllib
        return tomllib.loads(path.read_text())
    except ImportError:
        out: dict = {}
        table = out
        for line in path.read_text().splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("["):
                table = out.setdefault(line.strip("[]"), {})
                continue
            key, value = (part.strip() for part in line.split("=", 1))
            table[key] = value.strip("'\"") if value[0] in "'\"" else {"true": True, "false": False}.get(value, value)
        return out


def wrapped_value(path: Path) -> bytes:
    block = next(i for i in json.loads(path.read_text())["value"] if i["tag"] == "KeyBlock")
    value = next(i for i in block["value"] if i["tag"] == "KeyValue")
    assert value["type"] == "ByteString", value
    return bytes.fromhex(value["value"])


class Commands(ClientCase):
    @classmethod
    def setUpClass(cls):
        cls.start_on_softhsm("cmds", ["--api-token-auth", "--privileged-users", ADMIN])
        cls.bob_conf = cls.tmp / "bob.toml"
        cls.bob_conf.write_text(f'[http_config]\nserver_url = "{cls.srv.kmsd.url}"\n'
                                f'access_token = "{cls.srv.tokens[BOB]}"\n')

    def setUp(self):
        self.dir = self.new_dir()

    def create_sym(self, *more: str) -> str:
        return self.uid_of(self.out("sym", "keys", "create", *more))

    def kms(self, *args: str, code: int | None = EXIT_OK, env: dict | None = None, stdin: bytes | None = None,
            cwd: Path | None = None) -> subprocess.CompletedProcess:
        """ClientCase.kms, in `cwd` when given."""
        r = subprocess.run([base.KMS, *args], capture_output=True, timeout=180, env=env or self.env(), input=stdin,
                           stdin=None if stdin is not None else subprocess.DEVNULL, cwd=cwd)
        if code is not None:
            self.assertEqual(r.returncode, code, f"kms {' '.join(args)}: exit {r.returncode}\n"
                                                 f"stderr: {r.stderr.decode(errors='replace')}")
        return r

    def as_bob(self) -> dict:
        return self.env(KMS_CLI_CONF=str(self.bob_conf))

    def assert_absent(self, secret: bytes | str, haystack: bytes | str, what: str) -> None:
        """Fails without quoting the secret (the failure output is a log too)."""
        if isinstance(secret, str) and isinstance(haystack, bytes):
            secret = secret.encode()
        if isinstance(secret, bytes) and isinstance(haystack, str):
            haystack = haystack.encode()
        self.assertFalse(secret in haystack, f"a secret shows in {what}")

    def assert_no_secret(self, r: subprocess.CompletedProcess, *secrets: bytes) -> None:
        for secret in secrets:
            for form in (secret, secret.hex().encode(), secret.hex().upper().encode(), base64.b64encode(secret)):
                self.assert_absent(form, r.stdout + r.stderr, "the output")

    # -----------------------------------------------------------------------------------------
    # wrap / unwrap
    # -----------------------------------------------------------------------------------------

    def test_sym_wrap_unwrap(self):
        kek = self.create_sym()
        uid = self.create_sym("-t", "to-wrap")
        clear = self.dir / "k.json"
        self.out("sym", "keys", "export", "-k", uid, str(clear))
        raw = self.dir / "k.raw"
        self.out("sym", "keys", "export", "-k", uid, "-f", "raw", str(raw))
        key = raw.read_bytes()
        self.assertEqual(key_material(clear), key)

        # With a key of the KMS.
        wrapped = self.dir / "k.wrapped.json"
        r = self.kms("sym", "keys", "wrap", "--wrap-key-id", kek, str(clear), str(wrapped))
        self.assertEqual(r.stdout.decode(),
                         f"The key of type SymmetricKey in file {clear} was wrapped in file: {wrapped}\n")
        self.assert_no_secret(r, key)
        text = wrapped.read_text()
        self.assert_absent(key.hex(), text.lower(), "the wrapped file")
        self.assertIn("KeyWrappingData", text)
        self.assertIn("AESKeyWrapPadding", text)
        self.assertIn(kek, text)
        self.assertEqual(wrapped.stat().st_mode & 0o077, 0)
        unwrapped = self.dir / "k.unwrapped.json"
        r = self.kms("sym", "keys", "unwrap", "-i", kek, str(wrapped), str(unwrapped))
        self.assertEqual(r.stdout.decode(),
                         f"The key of type SymmetricKey in file {wrapped} was unwrapped in file: {unwrapped}\n")
        self.assert_no_secret(r, key)
        self.assertEqual(key_material(unwrapped), key)

        # RFC 5649 as another implementation reads it.
        kek_raw = self.dir / "kek.raw"
        self.out("sym", "keys", "export", "-k", kek, "-f", "raw", str(kek_raw))
        try:
            from cryptography.hazmat.primitives.keywrap import aes_key_unwrap_with_padding
            self.assertEqual(aes_key_unwrap_with_padding(kek_raw.read_bytes(), wrapped_value(wrapped)), key)
        except ImportError:
            pass

        # The unwrapped file imports back: the same key bytes, by an export.
        back = self.uid_of(self.out("sym", "keys", "import", str(unwrapped)))
        self.out("sym", "keys", "export", "-k", back, "-f", "raw", str(self.dir / "back.raw"))
        self.assertEqual((self.dir / "back.raw").read_bytes(), key)

        # Base64 bytes to wrap, a key file to unwrap; without KEY_FILE_OUT the input is replaced.
        b64 = base64.b64encode(kek_raw.read_bytes()).decode()
        kek_file = self.dir / "kek.json"
        self.out("sym", "keys", "export", "-k", kek, str(kek_file))
        copy = self.dir / "copy.json"
        shutil.copy(clear, copy)
        self.out("sym", "keys", "wrap", "-k", b64, str(copy))
        self.assertIn("KeyWrappingData", copy.read_text())
        self.out("sym", "keys", "unwrap", "-f", str(kek_file), str(copy))
        self.assertEqual(key_material(copy), key)
        self.out("--json", "sym", "keys", "wrap", "-k", b64, str(copy))
        self.assertEqual(json.loads(self.out("--json", "sym", "keys", "unwrap", "-k", b64, str(copy))),
                         {"object_type": "SymmetricKey", "file": str(copy)})

        # stdin to stdout: the file alone on stdout, the sentence on stderr.
        r = self.kms("sym", "keys", "wrap", "-k", b64, "-", "-", stdin=clear.read_bytes())
        self.assertIn("KeyWrappingData", json.dumps(json.loads(r.stdout)))
        self.assertEqual(r.stderr.decode(), "The key of type SymmetricKey in file - was wrapped in file: -\n")
        r = self.kms("sym", "keys", "unwrap", "-k", b64, "-", "-", stdin=r.stdout)
        (self.dir / "piped.json").write_bytes(r.stdout)
        self.assertEqual(key_material(self.dir / "piped.json"), key)

        # ckms's default form: the whole KeyValue TTLV-encoded, then wrapped (made here by Python).
        try:
            from cryptography.hazmat.primitives.keywrap import aes_key_wrap_with_padding
        except ImportError:
            aes_key_wrap_with_padding = None
        if aes_key_wrap_with_padding is not None:
            from ttlv_binary import encode as ttlv_encode
            value = {"tag": "KeyValue", "type": "Structure",
                     "value": [{"tag": "KeyMaterial", "type": "ByteString", "value": key.hex()}]}
            blob = aes_key_wrap_with_padding(kek_raw.read_bytes(), ttlv_encode(value))
            ckms_file = self.dir / "ckms.json"
            ckms_file.write_text(json.dumps({"tag": "SymmetricKey", "type": "Structure", "value": [
                {"tag": "KeyBlock", "type": "Structure", "value": [
                    {"tag": "KeyFormatType", "type": "Enumeration", "value": "Raw"},
                    {"tag": "KeyValue", "type": "ByteString", "value": blob.hex()},
                    {"tag": "CryptographicAlgorithm", "type": "Enumeration", "value": "AES"},
                    {"tag": "CryptographicLength", "type": "Integer", "value": 256},
                    {"tag": "KeyWrappingData", "type": "Structure", "value": [
                        {"tag": "WrappingMethod", "type": "Enumeration", "value": "Encrypt"},
                        {"tag": "EncodingOption", "type": "Enumeration", "value": "TTLVEncoding"}]}]}]}))
            self.out("sym", "keys", "unwrap", "-k", b64, str(ckms_file))
            self.assertEqual(key_material(ckms_file), key)

        # Errors: a wrong key, a key wrapped again, an existing output, ckms's password, no key.
        other = self.create_sym()
        target = self.dir / "never.json"
        self.fails(EXIT_BAD_DATA, "sym", "keys", "unwrap", "-i", other, str(wrapped), str(target),
                   contains="does not unwrap")
        self.assertFalse(target.exists())
        self.fails(EXIT_BAD_DATA, "sym", "keys", "wrap", "-i", kek, str(wrapped), str(target),
                   contains="already wrapped")
        self.fails(EXIT_BAD_DATA, "sym", "keys", "unwrap", "-i", kek, str(clear), str(target), contains="not wrapped")
        self.fails(EXIT_FILE, "sym", "keys", "wrap", "-i", kek, str(clear), str(unwrapped), contains="--force")
        self.fails(EXIT_USAGE, "sym", "keys", "wrap", "-p", "a password", str(clear), str(target),
                   contains="--wrap-password")
        self.fails(EXIT_USAGE, "sym", "keys", "wrap", str(clear), str(target), contains="one wrapping key")
        self.fails(EXIT_USAGE, "sym", "keys", "wrap", "-k", "!!not base64!!", str(clear), str(target))
        self.assertFalse(target.exists())
        # A Sensitive KMS key cannot wrap here: it never leaves the server in the clear.
        sensitive = self.create_sym("--sensitive")
        self.fails(EXIT_REFUSED, "sym", "keys", "wrap", "-i", sensitive, str(clear), str(target))
        # Bob may not export the wrapping key.
        self.fails(EXIT_REFUSED, "sym", "keys", "wrap", "-i", kek, str(clear), str(target), env=self.as_bob())
        self.assertFalse(target.exists())

    def test_rsa_wrap_unwrap(self):
        out = self.out("rsa", "keys", "create", "-s", "2048")
        private = re.search(r"Private key unique identifier: (\S+)", out).group(1)
        kek = self.create_sym()
        clear = self.dir / "priv.json"
        self.out("rsa", "keys", "export", "-k", private, str(clear))
        material = key_material(clear)
        wrapped = self.dir / "priv.wrapped.json"
        r = self.kms("rsa", "keys", "wrap", "-i", kek, str(clear), str(wrapped))
        self.assertEqual(r.stdout.decode(),
                         f"The key of type PrivateKey in file {clear} was wrapped in file: {wrapped}\n")
        self.assert_absent(material.hex(), wrapped.read_text().lower(), "the wrapped file")
        self.out("rsa", "keys", "unwrap", "-i", kek, str(wrapped), str(self.dir / "priv.back.json"))
        self.assertEqual(key_material(self.dir / "priv.back.json"), material)

    # -----------------------------------------------------------------------------------------
    # attributes
    # -----------------------------------------------------------------------------------------

    def attrs(self, uid: str, *more: str, env: dict | None = None) -> dict:
        return json.loads(self.out("--json", "get-attributes", "-i", uid, *more, env=env))["attributes"]

    def test_set_and_delete_attributes(self):
        uid = self.create_sym("-t", "attr-test")
        parent = self.create_sym()
        r = self.out("attributes", "set", "-i", uid, "--name", "payroll-key")
        self.assertEqual(r, f"Attribute set successfully\n      Unique identifier: {uid}\n      Name: payroll-key\n")
        self.assertEqual(self.attrs(uid)["Name"].count("payroll-key"), 1, self.attrs(uid))
        # The ckms form and kmsd's: the same command.
        out = json.loads(self.out("--json", "set-attribute", "-i", uid, "--new-tag", "blue", "--new-tag", "green",
                                  "--parent-id", parent, "-v", "acme", "-n", "colour", "--attribute-value", "0a0b"))
        self.assertEqual(out, {"unique_identifier": uid,
                               "attributes": [f"Link: ParentLink {parent}", "acme::colour: 0a0b",
                                              'cosmian::tag: ["blue","green"]']})
        got = self.attrs(uid)
        self.assertEqual(json.loads(got["cosmian::tag"]), ["blue", "green"])
        self.assertIn(parent, got["Link"])
        self.assertIn("acme::colour", got)
        # The tags find the key; the old one no longer does.
        self.assertEqual(self.out("locate", "-t", "blue", "-t", "green"), f"List of unique identifiers:\n{uid}\n")
        self.assertEqual(self.out("locate", "-t", "attr-test"), "No object found.\n")
        # The key still works.
        src = self.dir / "m.txt"
        src.write_bytes(b"still encrypts")
        self.out("sym", "encrypt", "-k", uid, str(src))
        # attributes get is get-attributes.
        self.assertEqual(self.out("attributes", "get", "-i", uid, "-a", "name"),
                         self.out("get-attributes", "-i", uid, "-a", "name"))

        # add: a second Name (multi-valued); set then refuses to choose, delete by value takes one,
        # modify changes the one left; modify never creates.
        r = self.out("attributes", "add", "-i", uid, "--name", "second-name")
        self.assertEqual(r, f"Attribute added successfully\n      Unique identifier: {uid}\n      Name: second-name\n")
        names = self.out("attributes", "get", "-i", uid, "-a", "name")
        self.assertEqual(names.count("\n      Name: "), 2, names)
        both = self.attrs(uid)["Name"]  # --json: every instance, as an array
        self.assertEqual(len(both), 2, both)
        self.assertEqual(("payroll-key" in both[0] + both[1], "second-name" in both[0] + both[1]), (True, True), both)
        self.fails(EXIT_REFUSED, "attributes", "set", "-i", uid, "--name", "third", contains="instances")
        self.out("attributes", "delete", "-i", uid, "--name", "second-name")
        self.assertNotIn("second-name", self.out("attributes", "get", "-i", uid, "-a", "name"))
        r = self.out("attributes", "modify", "-i", uid, "--name", "renamed")
        self.assertEqual(r, f"Attribute modified successfully\n      Unique identifier: {uid}\n      Name: renamed\n")
        names = self.out("attributes", "get", "-i", uid, "-a", "name")
        self.assertEqual((names.count("\n      Name: "), "renamed" in names), (1, True), names)
        self.fails(EXIT_REFUSED, "attributes", "modify", "-i", parent, "--name", "none-yet", contains="no Name")

        # Delete: a whole attribute by name, a vendor attribute by value.
        r = self.out("attributes", "delete", "-i", uid, "--attribute", "name")
        self.assertEqual(r, f"Attribute deleted successfully\n      Unique identifier: {uid}\n      name\n")
        self.assertNotIn("Name", self.attrs(uid))
        self.out("delete-attribute", "-i", uid, "-v", "acme", "-n", "colour", "--attribute-value", "0a0b")
        self.assertNotIn("acme::colour", self.attrs(uid))
        self.fails(EXIT_REFUSED, "attributes", "delete", "-i", uid, "--attribute", "name", contains="no Name")

        # What kmsd refuses, with its reason: read-only attributes, a date of an Active key.
        self.fails(EXIT_REFUSED, "attributes", "set", "-i", uid, "--cryptographic-length", "128",
                   contains="read-only")
        self.fails(EXIT_REFUSED, "attributes", "set", "-i", uid, "-u", "encrypt", contains="read-only")
        self.fails(EXIT_REFUSED, "attributes", "set", "-i", uid, "-v", "cosmian", "-n", "wrapping_key_id",
                   "--attribute-value", "00", contains="server only")
        self.fails(EXIT_REFUSED, "attributes", "set", "-i", uid, "-d", str(int(time.time() * 1000) + 3600_000),
                   contains="PreActive")
        # Another user's key reads as missing.
        self.fails(EXIT_REFUSED, "attributes", "set", "-i", uid, "--name", "bob-was-here", env=self.as_bob())
        self.assertNotIn("Name", self.attrs(uid))
        # Bad command lines.
        self.fails(EXIT_USAGE, "attributes", "set", "-i", uid, contains="No attribute specified")
        self.fails(EXIT_USAGE, "attributes", "set", "-i", uid, "-u", "fly")
        self.fails(EXIT_USAGE, "attributes", "set", "-i", uid, "-v", "acme", "-n", "x", "--attribute-value", "zz",
                   contains="hexadecimal")
        self.fails(EXIT_USAGE, "attributes", "set", "-i", uid, "-a", "nosuch", contains="algorithm")
        self.fails(EXIT_USAGE, "attributes", "set", "--name", "x", contains="--key-id")
        # --tag selects the object, as in ckms.
        self.out("attributes", "set", "-t", "blue", "-t", "green", "--name", "by-tag")
        self.assertIn("by-tag", self.attrs(uid)["Name"])

    # -----------------------------------------------------------------------------------------
    # configure
    # -----------------------------------------------------------------------------------------

    def test_configure_from_flags(self):
        conf = self.dir / "sub" / "cli.toml"
        token = self.srv.tokens[ADMIN]
        env = self.env()
        del env["KMS_CLI_CONF"]
        r = self.kms("--conf", str(conf), "--url", self.srv.kmsd.url, "configure", "--access-token-stdin",
                     stdin=(token + "\n").encode(), env=env)
        self.assertEqual(r.stdout.decode(), f'The configuration was written to "{conf}"\n')
        self.assert_absent(token, r.stdout + r.stderr, "configure's output")
        self.assertEqual(conf.stat().st_mode & 0o777, 0o600)
        self.assertEqual((conf.parent.stat().st_mode & 0o077), 0)
        text = conf.read_text()
        self.assertEqual(toml(conf), {"http_config": {"server_url": self.srv.kmsd.url, "access_token": token}})
        # The next command reads it.
        self.uid_of(self.out("--conf", str(conf), "sym", "keys", "create", env=env))
        # Never replaced without --force (and left as it was).
        self.fails(EXIT_FILE, "--conf", str(conf), "--url", "http://127.0.0.1:1", "configure", "--no-prompt",
                   contains="--force", env=env)
        self.assertEqual(conf.read_text(), text)
        # --force, with the token in a file this time (named, not copied), and $KMS_CLI_CONF.
        token_file = self.dir / "token"
        token_file.write_text(token + "\n")
        env2 = self.env(KMS_CLI_CONF=str(conf))
        r = self.kms("configure", "--no-prompt", "--force", "--access-token-file", str(token_file), env=env2)
        self.assert_absent(token, r.stdout + r.stderr, "configure's output")
        self.assert_absent(token, conf.read_text(), "a file that names the token file")
        # server_url is kept from the file replaced.
        self.assertEqual(toml(conf), {"http_config": {"server_url": self.srv.kmsd.url,
                                                      "access_token_file": str(token_file)}})
        self.uid_of(self.out("sym", "keys", "create", env=env2))
        # The default file: ~/.config/kms/cli.toml.
        home = self.dir / "home"
        home.mkdir()
        env3 = {**env, "HOME": str(home)}
        self.out("--url", self.srv.kmsd.url, "configure", "--access-token-file", str(token_file), env=env3)
        default = home / ".config" / "kms" / "cli.toml"
        self.assertEqual(default.stat().st_mode & 0o777, 0o600)
        self.uid_of(self.out("sym", "keys", "create", env=env3))
        # TLS files: stored absolute (Config reads a relative path against the file's directory).
        for name in ("ca.pem", "alice.pem", "alice.key", "alice.p12", "p12-password"):
            (self.dir / name).write_text("p12-secret\n" if name == "p12-password" else "-\n")
        tls = self.dir / "tls.toml"
        r = self.kms("--conf", str(tls), "--url", "https://kms.example.com:9998", "--ca", "ca.pem", "--cert",
                     "alice.pem", "--key", "alice.key", "configure", env=env, cwd=self.dir)
        self.assertEqual(toml(tls)["http_config"], {
            "server_url": "https://kms.example.com:9998", "tls_server_ca_pem_path": str(self.dir / "ca.pem"),
            "tls_client_pem_cert_path": str(self.dir / "alice.pem"),
            "tls_client_pem_key_path": str(self.dir / "alice.key")})
        r = self.kms("--conf", str(tls), "configure", "--force", "--pkcs12", "alice.p12", "--pkcs12-password-file",
                     "p12-password", "--accept-invalid-certs", env=env, cwd=self.dir)
        self.assert_absent("p12-secret", r.stdout + r.stderr, "configure's output")
        self.assertEqual(toml(tls)["http_config"], {
            "server_url": "https://kms.example.com:9998", "tls_server_ca_pem_path": str(self.dir / "ca.pem"),
            "accept_invalid_certs": True, "ssl_client_pkcs12_path": str(self.dir / "alice.p12"),
            "ssl_client_pkcs12_password": "p12-secret"})
        self.assertEqual(tls.stat().st_mode & 0o777, 0o600)
        # --json; bad input: a missing CA file, a URL that is none.
        self.assertEqual(json.loads(self.out("--json", "--url", self.srv.kmsd.url, "configure", "--force",
                                             env=env3)), {"file": str(default)})
        self.fails(EXIT_FILE, "--ca", str(self.dir / "no-ca.pem"), "configure", "--force", env=env3,
                   contains="no-ca.pem")
        self.fails(EXIT_USAGE, "--url", "ftp://x", "configure", "--force", env=env3, contains="http")
        self.assertIn(self.srv.kmsd.url, default.read_text())

    def test_configure_at_the_prompt(self):
        """On a terminal: asks, does not echo the token typed, writes a file that works."""
        conf = self.dir / "tty.toml"
        token = self.srv.tokens[ADMIN]
        env = self.env()
        del env["KMS_CLI_CONF"]
        master, slave = pty.openpty()
        proc = subprocess.Popen([base.KMS, "--conf", str(conf), "configure"], stdin=slave, stdout=subprocess.PIPE,
                                stderr=slave, env=env)
        os.close(slave)
        seen = b""

        def wait_for(text: bytes) -> None:
            nonlocal seen
            deadline = time.time() + 20
            while text not in seen:
                self.assertLess(time.time(), deadline, f"no prompt {text!r}; the terminal shows {seen!r}")
                ready, _, _ = select.select([master], [], [], 0.5)
                if ready:
                    try:
                        seen += os.read(master, 4096)
                    except OSError:
                        break

        try:
            wait_for(b"Server URL")
            os.write(master, self.srv.kmsd.url.encode() + b"\n")
            wait_for(b"Access token: a file")
            os.write(master, b"=\n")
            wait_for(b"(not shown)")
            os.write(master, token.encode() + b"\n")
            stdout, _ = proc.communicate(timeout=30)
            time.sleep(0.2)
            while select.select([master], [], [], 0.2)[0]:
                try:
                    chunk = os.read(master, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                seen += chunk
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            os.close(master)
        self.assertEqual(proc.returncode, EXIT_OK, seen.decode(errors="replace"))
        self.assertEqual(stdout.decode(), f'The configuration was written to "{conf}"\n')
        self.assert_absent(token, seen, "the terminal: the token typed was echoed")
        self.assert_absent(token, stdout, "stdout")
        self.assertIn(self.srv.kmsd.url.encode(), seen)  # what is not secret is echoed
        self.assertEqual(conf.stat().st_mode & 0o777, 0o600)
        self.uid_of(self.out("--conf", str(conf), "sym", "keys", "create", env=env))

    # -----------------------------------------------------------------------------------------
    # hsm status, tokens, admin rewrap
    # -----------------------------------------------------------------------------------------

    def test_hsm_status(self):
        out = self.out("hsm", "status")
        lines = out.splitlines()
        self.assertEqual(lines[0].split(), ["INSTANCE", "MODEL", "AVAILABLE", "SLOT", "ACCESSIBLE", "TOKEN", "LABEL"])
        row = next(line for line in lines[1:] if str(self.srv.slot) in line.split())
        self.assertIn("softhsm2", row)
        self.assertIn(self.srv.hsm.tokens[0].label, row)
        status = json.loads(self.out("--json", "hsm", "status"))
        slots = [s for inst in status["instances"] for s in inst["slots"]]
        self.assertIn(self.srv.slot, [s["slot_id"] for s in slots])
        self.assertTrue(all(s["accessible"] for s in slots if s["slot_id"] == self.srv.slot))
        self.assert_absent(self.srv.hsm.tokens[0].pin, out, "hsm status")
        self.fails(EXIT_REFUSED, "hsm", "status", env=self.as_bob(), contains="403")

    def test_tokens(self):
        r = self.kms("tokens", "create", "--user", BOB)
        out = r.stdout.decode()
        token = re.search(r"Token: (\S+)", out).group(1)
        token_id = re.search(r"Token identifier: (\S+)", out).group(1)
        self.assertEqual(out, "The API token was created.\n"
                              f"      Token identifier: {token_id}\n      User: {BOB}\n      Token: {token}\n"
                              "It is shown only this once: keep it now.\n")
        self.assertEqual(r.stderr, b"")
        # It authenticates as Bob: what Bob was granted, and no more (only privileged users create).
        env = self.env(KMS_CLI_ACCESS_TOKEN=token)
        shared = self.create_sym()
        self.fails(EXIT_REFUSED, "get-attributes", "-i", shared, env=env)
        self.out("access-rights", "grant", BOB, shared, "get")
        self.assertEqual(self.attrs(shared, env=env)["CryptographicLength"], "256")
        self.fails(EXIT_REFUSED, "sym", "keys", "create", env=env, contains="privileged")
        # Listed, without its secret; --json shapes.
        listing = self.kms("tokens", "list")
        self.assertIn(token_id, listing.stdout.decode())
        self.assertIn(BOB, listing.stdout.decode())
        self.assert_absent(token.split(".", 1)[-1], listing.stdout + listing.stderr, "tokens list")
        tokens = json.loads(self.out("--json", "tokens", "list"))["tokens"]
        mine = next(t for t in tokens if t["id"] == token_id)
        self.assertEqual(mine["user"], BOB)
        self.assertNotIn("token", mine)
        self.assertNotIn("revoked", mine)
        # -q prints the token alone; --json the three fields.
        quiet = self.out("-q", "tokens", "create", "-u", BOB).strip()
        self.assertRegex(quiet, r"^kms_\S+$")
        created = json.loads(self.out("--json", "tokens", "create", "-u", BOB))
        self.assertEqual(sorted(created), ["id", "token", "user"])
        # Revoked: it no longer authenticates.
        r = self.kms("tokens", "revoke", token_id)
        self.assertEqual(r.stdout.decode(), f"The API token {token_id} was revoked.\n")
        err = self.fails(EXIT_REFUSED, "sym", "keys", "create", env=env, contains="authentication failed")
        self.assert_absent(token, err, "the refusal")
        listed = json.loads(self.out("--json", "tokens", "list"))["tokens"]
        self.assertIn("revoked", next(t for t in listed if t["id"] == token_id))
        self.fails(EXIT_REFUSED, "tokens", "revoke", token_id, contains="no active API token")
        self.assertEqual(json.loads(self.out("--json", "tokens", "revoke", created["id"])),
                         {"id": created["id"], "revoked": True})
        # Only privileged users manage tokens.
        self.fails(EXIT_REFUSED, "tokens", "create", "-u", BOB, env=self.as_bob(), contains="privileged")
        self.fails(EXIT_REFUSED, "tokens", "list", env=self.as_bob())
        self.fails(EXIT_USAGE, "tokens", "create")
        # The secret was printed by create only: list and revoke never show it.
        for args in (("tokens", "list"), ("--json", "tokens", "list")):
            r = self.kms(*args)
            self.assert_absent(token, r.stdout + r.stderr, "tokens list")
            self.assert_absent(created["token"], r.stdout + r.stderr, "tokens list")
        self.assert_absent(token, self.srv.kmsd.log_text(), "kmsd's log")

    def test_admin_rewrap(self):
        slot = self.srv.slot
        old, new = f"hsm::{slot}::kek-old", f"hsm::{slot}::kek-new"
        for kek in (old, new):
            self.out("sym", "keys", "create", "--sensitive", kek)
        uids = [self.create_sym("--wrapping-key-id", old) for _ in range(2)]
        src = self.dir / "data.txt"
        src.write_bytes(b"rewrapped and still readable")
        for uid in uids:
            self.out("sym", "encrypt", "-k", uid, "-o", str(self.dir / f"{uid}.enc"), str(src))
            self.assertIn("kek-old", self.attrs(uid, "-a", "cosmian::wrapping_key_id")["cosmian::wrapping_key_id"])
        r = self.kms("admin", "rewrap", "--from", old, "--to", new)
        self.assertEqual(r.stdout.decode(), f"2 key(s) re-wrapped from {old} to {new}.\n"
                                            "      Failed: 0\n      Remaining: 0\n")
        for uid in uids:
            self.assertIn("kek-new", self.attrs(uid)["cosmian::wrapping_key_id"])
        # The old key gone from the HSM, the keys still decrypt: they rest under the new one.
        self.out("sym", "keys", "destroy", "-k", old)
        for uid in uids:
            out = self.dir / f"{uid}.plain"
            self.out("sym", "decrypt", "-k", uid, "-o", str(out), str(self.dir / f"{uid}.enc"))
            self.assertEqual(out.read_bytes(), src.read_bytes())
        self.assertEqual(json.loads(self.out("--json", "admin", "rewrap", "-f", new, "-t", new, "-l", "5")),
                         {"from": new, "to": new, "rewrapped": 0, "failed": 0, "remaining": 0})
        self.fails(EXIT_REFUSED, "admin", "rewrap", "-f", new, "-t", old, env=self.as_bob())
        self.fails(EXIT_USAGE, "admin", "rewrap", "-f", new)
        self.fails(EXIT_USAGE, "admin", "rewrap", "-f", new, "-t", old, "-l", "-1")

    # -----------------------------------------------------------------------------------------
    # documentation
    # -----------------------------------------------------------------------------------------

    def test_every_command_is_documented(self):
        """Every command of `kms --help` (walked down) has a heading in docs/cli.md and an entry in
        the man page, and the bash completion offers each of its words. "`kms sym encrypt ...` and `kms sym decrypt`"
        and "sym encrypt|decrypt" name both."""
        doc_heads = [line for line in (REPO / "docs" / "cli.md").read_text().splitlines() if line.startswith("### ")]
        man = re.sub(r"\\f[BIR]", "", (REPO / "cli" / "kms.1").read_text()).replace("\\-", "-")
        man_entries = [line for line in man.splitlines() if line.startswith(".B ")]
        commands = []

        def walk(path: list[str]) -> None:
            text = self.out(*path, "--help")
            m = re.search(r"^Subcommands:\n((?:  \S.*\n?)+)", text, re.M)
            if not m:
                commands.append(path)
                return
            for line in m.group(1).splitlines():
                walk(path + [line.split()[0]])

        def named(lines: list[str], path: list[str], prefix: str) -> bool:
            head = (prefix + " ".join(path[:-1])).strip()
            last = re.compile(rf"(?<![\w-]){re.escape(path[-1])}(?![\w-])")
            return any(head in line and last.search(line[line.index(head) + len(head):]) for line in lines)

        walk([])
        self.assertGreater(len(commands), 25)
        for path in commands:
            with self.subTest(command=" ".join(path)):
                self.assertTrue(named(doc_heads, path, "kms "), "not in docs/cli.md")
                self.assertTrue(named(man_entries, path, ""), "not in cli/kms.1")
        # The completion offers each word of each command after the words before it.
        script = [f"source {shlex.quote(str(REPO / 'cli' / 'kms.bash-completion'))}",
                  't() { COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]}-1)); COMPREPLY=(); _kms;'
                  ' echo "${COMPREPLY[*]}"; }']
        asked = sorted({tuple(path[:depth]) for path in commands for depth in range(1, len(path) + 1)})
        script += [f"t kms {shlex.join(list(words[:-1]))} ''" for words in asked]
        r = subprocess.run(["bash", "-c", "\n".join(script)], capture_output=True, text=True, timeout=30)
        offered = r.stdout.splitlines()
        self.assertEqual(len(offered), len(asked), r.stderr)
        for words, line in zip(asked, offered):
            with self.subTest(completion=" ".join(words)):
                self.assertIn(words[-1], line.split())

if __name__ == "__main__":
    base.take_kms_arg()
    if not os.access(base.KMS, os.X_OK):
        sys.exit(f"the kms client is not built: {base.KMS} (pass --kms BIN)")
    main()
