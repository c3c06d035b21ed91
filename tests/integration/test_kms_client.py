#!/usr/bin/env python3
"""The `kms` command-line client against a real kmsd on a real SoftHSM2 token:

    test_kms_client.py --kmsd BUILD/core/kmsd --kms BUILD/cli/kms --plugins-dir BUILD/plugins [-v]

- DocumentLines: every `ckms` line of the HSM product documentation
  (../shared/product-docs/002_*.txt), with `kms` for the client's name, the token's slot for
  `4` and a temporary directory for `/tmp`, run as written; stdout compared with the sentences
  the documentation shows; the files round-tripped (the exported PEM read by openssl, the RSA
  and AES-GCM files decrypted back). The lines are written down here (DOC_LINES) and checked
  against the document when it is present (else that one check is skipped).
- Commands: the other commands over HTTP with a JWT bearer token from the configuration file
  (Cosmian's [http_config] keys): sym and rsa keys create / export (every format) / import /
  revoke / destroy, get-attributes, locate, server-version, --json, the exit codes, a wrong key,
  a tampered, a truncated file and a revoked key (a clear message, no output left behind),
  never an overwritten file without --force, never key bytes on stdout or stderr.
- Credentials: the token from KMS_CLI_ACCESS_TOKEN and from a token file; none at all.
- Https: kmsd over TLS with client certificates (the HSM admin is the certificate's user):
  PEM and PKCS#12 client credentials from the configuration file, the documentation's HSM
  flow over HTTPS, an unknown server CA (exit 3), accept_invalid_certs; and TLS with a bearer
  token.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))

from credentials import JwtUsers, Pki  # noqa: E402
from kmsd import Kmsd, default_binary  # noqa: E402
from servers import ADMIN, BOB, Server, hsm_args, main  # noqa: E402
from softhsm import SoftHsm  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
KMS: str = ""  # the client binary (--kms)

# The documentation's command lines and what it shows they print, in the documentation's
# words. The slot (4), /tmp and the client's name are substituted when they run.
DOC_LINES = [
    ("ckms rsa keys create --size_in_bits 4096 --sensitive hsm::4::mykey",
     "The RSA key pair has been created.\n"
     "      Public key unique identifier: hsm::4::mykey_pk\n"
     "      Private key unique identifier: hsm::4::mykey"),
    ("ckms rsa keys destroy --key-id hsm::4::mykey",
     "Successfully destroyed the key.\n"
     "      Unique identifier: hsm::4::mykey"),
    ("ckms rsa keys export --key-id hsm::4::mykey_pk --key-format pkcs8-pem /tmp/pubkey.pem",
     'The key hsm::4::mykey_pk of type PublicKey was exported to "/tmp/pubkey.pem"\n'
     "      Unique identifier: hsm::4::mykey_pk"),
    ("ckms rsa encrypt --key-id hsm::4::mykey_pk --encryption-algorithm ckm-rsa-pkcs-oaep /tmp/secret.pem",
     'The encrypted file is available at "/tmp/secret.enc"'),
    ("ckms rsa decrypt --key-id hsm::4::mykey --encryption-algorithm ckm-rsa-pkcs-oaep /tmp/secret.enc",
     'The decrypted file is available at "/tmp/secret.plain"'),
    ("ckms sym keys create --algorithm aes --number-of-bits 256 --sensitive "
     "--wrapping-key-id hsm::4::mykey_pk my_sym_key",
     "The symmetric key was successfully generated.\n"
     "      Unique identifier: my_sym_key"),
    ("ckms sym encrypt --key-id my_sym_key /tmp/secret.txt",
     'The encrypted file is available at "/tmp/secret.enc"'),
]
CREATE_RSA, DESTROY_RSA, EXPORT_PK, RSA_ENCRYPT, RSA_DECRYPT, CREATE_SYM, SYM_ENCRYPT = range(len(DOC_LINES))

SECRET_PEM = b"-----BEGIN SECRET-----\nc2VjcmV0IGZvciB0aGUgSFNNIGtleQ==\n-----END SECRET-----\n"
SECRET_TXT = b"a secret for the symmetric key wrapped by the HSM\n"

EXIT_OK, EXIT_REFUSED, EXIT_USAGE, EXIT_CONNECTION, EXIT_FILE, EXIT_BAD_DATA = 0, 1, 2, 3, 4, 5


def take_kms_arg() -> None:
    """Removes --kms BIN from sys.argv (default: build/cli/kms) into KMS."""
    global KMS
    argv = sys.argv[1:]
    rest = []
    idx = 0
    while idx < len(argv):
        if argv[idx] == "--kms" and idx + 1 < len(argv):
            KMS = argv[idx + 1]
            idx += 2
            continue
        rest.append(argv[idx])
        idx += 1
    sys.argv[1:] = rest
    KMS = os.path.abspath(KMS or os.environ.get("KMS_CLI_BIN", str(REPO / "build" / "cli" / "kms")))


def product_document() -> Path | None:
    """The HSM page of the product documentation: KMS_PRODUCT_DOCS_DIR, else ../shared/product-docs
    beside this checkout or beside the main checkout of this worktree."""
    roots = []
    if os.environ.get("KMS_PRODUCT_DOCS_DIR"):
        roots.append(Path(os.environ["KMS_PRODUCT_DOCS_DIR"]))
    roots.append(REPO.parent / "shared" / "product-docs")
    try:
        common = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--path-format=absolute", "--git-common-dir"],
                                capture_output=True, text=True, timeout=10).stdout.strip()
        if common:
            roots.append(Path(common).parent.parent / "shared" / "product-docs")
    except (OSError, subprocess.SubprocessError):
        pass
    for root in roots:
        for path in sorted(root.glob("002_*.txt")) if root.is_dir() else []:
            if "ckms rsa keys create" in path.read_text(errors="replace"):
                return path
    return None


def document_lines(text: str) -> list[tuple[str, str]]:
    """(command, output) of each `❯ ckms ...` of the document's shell blocks; a command line
    ending in a backslash goes on on the next line."""
    out = []
    for block in re.findall(r"```shell\n(.*?)```", text, re.S):
        lines = block.splitlines()
        idx = 0
        while idx < len(lines):
            line = lines[idx]
            if not line.startswith("❯ ckms"):
                idx += 1
                continue
            command = line[2:]
            while command.endswith("\\"):
                idx += 1
                command = command[:-1].rstrip() + " " + lines[idx].strip()
            idx += 1
            output = []
            while idx < len(lines) and not lines[idx].startswith("❯"):
                output.append(lines[idx])
                idx += 1
            out.append((command.strip(), "\n".join(output).rstrip()))
    return out


class ClientCase(unittest.TestCase):
    """Runs the client with an environment of the test's own (HOME and KMS_CLI_CONF in `tmp`)."""

    tmp: Path
    conf: Path

    @classmethod
    def make_tmp(cls, prefix: str) -> None:
        cls.tmp = Path(tempfile.mkdtemp(prefix=f"kms-client-{prefix}-"))
        cls.conf = cls.tmp / "cli.toml"

    @classmethod
    def start_on_softhsm(cls, prefix: str, extra_args: list[str] | None = None) -> None:
        """A temporary directory, a kmsd on a SoftHSM2 token, and a configuration file with the
        admin's token: what most client test classes start from."""
        cls.make_tmp(prefix)
        cls.srv = Server.on_softhsm(f"kms-{prefix}", **({"extra_args": extra_args} if extra_args else {}))
        cls.write_conf(server_url=cls.srv.kmsd.url, access_token=cls.srv.tokens[ADMIN])

    @classmethod
    def tearDownClass(cls):
        cls.srv.close()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def new_dir(self) -> Path:
        """A fresh directory of this test's own, under the class's temporary directory."""
        return Path(tempfile.mkdtemp(dir=self.tmp))

    @classmethod
    def write_conf(cls, **keys) -> Path:
        lines = ["[http_config]"]
        for key, value in keys.items():
            lines.append(f"{key} = {json.dumps(value)}")
        cls.conf.write_text("\n".join(lines) + "\n")
        return cls.conf

    def env(self, **more: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("KMS_CLI")}
        env["HOME"] = str(self.tmp)
        env["KMS_CLI_CONF"] = str(self.conf)
        env.update(more)
        return env

    def kms(self, *args: str, code: int | None = EXIT_OK, env: dict | None = None,
            stdin: bytes | None = None) -> subprocess.CompletedProcess:
        r = subprocess.run([KMS, *args], capture_output=True, timeout=180, env=env or self.env(),
                           input=stdin, stdin=None if stdin is not None else subprocess.DEVNULL)
        if code is not None:
            self.assertEqual(r.returncode, code, f"kms {shlex.join(args)}: exit {r.returncode}\n"
                                                 f"stdout: {r.stdout.decode(errors='replace')}\n"
                                                 f"stderr: {r.stderr.decode(errors='replace')}")
        return r

    def out(self, *args: str, **kw) -> str:
        return self.kms(*args, **kw).stdout.decode()

    def fails(self, code: int, *args: str, contains: str = "", **kw) -> str:
        r = self.kms(*args, code=code, **kw)
        err = r.stderr.decode()
        self.assertEqual(len(err.strip().splitlines()), 1, f"the error is not one line: {err!r}")
        self.assertTrue(err.startswith("kms: error: "), err)
        if contains:
            self.assertIn(contains, err)
        return err

    @staticmethod
    def uid_of(text: str) -> str:
        m = re.search(r"Unique identifier: (\S+)", text)
        assert m, f"no 'Unique identifier:' line in {text!r}"
        return m.group(1)


