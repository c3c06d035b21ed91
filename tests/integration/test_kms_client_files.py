#!/usr/bin/env python3
"""`kms sym|rsa encrypt|decrypt` on files of any size (issue 17, part 3), against a real kmsd on
a real SoftHSM2 token:

    test_kms_client_files.py --kmsd BUILD/core/kmsd --kms BUILD/cli/kms --plugins-dir BUILD/plugins [-v]

- RoundTrips: 0 B, 1 B, the small-file limit (1 MiB) and one byte either side, 100 MiB, with a
  database AES key and with an hsm:: AES key of the token; the small format below the limit
  (nonce | ciphertext | tag, the server's one request), the envelope (its magic) above;
  --envelope and --no-envelope; stdin to stdout (`-`) both ways, in a pipeline; the key taken
  from the envelope's header, --key-id winning over it; --force needed to overwrite; the
  progress bar on a terminal (a pty) and never in a pipe or with --quiet; an RSA envelope.
- Failures: a wrong key, a tampered chunk, a tampered header, a file cut at a chunk boundary,
  inside a chunk, inside the header, a revoked key, missing or different authentication data:
  each exits non-zero with one clear line and leaves no output (nor temporary file) behind.
  On stdout, the chunks before a bad one are written, then the exit is non-zero.

Outputs are compared by SHA-256, never held twice in memory. docs/file-format.md is the format.
"""

from __future__ import annotations

import hashlib
import os
import pty
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))

import test_kms_client as base  # noqa: E402
from servers import main  # noqa: E402
from test_kms_client import EXIT_BAD_DATA, EXIT_FILE, EXIT_OK, EXIT_REFUSED, EXIT_USAGE, ClientCase  # noqa: E402

MAGIC = bytes([0x89]) + b"KMSENV\n"
LIMIT = 1 << 20  # FileCrypt::kSmallFileLimit
CHUNK = 1 << 20  # FileCrypt::kChunkSize
TAG = 16


def make_file(path: Path, size: int) -> str:
    """`size` random bytes in `path`, written 1 MiB at a time; their SHA-256."""
    digest = hashlib.sha256()
    with open(path, "wb") as out:
        left = size
        while left > 0:
            block = os.urandom(min(left, 1 << 20))
            digest.update(block)
            out.write(block)
            left -= len(block)
    return digest.hexdigest()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def header_size(data: bytes) -> int:
    """The envelope header's length (docs/file-format.md)."""
    uid_len = int.from_bytes(data[23:25], "big")
    wrapped_len = int.from_bytes(data[25 + uid_len:27 + uid_len], "big")
    return 27 + uid_len + wrapped_len


class FilesCase(ClientCase):
    @classmethod
    def setUpClass(cls):
        cls.start_on_softhsm("files")

    def setUp(self):
        self.dir = self.new_dir()

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def create_sym(self, *more: str) -> str:
        return self.uid_of(self.out("sym", "keys", "create", *more))

    def leftovers(self) -> list[str]:
        """Temporary files of the client left in the test's directory."""
        return sorted(p.name for p in self.dir.iterdir() if p.name.startswith("."))

    def round_trip(self, uid: str, size: int, *encrypt_more: str, envelope: bool | None = None) -> Path:
        src = self.dir / f"f{size}.bin"
        digest = make_file(src, size)
        enc, plain = self.dir / f"f{size}.enc", self.dir / f"f{size}.plain"
        out = self.out("sym", "encrypt", "-k", uid, *encrypt_more, "-o", str(enc), str(src))
        self.assertEqual(out, f'The encrypted file is available at "{enc}"\n')
        with open(enc, "rb") as f:
            head = f.read(8)
        if envelope is None:
            envelope = size > LIMIT
        if envelope:
            self.assertEqual(head, MAGIC, f"{size} bytes: no envelope")
        else:
            self.assertNotEqual(head, MAGIC, f"{size} bytes: an envelope")
            self.assertEqual(enc.stat().st_size, 12 + size + 16, f"{size} bytes: not the small format")
        self.assertEqual(enc.stat().st_mode & 0o077, 0)
        out = self.out("sym", "decrypt", "-k", uid, "-o", str(plain), str(enc))
        self.assertEqual(out, f'The decrypted file is available at "{plain}"\n')
        self.assertEqual(sha256_of(plain), digest, f"{size} bytes")
        self.assertEqual(self.leftovers(), [])
        src.unlink()
        plain.unlink()
        return enc