# ---------------------------------------------------------------------------------------------
# The documentation's lines
# ---------------------------------------------------------------------------------------------

class DocumentLines(ClientCase):
    """The documentation's lines on a kmsd whose HSM admin authenticates with a JWT."""

    @classmethod
    def setUpClass(cls):
        cls.make_tmp("doc")
        cls.srv = Server.on_softhsm("kms-doc")
        cls.write_conf(server_url=cls.srv.kmsd.url, access_token=cls.srv.tokens[ADMIN])
        cls.work = cls.tmp / "files"
        cls.work.mkdir()

    def substituted(self, text: str) -> str:
        return text.replace("hsm::4::", f"hsm::{self.srv.slot}::").replace("/tmp/", f"{self.work}/")

    def run_line(self, index: int, *more: str) -> subprocess.CompletedProcess:
        """Runs DOC_LINES[index] (then `more` arguments) and compares its output with the
        document's. An RSA-OAEP line that the token refuses for its hash (SoftHSM2 does OAEP with
        SHA-1 only; the documented HSM fixes SHA-256) is skipped, and noted in self.sha1_only."""
        command, expected = DOC_LINES[index]
        argv = shlex.split(self.substituted(command))
        self.assertEqual(argv[0], "ckms")
        r = self.kms(*argv[1:], *more, code=None)
        if r.returncode == EXIT_REFUSED and b"SHA-1 only" in r.stderr and not more:
            self.sha1_only = True
            self.skipTest(f"the token refuses RSA-OAEP with SHA-256: {r.stderr.decode().strip()}")
        self.assertEqual(r.returncode, EXIT_OK, f"{command}: {r.stderr.decode(errors='replace')}")
        self.assertEqual(r.stdout.decode(), self.substituted(expected) + "\n", command)
        self.assertEqual(r.stderr, b"", command)
        return r

    def test_lines_are_the_documents(self):
        doc = product_document()
        if doc is None:
            self.skipTest("the product documentation is not here (KMS_PRODUCT_DOCS_DIR)")
        self.assertEqual(document_lines(doc.read_text()), DOC_LINES)

    def test_the_documented_flow(self):
        """The lines in an order that works: the private key is destroyed last."""
        (self.work / "secret.pem").write_bytes(SECRET_PEM)
        (self.work / "secret.txt").write_bytes(SECRET_TXT)
        with self.subTest(DOC_LINES[CREATE_RSA][0]):
            self.run_line(CREATE_RSA)
        with self.subTest(DOC_LINES[EXPORT_PK][0]):
            self.run_line(EXPORT_PK)
            pem = self.work / "pubkey.pem"
            self.assertTrue(pem.read_text().startswith("-----BEGIN PUBLIC KEY-----\n"))
            text = subprocess.run(["openssl", "pkey", "-pubin", "-in", str(pem), "-noout", "-text"],
                                  capture_output=True, text=True, timeout=30)
            self.assertEqual(text.returncode, 0, text.stderr)
            self.assertIn("4096 bit", text.stdout)
            # Exporting again to the same file is refused and leaves the file as it was.
            before = pem.read_bytes()
            argv = shlex.split(self.substituted(DOC_LINES[EXPORT_PK][0]))[1:]
            self.fails(EXIT_FILE, *argv, contains="--force")
            self.assertEqual(pem.read_bytes(), before)
            # The private key is sensitive: the HSM never lets it out.
            self.fails(EXIT_REFUSED, "rsa", "keys", "export", "--key-id", f"hsm::{self.srv.slot}::mykey",
                       "--key-format", "pkcs8-pem", str(self.work / "private.pem"), contains="sensitive")
            self.assertFalse((self.work / "private.pem").exists())
        self.sha1_only = False
        with self.subTest(DOC_LINES[RSA_ENCRYPT][0]):
            self.run_line(RSA_ENCRYPT)
        if self.sha1_only:
            with self.subTest(DOC_LINES[RSA_ENCRYPT][0] + " --hashing-algorithm sha1"):
                self.assertFalse((self.work / "secret.enc").exists(), "a refused encryption left its output")
                self.run_line(RSA_ENCRYPT, "--hashing-algorithm", "sha1")
        with self.subTest("the RSA ciphertext"):
            self.assertEqual(len((self.work / "secret.enc").read_bytes()), 512)
            self.assertNotIn(SECRET_PEM, (self.work / "secret.enc").read_bytes())
        with self.subTest(DOC_LINES[RSA_DECRYPT][0]):
            self.run_line(RSA_DECRYPT)
        if self.sha1_only:
            with self.subTest(DOC_LINES[RSA_DECRYPT][0] + " --hashing-algorithm sha1"):
                self.run_line(RSA_DECRYPT, "--hashing-algorithm", "sha1")
        with self.subTest("the RSA plaintext"):
            self.assertEqual((self.work / "secret.plain").read_bytes(), SECRET_PEM)
        with self.subTest(DOC_LINES[CREATE_SYM][0]):
            # Needs kmsd to honour a client-chosen UniqueIdentifier for database objects.
            self.run_line(CREATE_SYM)
        with self.subTest(DOC_LINES[SYM_ENCRYPT][0]):
            # secret.enc is the RSA line's: the client does not overwrite it ...
            argv = shlex.split(self.substituted(DOC_LINES[SYM_ENCRYPT][0]))[1:]
            rsa_ciphertext = (self.work / "secret.enc").read_bytes()
            self.fails(EXIT_FILE, *argv, contains="exists")
            self.assertEqual((self.work / "secret.enc").read_bytes(), rsa_ciphertext)
            # ... so it goes, as a user would move it away, and the line runs as written.
            (self.work / "secret.enc").unlink()
            self.run_line(SYM_ENCRYPT)
            data = (self.work / "secret.enc").read_bytes()
            self.assertEqual(len(data), 12 + len(SECRET_TXT) + 16)  # nonce, ciphertext, tag
            (self.work / "secret.plain").unlink()
            out = self.out("sym", "decrypt", "--key-id", "my_sym_key", str(self.work / "secret.enc"))
            self.assertEqual(out, f'The decrypted file is available at "{self.work}/secret.plain"\n')
            self.assertEqual((self.work / "secret.plain").read_bytes(), SECRET_TXT)
        with self.subTest("the same symmetric key under the UID the server chooses"):
            out = self.out("sym", "keys", "create", "--algorithm", "aes", "--number-of-bits", "256", "--sensitive",
                           "--wrapping-key-id", f"hsm::{self.srv.slot}::mykey_pk")
            uid = self.uid_of(out)
            self.assertTrue(out.startswith("The symmetric key was successfully generated.\n"), out)
            src = self.work / "other.txt"
            src.write_bytes(SECRET_TXT)
            self.out("sym", "encrypt", "-k", uid, str(src))
            self.assertEqual(len((self.work / "other.enc").read_bytes()), 12 + len(SECRET_TXT) + 16)
            self.out("sym", "decrypt", "-k", uid, str(self.work / "other.enc"))
            self.assertEqual((self.work / "other.plain").read_bytes(), SECRET_TXT)
            # Sensitive: its clear value never leaves the KMS.
            self.fails(EXIT_REFUSED, "sym", "keys", "export", "-k", uid, "-f", "raw", "--unwrap",
                       str(self.work / "never.key"))
            self.assertFalse((self.work / "never.key").exists())
        with self.subTest(DOC_LINES[DESTROY_RSA][0]):
            self.run_line(DESTROY_RSA)
            self.fails(EXIT_REFUSED, "rsa", "decrypt", "-k", f"hsm::{self.srv.slot}::mykey",
                       "-o", str(self.work / "after-destroy"), str(self.work / "other.enc"))
            self.assertFalse((self.work / "after-destroy").exists())


# ---------------------------------------------------------------------------------------------
# The other commands, over HTTP with a bearer token
# ---------------------------------------------------------------------------------------------

class Commands(ClientCase):
    @classmethod
    def setUpClass(cls):
        cls.start_on_softhsm("cmd")

    def setUp(self):
        self.dir = self.new_dir()

    def create_sym(self, *more: str) -> str:
        return self.uid_of(self.out("sym", "keys", "create", *more))

    def test_server_version(self):
        status, version = self.srv.kmsd.get("/version")
        self.assertEqual(status, 200)
        self.assertEqual(self.out("server-version"), f"{version}\n")
        self.assertEqual(json.loads(self.out("--json", "server-version")), {"version": version})

    def test_sym_key_lifecycle_and_formats(self):
        uid = self.create_sym("-l", "256", "-t", "alpha", "-t", "beta")
        raw = self.dir / "k.raw"
        r = self.kms("sym", "keys", "export", "-k", uid, "-f", "raw", str(raw))
        key = raw.read_bytes()
        self.assertEqual(len(key), 32)
        self.assertEqual(r.stdout.decode(), f'The key {uid} of type SymmetricKey was exported to "{raw}"\n'
                                            f"      Unique identifier: {uid}\n")
        for secret in (key, key.hex().encode(), base64.b64encode(key)):
            self.assertNotIn(secret, r.stdout + r.stderr)
        b64 = self.dir / "k.b64"
        self.out("sym", "keys", "export", "-k", uid, "-f", "base64", str(b64))
        self.assertEqual(base64.b64decode(b64.read_text()), key)
        ttlv = self.dir / "k.json"
        self.out("sym", "keys", "export", "-k", uid, str(ttlv))
        obj = json.loads(ttlv.read_text())
        self.assertEqual(obj["tag"], "SymmetricKey")
        self.assertIn(key.hex().upper(), ttlv.read_text().upper())
        # The key file is the owner's alone.
        self.assertEqual(raw.stat().st_mode & 0o077, 0)

        # Encrypt here, decrypt with Python's AES-GCM when python3-cryptography is installed:
        # the file is nonce (12) || ciphertext || tag (16), as ckms writes it.
        plain = self.dir / "msg.txt"
        plain.write_bytes(b"x" * 1000)
        self.out("sym", "encrypt", "-k", uid, str(plain))
        data = (self.dir / "msg.enc").read_bytes()
        self.assertEqual(len(data), 12 + 1000 + 16)
        try:
            from cryptography.hazmat.primitives.ciphers.aead import AESGCM
            self.assertEqual(AESGCM(key).decrypt(data[:12], data[12:], None), b"x" * 1000)
        except ImportError:
            pass

        # Tags find the key; locate by tag, algorithm, length.
        found = self.out("locate", "-t", "alpha", "-t", "beta")
        self.assertEqual(found, f"List of unique identifiers:\n{uid}\n")
        self.assertIn(uid, json.loads(self.out("--json", "locate", "-a", "aes", "-l", "256"))["unique_identifiers"])
        self.assertEqual(self.out("locate", "-t", "no-such-tag"), "No object found.\n")
        by_type = json.loads(self.out("--json", "locate", "--object-type", "symmetric-key", "-f", "raw"))
        self.assertIn(uid, by_type["unique_identifiers"])
        self.assertNotIn(uid, json.loads(self.out("--json", "locate", "-a", "rsa"))["unique_identifiers"])
        self.fails(EXIT_USAGE, "locate", "-f", "no-such-format", contains="KeyFormatType")
        self.out("sym", "encrypt", "-t", "alpha", "-t", "beta", "-o", str(self.dir / "by-tag.enc"), str(plain))

        attrs = json.loads(self.out("--json", "get-attributes", "-i", uid))
        self.assertEqual(attrs["unique_identifier"], uid)
        self.assertEqual(attrs["attributes"]["CryptographicAlgorithm"], "AES")
        self.assertEqual(attrs["attributes"]["CryptographicLength"], "256")
        human = self.out("get-attributes", "-i", uid, "-a", "cryptographic-length")
        self.assertEqual(human, f"Attributes of {uid}:\n      CryptographicLength: 256\n")
        tags = json.loads(self.out("--json", "get-attributes", "-i", uid, "-a", "tags"))["attributes"]
        self.assertEqual(json.loads(tags["cosmian::tag"]), ["alpha", "beta"])
        self.assertNotIn(key.hex(), self.out("get-attributes", "-i", uid).lower())

        # Import the raw bytes and the JSON TTLV back, under new UIDs; both decrypt the file.
        imported = self.uid_of(self.out("sym", "keys", "import", "-f", "aes", str(raw)))
        imported_json = self.uid_of(self.out("sym", "keys", "import", str(ttlv)))
        for other in (imported, imported_json):
            self.assertNotEqual(other, uid)
            out = self.dir / f"{other}.plain"
            self.out("sym", "decrypt", "-k", other, "-o", str(out), str(self.dir / "msg.enc"))
            self.assertEqual(out.read_bytes(), b"x" * 1000)

        # Revoke: no more encryption; destroy.
        self.assertEqual(self.out("sym", "keys", "revoke", "-k", uid, "compromised"),
                         f"Successfully revoked the key.\n      Unique identifier: {uid}\n")
        self.fails(EXIT_REFUSED, "sym", "encrypt", "-k", uid, "-o", str(self.dir / "revoked.enc"), str(plain))
        self.assertFalse((self.dir / "revoked.enc").exists())
        self.assertEqual(self.out("sym", "keys", "destroy", "-k", uid),
                         f"Successfully destroyed the key.\n      Unique identifier: {uid}\n")

    def test_decrypt_failures_leave_no_output(self):
        uid = self.create_sym()
        other = self.create_sym()
        plain = self.dir / "m.txt"
        plain.write_bytes(b"attack at dawn")
        self.out("sym", "encrypt", "-k", uid, str(plain))
        enc = self.dir / "m.enc"
        data = enc.read_bytes()
        target = self.dir / "out.plain"
        # A wrong key.
        self.fails(EXIT_REFUSED, "sym", "decrypt", "-k", other, "-o", str(target), str(enc))
        self.assertFalse(target.exists())
        # A tampered file (one bit of the ciphertext).
        tampered = self.dir / "tampered.enc"
        tampered.write_bytes(data[:12] + bytes([data[12] ^ 1]) + data[13:])
        self.fails(EXIT_REFUSED, "sym", "decrypt", "-k", uid, "-o", str(target), str(tampered))
        self.assertFalse(target.exists())
        # A truncated file: too short to hold a nonce and a tag, then one byte short.
        short = self.dir / "short.enc"
        short.write_bytes(data[:20])
        self.fails(EXIT_BAD_DATA, "sym", "decrypt", "-k", uid, "-o", str(target), str(short), contains="too short")
        short.write_bytes(data[:-1])
        self.fails(EXIT_REFUSED, "sym", "decrypt", "-k", uid, "-o", str(target), str(short))
        self.assertFalse(target.exists())
        self.assertEqual([p.name for p in self.dir.iterdir() if p.name.startswith(".")], [])
        # The right key, then --force over an existing file.
        target.write_bytes(b"old")
        self.fails(EXIT_FILE, "sym", "decrypt", "-k", uid, "-o", str(target), str(enc), contains="--force")
        self.assertEqual(target.read_bytes(), b"old")
        self.out("sym", "decrypt", "-k", uid, "-o", str(target), "--force", str(enc))
        self.assertEqual(target.read_bytes(), b"attack at dawn")

    def test_file_above_the_server_limit(self):
        """5 MiB sent whole (--no-envelope), hex in JSON, pass kmsd's default 8 MiB body limit:
        refused, said why, no output. (Without it, the file is envelope-encrypted:
        test_kms_client_files.py.)"""
        uid = self.create_sym()
        big = self.dir / "big.bin"
        big.write_bytes(os.urandom(5 << 20))
        self.fails(EXIT_REFUSED, "sym", "encrypt", "-k", uid, "--no-envelope", str(big), contains="size limit")
        self.assertFalse((self.dir / "big.enc").exists())

    def test_empty_and_one_byte_files_and_streams(self):
        uid = self.create_sym()
        for size in (0, 1, 65536):
            with self.subTest(size=size):
                src = self.dir / f"f{size}.bin"
                body = os.urandom(size)
                src.write_bytes(body)
                self.out("sym", "encrypt", "-k", uid, str(src))
                self.assertEqual(len((self.dir / f"f{size}.enc").read_bytes()), 12 + size + 16)
                self.out("sym", "decrypt", "-k", uid, str(self.dir / f"f{size}.enc"))
                self.assertEqual((self.dir / f"f{size}.plain").read_bytes(), body)
        # stdin to stdout: the data alone on stdout, the sentence on stderr.
        r = self.kms("sym", "encrypt", "-k", uid, "-o", "-", "-", stdin=b"streamed")
        self.assertEqual(len(r.stdout), 12 + 8 + 16)
        r2 = self.kms("sym", "decrypt", "-k", uid, "-o", "-", "-", stdin=r.stdout)
        self.assertEqual(r2.stdout, b"streamed")
        # With AAD: needed again to decrypt.
        src = self.dir / "aad.txt"
        src.write_bytes(b"with aad")
        self.out("sym", "encrypt", "-k", uid, "-a", "context-1", str(src))
        self.fails(EXIT_REFUSED, "sym", "decrypt", "-k", uid, "-o", str(self.dir / "no-aad"), str(self.dir / "aad.enc"))
        self.out("sym", "decrypt", "-k", uid, "-a", "context-1", str(self.dir / "aad.enc"))
        self.assertEqual((self.dir / "aad.plain").read_bytes(), b"with aad")

    def test_rsa_software_keys(self):
        out = self.out("rsa", "keys", "create", "-s", "2048", "-t", "rsa-test")
        private = re.search(r"Private key unique identifier: (\S+)", out).group(1)
        public = re.search(r"Public key unique identifier: (\S+)", out).group(1)
        self.assertTrue(out.startswith("The RSA key pair has been created.\n"), out)
        formats = {"pkcs1-pem": "-----BEGIN RSA PUBLIC KEY-----", "pkcs8-pem": "-----BEGIN PUBLIC KEY-----",
                   "spki-pem": "-----BEGIN PUBLIC KEY-----"}
        for fmt, head in formats.items():
            path = self.dir / f"pub.{fmt}"
            self.out("rsa", "keys", "export", "-k", public, "-f", fmt, str(path))
            self.assertTrue(path.read_text().startswith(head), fmt)
        der = self.dir / "pub.der"
        self.out("rsa", "keys", "export", "-k", public, "-f", "spki-der", str(der))
        check = subprocess.run(["openssl", "pkey", "-pubin", "-inform", "DER", "-in", str(der), "-noout"],
                               capture_output=True, timeout=30)
        self.assertEqual(check.returncode, 0, check.stderr)
        priv_pem = self.dir / "priv.pem"
        r = self.kms("rsa", "keys", "export", "-k", private, "-f", "pkcs8-pem", str(priv_pem))
        self.assertTrue(priv_pem.read_text().startswith("-----BEGIN PRIVATE KEY-----"))
        self.assertNotIn(b"PRIVATE KEY", r.stdout + r.stderr)

        # OAEP and PKCS#1 v1.5 round trips, and OpenSSL decrypts what kmsd encrypted (OAEP SHA-256).
        msg = self.dir / "m.bin"
        msg.write_bytes(b"rsa message")
        self.out("rsa", "encrypt", "-k", public, "-e", "ckm-rsa-pkcs-oaep", str(msg))
        dec = subprocess.run(["openssl", "pkeyutl", "-decrypt", "-inkey", str(priv_pem), "-in", str(self.dir / "m.enc"),
                              "-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:sha256",
                              "-pkeyopt", "rsa_mgf1_md:sha256"], capture_output=True, timeout=30)
        self.assertEqual(dec.stdout, b"rsa message", dec.stderr)
        self.out("rsa", "decrypt", "-k", private, str(self.dir / "m.enc"))
        self.assertEqual((self.dir / "m.plain").read_bytes(), b"rsa message")

        # Import the PEM public key back, and encrypt with it.
        imported = self.uid_of(self.out("rsa", "keys", "import", "-f", "pem", str(self.dir / "pub.pkcs8-pem")))
        self.out("rsa", "encrypt", "-k", imported, "-o", str(self.dir / "m2.enc"), str(msg))
        self.out("rsa", "decrypt", "-k", private, "-o", str(self.dir / "m2.plain"), str(self.dir / "m2.enc"))
        self.assertEqual((self.dir / "m2.plain").read_bytes(), b"rsa message")
        named = self.out("rsa", "keys", "import", "-f", "pem", str(priv_pem), "imported-private-key")
        self.assertIn("Unique identifier: ", named)

        # Signatures: kmsd signs (PSS, SHA-256), kmsd and OpenSSL verify; a changed file does not verify.
        self.assertEqual(self.out("rsa", "sign", "-k", private, str(msg)),
                         f'The signature is available at "{msg}.sig"\n')
        self.assertEqual(self.out("rsa", "verify", "-k", public, str(msg), f"{msg}.sig"), "The signature is valid.\n")
        ossl = subprocess.run(["openssl", "dgst", "-sha256", "-sigopt", "rsa_padding_mode:pss", "-sigopt",
                               "rsa_pss_saltlen:-1", "-verify", str(self.dir / "pub.pkcs8-pem"), "-signature",
                               f"{msg}.sig", str(msg)], capture_output=True, text=True, timeout=30)
        self.assertEqual(ossl.returncode, 0, ossl.stdout + ossl.stderr)
        changed = self.dir / "changed.bin"
        changed.write_bytes(b"rsa messagf")
        self.fails(EXIT_REFUSED, "rsa", "verify", "-k", public, str(changed), f"{msg}.sig", contains="does not verify")
        self.out("rsa", "sign", "-k", private, "-a", "pkcs1v15", "-o", str(self.dir / "v15.sig"), str(msg))
        self.out("rsa", "verify", "-k", public, "-a", "pkcs1v15", str(msg), str(self.dir / "v15.sig"))
        self.fails(EXIT_REFUSED, "rsa", "verify", "-k", public, str(msg), str(self.dir / "v15.sig"))

        # A revoked public key encrypts no more (a revoked private key may still decrypt: KMIP).
        self.out("rsa", "keys", "revoke", "-k", public, "test over")
        self.fails(EXIT_REFUSED, "rsa", "encrypt", "-k", public, "-o", str(self.dir / "m3"), str(msg))
        self.assertFalse((self.dir / "m3").exists())
        self.out("rsa", "keys", "revoke", "-k", private, "test over")
        self.out("rsa", "keys", "destroy", "-k", private)
        self.fails(EXIT_REFUSED, "rsa", "decrypt", "-k", private, "-o", str(self.dir / "m4"), str(self.dir / "m.enc"))
        self.assertFalse((self.dir / "m4").exists())

    def test_hsm_aes_key(self):
        uid = f"hsm::{self.srv.slot}::aes-cli"
        self.assertEqual(self.out("sym", "keys", "create", "--number-of-bits", "256", "--sensitive", uid),
                         f"The symmetric key was successfully generated.\n      Unique identifier: {uid}\n")
        src = self.dir / "hsm.txt"
        src.write_bytes(b"encrypted inside the HSM")
        self.out("sym", "encrypt", "-k", uid, str(src))
        self.assertEqual(len((self.dir / "hsm.enc").read_bytes()), 12 + 24 + 16)
        self.out("sym", "decrypt", "-k", uid, str(self.dir / "hsm.enc"))
        self.assertEqual((self.dir / "hsm.plain").read_bytes(), b"encrypted inside the HSM")
        self.fails(EXIT_REFUSED, "sym", "keys", "export", "-k", uid, "-f", "raw", str(self.dir / "hsm.key"))
        self.assertFalse((self.dir / "hsm.key").exists())
        self.out("sym", "keys", "destroy", "-k", uid)
        self.fails(EXIT_REFUSED, "sym", "encrypt", "-k", uid, "-o", str(self.dir / "gone.enc"), str(src))

    def test_access_rights(self):
        uid = self.create_sym()
        bob = self.env(KMS_CLI_ACCESS_TOKEN=self.srv.tokens[BOB])
        src = self.dir / "shared.txt"
        src.write_bytes(b"for bob")
        self.fails(EXIT_REFUSED, "sym", "encrypt", "-k", uid, "-o", str(self.dir / "no.enc"), str(src), env=bob)
        out = self.out("access-rights", "grant", BOB, uid, "encrypt", "decrypt")
        self.assertTrue(out.startswith(f"Granted encrypt, decrypt on {uid} to {BOB}.\n"), out)
        self.out("sym", "encrypt", "-k", uid, str(src), env=bob)
        listed = json.loads(self.out("--json", "access-rights", "list", uid))
        self.assertEqual([(x["user_id"], sorted(x["operations"])) for x in listed], [(BOB, ["decrypt", "encrypt"])])
        self.assertIn(f"{BOB}: ", self.out("access-rights", "list", uid))
        obtained = json.loads(self.out("--json", "access-rights", "obtained", env=bob))
        self.assertIn(uid, [x["object_id"] for x in obtained])
        self.assertIn(uid, self.out("access-rights", "owned"))
        self.assertTrue(self.out("access-rights", "revoke", BOB, uid, "encrypt").startswith(
            f"Revoked encrypt on {uid} from {BOB}.\n"))
        self.fails(EXIT_REFUSED, "sym", "encrypt", "-k", uid, "-o", str(self.dir / "no2.enc"), str(src), env=bob)
        self.out("sym", "decrypt", "-k", uid, str(self.dir / "shared.enc"), env=bob)
        self.assertEqual((self.dir / "shared.plain").read_bytes(), b"for bob")
        self.fails(EXIT_USAGE, "access-rights", "grant", BOB, uid, "fly")
        # Every right kmsd checks, in the spellings ckms users write, reaches the server normalised.
        self.out("access-rights", "grant", BOB, uid, "Get_Attributes", "SignatureVerify", "mac")
        listed = json.loads(self.out("--json", "access-rights", "list", uid))
        self.assertEqual([(x["user_id"], sorted(x["operations"])) for x in listed],
                         [(BOB, ["decrypt", "getattributes", "mac", "signatureverify"])])

    def test_json_output(self):
        created = json.loads(self.out("--json", "sym", "keys", "create"))
        self.assertEqual(set(created), {"unique_identifier"})
        pair = json.loads(self.out("--json", "rsa", "keys", "create", "-s", "2048"))
        self.assertEqual(set(pair), {"public_key_unique_identifier", "private_key_unique_identifier"})
        err = self.kms("--json", "sym", "keys", "destroy", "-k", "no-such-key", code=EXIT_REFUSED).stderr
        parsed = json.loads(err)
        self.assertEqual(parsed["exit_code"], EXIT_REFUSED)
        self.assertEqual(parsed["kind"], "server_refused")
        self.assertIn("no-such-key", parsed["error"])
        self.assertEqual(self.out("-q", "sym", "keys", "create"), "")

    def test_exit_codes(self):
        self.fails(EXIT_USAGE, "sym", "keys", "create", "--number-of-bits", "100")
        self.fails(EXIT_USAGE, "sym", "no-such-command")
        self.fails(EXIT_USAGE, "sym", "keys", "destroy", contains="--key-id")
        self.fails(EXIT_REFUSED, "sym", "keys", "destroy", "-k", "no-such-key", contains="not_found")
        self.fails(EXIT_FILE, "sym", "encrypt", "-k", "x", str(self.dir / "missing.txt"), contains="missing.txt")
        self.fails(EXIT_CONNECTION, "--url", "http://127.0.0.1:1", "server-version", contains="cannot reach")
        self.fails(EXIT_USAGE, "--url", "ftp://127.0.0.1:1", "server-version")
        self.assertEqual(self.kms("--help").returncode, 0)
        self.assertIn("--wrapping-key-id", self.out("sym", "keys", "create", "--help"))