class RoundTrips(FilesCase):
    def test_sizes_with_a_database_key(self):
        uid = self.create_sym()
        for size in (0, 1, LIMIT - 1, LIMIT, LIMIT + 1, 3 * CHUNK, 3 * CHUNK + 12345):
            with self.subTest(size=size):
                enc = self.round_trip(uid, size)
                if size > LIMIT:
                    # The header, then each chunk with its tag.
                    data_len = enc.stat().st_size - header_size(enc.read_bytes()[:4096])
                    chunks = max(1, -(-size // CHUNK))  # a multiple of C ends with a full last chunk
                    self.assertEqual(data_len, size + chunks * TAG, f"{size} bytes")
                enc.unlink()
        with self.subTest("--envelope on small files"):
            for size in (0, 1, 1000):
                self.round_trip(uid, size, "--envelope", envelope=True).unlink()
        with self.subTest("--no-envelope above the limit"):
            self.round_trip(uid, LIMIT + 1, "--no-envelope", envelope=False).unlink()
        self.fails(EXIT_USAGE, "sym", "encrypt", "-k", uid, "--envelope", "--no-envelope", str(self.dir / "x"))

    def test_100_mib_with_a_database_key_and_an_hsm_key(self):
        keys = {"database": self.create_sym(),
                "hsm": f"hsm::{self.srv.slot}::files-aes"}
        self.out("sym", "keys", "create", "--number-of-bits", "256", "--sensitive", keys["hsm"])
        src = self.dir / "big.bin"
        digest = make_file(src, 100 << 20)
        for kind, uid in keys.items():
            with self.subTest(kind):
                enc, plain = self.dir / f"big-{kind}.enc", self.dir / f"big-{kind}.plain"
                r = self.kms("--json", "sym", "encrypt", "-k", uid, "-o", str(enc), str(src))
                self.assertIn(b'"envelope" : true', r.stdout.replace(b'":true', b'" : true'))
                self.assertEqual(r.stderr, b"", "a progress bar or more in a pipe")
                with open(enc, "rb") as f:
                    self.assertEqual(f.read(8), MAGIC)
                # The key comes from the header.
                self.out("sym", "decrypt", "-o", str(plain), str(enc))
                self.assertEqual(sha256_of(plain), digest)
                enc.unlink()
                plain.unlink()
        self.out("sym", "keys", "destroy", "-k", keys["hsm"])

    def test_streams(self):
        uid = self.create_sym()
        # Below the limit, stdin ends in time: the small format, one request.
        body = os.urandom(1000)
        r = self.kms("sym", "encrypt", "-k", uid, "-o", "-", "-", stdin=body)
        self.assertEqual(len(r.stdout), 12 + 1000 + 16)
        self.assertEqual(r.stderr.decode(), 'The encrypted file is available at "-"\n')
        # Above it: an envelope, streamed.
        body = os.urandom(LIMIT + 100_000)
        r = self.kms("sym", "encrypt", "-k", uid, "-o", "-", "-", stdin=body)
        self.assertTrue(r.stdout.startswith(MAGIC))
        r2 = self.kms("sym", "decrypt", "-o", "-", "-", stdin=r.stdout)
        self.assertEqual(hashlib.sha256(r2.stdout).digest(), hashlib.sha256(body).digest())
        # A pipeline of 40 MiB: encrypt | decrypt, stdin to stdout both ways.
        src = self.dir / "stream.bin"
        digest = make_file(src, 40 << 20)
        out = self.dir / "stream.out"
        with open(src, "rb") as fin, open(out, "wb") as fout:
            enc = subprocess.Popen([base.KMS, "-q", "sym", "encrypt", "-k", uid, "-o", "-", "-"], stdin=fin,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=self.env())
            dec = subprocess.Popen([base.KMS, "-q", "sym", "decrypt", "-o", "-", "-"], stdin=enc.stdout,
                                   stdout=fout, stderr=subprocess.PIPE, env=self.env())
            enc.stdout.close()
            self.assertEqual(dec.wait(timeout=120), 0, dec.stderr.read())
            self.assertEqual(enc.wait(timeout=120), 0, enc.stderr.read())
            enc.stderr.close()
            dec.stderr.close()
        self.assertEqual(sha256_of(out), digest)

    def test_key_from_the_header_and_force(self):
        uid = self.create_sym()
        other = self.create_sym()
        src = self.dir / "m.bin"
        digest = make_file(src, 2 * CHUNK + 7)
        self.out("sym", "encrypt", "-k", uid, str(src))
        enc, plain = self.dir / "m.enc", self.dir / "m.plain"
        self.assertIn(uid.encode(), enc.read_bytes()[:200])
        # No --key-id: the header's; --key-id wins over it (and the other key cannot unwrap).
        self.out("sym", "decrypt", str(enc))
        self.assertEqual(sha256_of(plain), digest)
        self.fails(EXIT_FILE, "sym", "decrypt", str(enc), contains="--force")
        self.fails(EXIT_FILE, "sym", "encrypt", "-k", uid, str(src), contains="--force")
        self.assertEqual(sha256_of(plain), digest)
        plain.write_bytes(b"old")
        self.fails(EXIT_REFUSED, "sym", "decrypt", "-k", other, "--force", str(enc), contains=other)
        self.assertEqual(plain.read_bytes(), b"old")
        self.out("sym", "decrypt", "--force", str(enc))
        self.assertEqual(sha256_of(plain), digest)
        self.assertEqual(self.leftovers(), [])

    def test_progress_bar_only_on_a_terminal(self):
        """stderr a pty: the bar (it draws after 100 ms of work, so the input comes slowly, from a
        pipe: no total, bytes and rate only); erased at the end; none with --quiet."""
        uid = self.create_sym()
        block = os.urandom(LIMIT + 1)
        for quiet in (False, True):
            with self.subTest(quiet=quiet):
                master, slave = pty.openpty()
                argv = [base.KMS, *(["-q"] if quiet else []), "sym", "encrypt", "-k", uid, "--force",
                        "-o", str(self.dir / "p.enc"), "-"]
                proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=slave,
                                        env=self.env())
                os.close(slave)
                for _ in range(4):
                    proc.stdin.write(block)
                    proc.stdin.flush()
                    time.sleep(0.25)
                proc.stdin.close()
                stdout = proc.stdout.read()
                proc.stdout.close()
                self.assertEqual(proc.wait(timeout=60), EXIT_OK)
                seen = b""
                while True:
                    try:
                        data = os.read(master, 65536)
                    except OSError:  # EIO: the pty's other side is closed
                        break
                    if not data:
                        break
                    seen += data
                os.close(master)
                if quiet:
                    self.assertEqual(seen, b"")
                    self.assertEqual(stdout, b"")
                else:
                    self.assertIn(b"encrypting", seen)
                    self.assertIn(b"MiB", seen)
                    self.assertTrue(seen.endswith(b"\r\x1b[K"), seen[-60:])  # erased at the end
                    self.assertEqual(stdout, f'The encrypted file is available at "{self.dir / "p.enc"}"\n'.encode())

    def test_rsa_envelope(self):
        out = self.out("rsa", "keys", "create", "-s", "2048")
        private = self.uid_of(out.replace("Private key unique identifier", "Unique identifier"))
        public = out.split("Public key unique identifier: ")[1].split()[0]
        # A small file keeps the bare RSA ciphertext.
        small = self.dir / "s.txt"
        small.write_bytes(b"rsa message")
        self.out("rsa", "encrypt", "-k", public, str(small))
        self.assertEqual((self.dir / "s.enc").stat().st_size, 256)
        self.out("rsa", "decrypt", "-k", private, str(self.dir / "s.enc"))
        self.assertEqual((self.dir / "s.plain").read_bytes(), b"rsa message")
        # A large one: an envelope whose data key the public key wraps (OAEP SHA-256 here).
        src = self.dir / "r.bin"
        digest = make_file(src, 3 * CHUNK + 99)
        self.out("rsa", "encrypt", "-k", public, "-s", "sha384", str(src))
        enc, plain = self.dir / "r.enc", self.dir / "r.plain"
        data = enc.read_bytes()
        self.assertEqual(data[:8], MAGIC)
        self.assertEqual(data[9:11], bytes([2, 4]))  # RSA-OAEP, SHA-384
        self.fails(EXIT_USAGE, "rsa", "decrypt", str(enc), contains=f"the public key {public}")
        self.assertFalse(plain.exists())
        self.fails(EXIT_USAGE, "sym", "decrypt", str(enc), contains="kms rsa decrypt")
        # The header's hash, not the default -s, unwraps the data key.
        self.out("rsa", "decrypt", "-k", private, str(enc))
        self.assertEqual(sha256_of(plain), digest)
        self.assertEqual(self.leftovers(), [])


class Failures(FilesCase):
    def setUp(self):
        super().setUp()
        self.uid = self.create_sym()
        self.src = self.dir / "secret.bin"
        self.digest = make_file(self.src, 3 * CHUNK + CHUNK // 2)  # 4 chunks, the last half full
        self.out("sym", "encrypt", "-k", self.uid, "-o", str(self.dir / "good.enc"), str(self.src))
        self.data = (self.dir / "good.enc").read_bytes()
        self.header = header_size(self.data)
        self.target = self.dir / "out.plain"

    def decrypt_fails(self, data: bytes, code: int, contains: str, *more: str) -> str:
        bad = self.dir / "bad.enc"
        bad.write_bytes(data)
        err = self.fails(code, "sym", "decrypt", *more, "-o", str(self.target), str(bad), contains=contains)
        self.assertFalse(self.target.exists(), "an output was left behind")
        self.assertEqual(self.leftovers(), [])
        self.assertNotIn(self.digest, err)
        return err

    def flipped(self, offset: int, mask: int = 1) -> bytes:
        return self.data[:offset] + bytes([self.data[offset] ^ mask]) + self.data[offset + 1:]

    def chunk_offset(self, index: int) -> int:
        return self.header + index * (CHUNK + TAG)

    def test_wrong_key(self):
        other = self.create_sym()
        err = self.decrypt_fails(self.data, EXIT_REFUSED, "did not decrypt the data key", "-k", other)
        self.assertIn(other, err)

    def test_tampered_chunk(self):
        for index, where in ((0, 10), (2, 5000), (3, CHUNK // 2 + 3)):  # a byte of ciphertext or of the tag
            with self.subTest(chunk=index):
                self.decrypt_fails(self.flipped(self.chunk_offset(index) + where), EXIT_BAD_DATA,
                                   f"chunk {index} of ")
        # Two chunks swapped.
        a, b = self.chunk_offset(0), self.chunk_offset(1)
        swapped = self.data[:a] + self.data[b:b + CHUNK + TAG] + self.data[a:b] + self.data[b + CHUNK + TAG:]
        self.decrypt_fails(swapped, EXIT_BAD_DATA, "chunk 0 of ")
        # On stdout: the chunks before the bad one went out, the exit code says it failed.
        bad = self.dir / "bad.enc"
        bad.write_bytes(self.flipped(self.chunk_offset(2) + 1))
        r = self.kms("sym", "decrypt", "-o", "-", str(bad), code=EXIT_BAD_DATA)
        self.assertEqual(len(r.stdout), 2 * CHUNK)
        self.assertIn(b"chunk 2 of ", r.stderr)

    def test_tampered_header(self):
        self.decrypt_fails(self.flipped(16), EXIT_BAD_DATA, "chunk 0 of ")  # the nonce prefix
        self.decrypt_fails(self.flipped(11, 2), EXIT_BAD_DATA, "unknown flags")
        self.decrypt_fails(self.flipped(8), EXIT_BAD_DATA, "format version")
        self.decrypt_fails(self.flipped(9), EXIT_BAD_DATA, "not a valid kms envelope file")
        self.decrypt_fails(self.flipped(14), EXIT_BAD_DATA, "")  # the chunk size: chunk 0 or the range
        self.decrypt_fails(self.flipped(self.header - 5), EXIT_REFUSED, "did not decrypt the data key")
        # The key's UID changed: no such key.
        self.decrypt_fails(self.flipped(26), EXIT_REFUSED, "")

    def test_truncated(self):
        self.decrypt_fails(self.data[:self.chunk_offset(3)], EXIT_BAD_DATA,
                           "truncated: it ends after chunk 2, before its final chunk")
        self.decrypt_fails(self.data[:self.chunk_offset(1)], EXIT_BAD_DATA,
                           "truncated: it ends after chunk 0, before its final chunk")
        self.decrypt_fails(self.data[:self.chunk_offset(1) + 1000], EXIT_BAD_DATA, "chunk 1 of ")
        self.decrypt_fails(self.data[:self.chunk_offset(2) + 5], EXIT_BAD_DATA, "ends inside chunk 2")
        self.decrypt_fails(self.data[:-1], EXIT_BAD_DATA, "chunk 3 of ")
        self.decrypt_fails(self.data[:self.header], EXIT_BAD_DATA, "ends after its header")
        self.decrypt_fails(self.data[:20], EXIT_BAD_DATA, "not a valid kms envelope file")
        self.decrypt_fails(self.data[:self.header - 3], EXIT_BAD_DATA, "not a valid kms envelope file")
        # Bytes after the last chunk.
        self.decrypt_fails(self.data + b"x" * 100, EXIT_BAD_DATA, "chunk 3 of ")

    def test_revoked_and_destroyed_key(self):
        self.out("sym", "keys", "revoke", "-k", self.uid, "compromised")
        # A revoked key encrypts no more: the server refuses to wrap a new data key.
        err = self.fails(EXIT_REFUSED, "sym", "encrypt", "-k", self.uid, "-o", str(self.dir / "revoked.enc"),
                         str(self.src))
        self.assertFalse((self.dir / "revoked.enc").exists())
        self.assertEqual(self.leftovers(), [])
        self.assertNotIn("did not decrypt", err)
        # kmsd lets a revoked key decrypt what it encrypted (KMIP: a Compromised or Deactivated key
        # may still process existing data); once destroyed, it cannot.
        self.out("sym", "decrypt", "-o", str(self.target), str(self.dir / "good.enc"))
        self.assertEqual(sha256_of(self.target), self.digest)
        self.target.unlink()
        self.out("sym", "keys", "destroy", "-k", self.uid)
        err = self.decrypt_fails(self.data, EXIT_REFUSED, "did not decrypt the data key")
        self.assertIn(self.uid, err)

    def test_authentication_data(self):
        enc = self.dir / "aad.enc"
        self.out("sym", "encrypt", "-k", self.uid, "-a", "context-1", "-o", str(enc), str(self.src))
        data = enc.read_bytes()
        self.assertEqual(data[11], 1)
        self.decrypt_fails(data, EXIT_USAGE, "give the same with -a")
        self.decrypt_fails(data, EXIT_REFUSED, "did not decrypt the data key", "-a", "context-2")
        self.decrypt_fails(self.data, EXIT_USAGE, "leave -a out", "-a", "context-1")
        self.out("sym", "decrypt", "-a", "context-1", "-o", str(self.target), str(enc))
        self.assertEqual(sha256_of(self.target), self.digest)

    def test_the_good_file_decrypts(self):
        """The failures above fail for their damage, not because the file was bad to begin with."""
        self.out("sym", "decrypt", "-o", str(self.target), str(self.dir / "good.enc"))
        self.assertEqual(sha256_of(self.target), self.digest)


if __name__ == "__main__":
    base.take_kms_arg()
    if not os.access(base.KMS, os.X_OK):
        sys.exit(f"the kms client is not built: {base.KMS} (pass --kms BIN)")
    main()