class Credentials(ClientCase):
    """Where the bearer token comes from; a configuration file that is wrong."""

    @classmethod
    def setUpClass(cls):
        cls.make_tmp("cred")
        cls.srv = Server.on_softhsm("kms-cred")

    def test_token_sources(self):
        self.write_conf(server_url=self.srv.kmsd.url)
        self.fails(EXIT_REFUSED, "sym", "keys", "create", contains="authentication failed")
        token = self.srv.tokens[BOB]
        self.out("sym", "keys", "create", env=self.env(KMS_CLI_ACCESS_TOKEN=token))
        token_file = self.tmp / "token"
        token_file.write_text(token + "\n")
        token_file.chmod(0o600)
        self.out("sym", "keys", "create", env=self.env(KMS_CLI_ACCESS_TOKEN_FILE=str(token_file)))
        self.write_conf(server_url=self.srv.kmsd.url, access_token_file="token")  # relative to the file
        self.out("sym", "keys", "create")
        # BOB is not the HSM admin: kmsd refuses him an HSM key.
        self.fails(EXIT_REFUSED, "rsa", "keys", "create", "-s", "2048", f"hsm::{self.srv.slot}::bobs")
        # The token never shows in the output or in an error.
        r = self.kms("sym", "keys", "destroy", "-k", "nothing", code=EXIT_REFUSED)
        self.assertNotIn(token.encode(), r.stdout + r.stderr)

    def test_default_file_and_bad_files(self):
        home = self.tmp / "home"
        (home / ".config" / "kms").mkdir(parents=True)
        (home / ".config" / "kms" / "cli.toml").write_text(
            f'[http_config]\nserver_url = "{self.srv.kmsd.url}"\naccess_token = "{self.srv.tokens[ADMIN]}"\n')
        env = self.env(HOME=str(home))
        del env["KMS_CLI_CONF"]
        self.out("sym", "keys", "create", env=env)
        self.fails(EXIT_USAGE, "server-version", env=self.env(KMS_CLI_CONF=str(self.tmp / "nope.toml")),
                   contains="does not exist")
        bad = self.tmp / "bad.toml"
        bad.write_text("[http_config]\nserver_url = \n")
        self.fails(EXIT_USAGE, "server-version", env=self.env(KMS_CLI_CONF=str(bad)))
        bad.write_text("[http_config]\naccept_invalid_certs = \"yes\"\n")
        self.fails(EXIT_USAGE, "server-version", env=self.env(KMS_CLI_CONF=str(bad)), contains="accept_invalid_certs")


# ---------------------------------------------------------------------------------------------
# HTTPS
# ---------------------------------------------------------------------------------------------

ADMIN_CERT_USER = "hsmadmin@example.com"


class Https(ClientCase):
    """kmsd over TLS, users named by their client certificate's e-mail; the HSM admin is one."""

    @classmethod
    def setUpClass(cls):
        cls.make_tmp("tls")
        cls.pki = Pki(cls.tmp / "pki")
        cls.server_cert, cls.server_key = cls.pki.server()
        cls.admin = cls.pki.issue("admin", "/CN=hsmadmin", san=f"email:{ADMIN_CERT_USER}")
        cls.p12 = cls.pki.p12(*cls.admin, "p12-test-password", stem="admin")
        cls.hsm = SoftHsm(tokens=1, label_prefix="kmstls").start()
        token = cls.hsm.tokens[0]
        cls.slot = token.slot_id
        srv_dir = cls.tmp / "srv"
        srv_dir.mkdir()
        cls.kmsd = Kmsd(default_binary(), extra_args=hsm_args(srv_dir, [token.slot_id], token.pin, ADMIN_CERT_USER) + [
            "--tls-cert-file", str(cls.server_cert), "--tls-key-file", str(cls.server_key),
            "--clients-ca-cert-file", str(cls.pki.ca_cert), "--client-cert-user", "email"],
            ssl_context=cls.pki.client_context(*cls.admin))
        cls.kmsd.__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.kmsd.cleanup()
        cls.hsm.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def pem_conf(self, **more) -> None:
        self.write_conf(server_url=self.kmsd.url, tls_server_ca_pem_path=str(self.pki.ca_cert),
                        tls_client_pem_cert_path=str(self.admin[0]), tls_client_pem_key_path=str(self.admin[1]),
                        **more)

    def test_document_flow_with_a_pem_client_certificate(self):
        self.pem_conf()
        work = Path(tempfile.mkdtemp(dir=self.tmp))
        out = self.out("rsa", "keys", "create", "--size_in_bits", "2048", "--sensitive", f"hsm::{self.slot}::tlskey")
        self.assertEqual(out, "The RSA key pair has been created.\n"
                              f"      Public key unique identifier: hsm::{self.slot}::tlskey_pk\n"
                              f"      Private key unique identifier: hsm::{self.slot}::tlskey\n")
        (work / "secret.pem").write_bytes(SECRET_PEM)
        # SoftHSM2 does RSA-OAEP with SHA-1 only (DocumentLines runs the SHA-256 line).
        self.out("rsa", "encrypt", "--key-id", f"hsm::{self.slot}::tlskey_pk", "--encryption-algorithm",
                 "ckm-rsa-pkcs-oaep", "--hashing-algorithm", "sha1", str(work / "secret.pem"))
        self.out("rsa", "decrypt", "--key-id", f"hsm::{self.slot}::tlskey", "--encryption-algorithm",
                 "ckm-rsa-pkcs-oaep", "--hashing-algorithm", "sha1", str(work / "secret.enc"))
        self.assertEqual((work / "secret.plain").read_bytes(), SECRET_PEM)
        uid = self.uid_of(self.out("sym", "keys", "create", "--algorithm", "aes", "--number-of-bits", "256",
                                   "--sensitive", "--wrapping-key-id", f"hsm::{self.slot}::tlskey_pk"))
        (work / "secret.txt").write_bytes(SECRET_TXT)
        self.out("sym", "encrypt", "--key-id", uid, "-o", str(work / "s.enc"), str(work / "secret.txt"))
        self.out("sym", "decrypt", "--key-id", uid, "-o", str(work / "s.plain"), str(work / "s.enc"))
        self.assertEqual((work / "s.plain").read_bytes(), SECRET_TXT)
        self.assertEqual(self.out("rsa", "keys", "destroy", "--key-id", f"hsm::{self.slot}::tlskey"),
                         f"Successfully destroyed the key.\n      Unique identifier: hsm::{self.slot}::tlskey\n")

    def test_pkcs12_client_certificate(self):
        self.write_conf(server_url=self.kmsd.url, tls_server_ca_pem_path=str(self.pki.ca_cert),
                        ssl_client_pkcs12_path=str(self.p12), ssl_client_pkcs12_password="p12-test-password")
        self.uid_of(self.out("sym", "keys", "create"))
        self.write_conf(server_url=self.kmsd.url, tls_server_ca_pem_path=str(self.pki.ca_cert),
                        ssl_client_pkcs12_path=str(self.p12), ssl_client_pkcs12_password="wrong")
        err = self.fails(EXIT_BAD_DATA, "sym", "keys", "create", contains="ssl_client_pkcs12_password")
        self.assertNotIn("p12-test-password", err)

    def test_server_certificate_checks(self):
        other = Pki(self.tmp / "other", name="other-ca")
        self.write_conf(server_url=self.kmsd.url, tls_server_ca_pem_path=str(other.ca_cert),
                        tls_client_pem_cert_path=str(self.admin[0]), tls_client_pem_key_path=str(self.admin[1]))
        self.fails(EXIT_CONNECTION, "sym", "keys", "create", contains="TLS")
        # Without a trusted CA, accept_invalid_certs (tests only) connects anyway.
        self.write_conf(server_url=self.kmsd.url, accept_invalid_certs=True,
                        tls_client_pem_cert_path=str(self.admin[0]), tls_client_pem_key_path=str(self.admin[1]))
        self.uid_of(self.out("sym", "keys", "create"))
        # No client certificate: the server refuses the handshake.
        self.write_conf(server_url=self.kmsd.url, tls_server_ca_pem_path=str(self.pki.ca_cert))
        self.fails(EXIT_CONNECTION, "sym", "keys", "create")
        # The flags override the file.
        self.out("--cert", str(self.admin[0]), "--key", str(self.admin[1]), "sym", "keys", "create")


    def test_server_host_name_is_checked(self):
        """A certificate of the right CA for another host name is refused (exit 3)."""
        cert, key = self.pki.issue("elsewhere", "/CN=elsewhere.example", san="DNS:elsewhere.example", server=True)
        probe = self.pki.client_context(*self.admin)
        probe.check_hostname = False  # the test's own health probe connects to 127.0.0.1
        other = Kmsd(default_binary(), extra_args=["--tls-cert-file", str(cert), "--tls-key-file", str(key),
                                                   "--clients-ca-cert-file", str(self.pki.ca_cert),
                                                   "--client-cert-user", "email"], ssl_context=probe)
        with other:
            self.write_conf(server_url=other.url, tls_server_ca_pem_path=str(self.pki.ca_cert),
                            tls_client_pem_cert_path=str(self.admin[0]), tls_client_pem_key_path=str(self.admin[1]))
            self.fails(EXIT_CONNECTION, "sym", "keys", "create", contains="TLS")
            # The same server under the name its certificate has is accepted.
            self.out("--accept-invalid-certs", "sym", "keys", "create")


class HttpsBearer(ClientCase):
    """kmsd over TLS (no client certificates) with JWT users: the token over HTTPS."""

    @classmethod
    def setUpClass(cls):
        cls.make_tmp("tlsjwt")
        cls.pki = Pki(cls.tmp / "pki")
        cert, key = cls.pki.server()
        # servers.Server probes kmsd over plain HTTP: this one is made by hand, with the same parts.
        cls.hsm = SoftHsm(tokens=1, label_prefix="kmstlsjwt").start()
        token = cls.hsm.tokens[0]
        cls.slot = token.slot_id
        srv_dir = cls.tmp / "srv"
        srv_dir.mkdir()
        cls.users = JwtUsers(srv_dir, "tlsjwt", "https://idp.kms-cli.test", "kmsd-cli", (ADMIN,))
        cls.kmsd = Kmsd(default_binary(), extra_args=hsm_args(srv_dir, [token.slot_id], token.pin, ADMIN)
                        + cls.users.args() + ["--tls-cert-file", str(cert), "--tls-key-file", str(key)],
                        ssl_context=cls.pki.client_context(), headers=cls.users.headers(ADMIN))
        cls.kmsd.__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.kmsd.cleanup()
        cls.hsm.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_bearer_token_over_https(self):
        self.write_conf(server_url=self.kmsd.url, tls_server_ca_pem_path=str(self.pki.ca_cert),
                        access_token=self.users.tokens[ADMIN])
        out = self.out("rsa", "keys", "create", "--size_in_bits", "2048", f"hsm::{self.slot}::jwtkey")
        self.assertIn(f"Private key unique identifier: hsm::{self.slot}::jwtkey\n", out)
        work = Path(tempfile.mkdtemp(dir=self.tmp))
        self.out("rsa", "keys", "export", "--key-id", f"hsm::{self.slot}::jwtkey_pk", "--key-format", "pkcs8-pem",
                 str(work / "pub.pem"))
        self.assertTrue((work / "pub.pem").read_text().startswith("-----BEGIN PUBLIC KEY-----"))
        self.out("rsa", "keys", "destroy", "--key-id", f"hsm::{self.slot}::jwtkey")


if __name__ == "__main__":
    take_kms_arg()
    if not os.access(KMS, os.X_OK):
        sys.exit(f"the kms client is not built: {KMS} (pass --kms BIN)")
    main()
