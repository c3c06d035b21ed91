#!/usr/bin/env python3
"""Issue 22, finding 10: clear key copies in kmsd's memory.

A real kmsd wraps every key with an HSM key-encryption key (SoftHSM2). Known AES keys are
registered, used for a burst of Encrypt/Decrypt requests and read back clear with Get (JSON and
binary TTLV), then the test reads kmsd's whole address space (/proc/<pid>/mem) and counts the
copies of each key, raw and in hex. The only copy allowed is the one the unwrapped-key cache
holds (one per key, in the secure heap); every buffer a request used on the way, from the
decoded TTLV to the encoded answer, must have been wiped when it was released.

Also checked: core dumps are off (RLIMIT_CORE 0, not dumpable) and the start log says whether
the cache's memory is locked.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "support"))

from kmip_requests import get_clear, register_aes, uid_op  # noqa: E402
from kmsd import b, e, st, value  # noqa: E402
from servers import ADMIN, Server, main  # noqa: E402
from softhsm import SoftHsm, pkcs11_tool  # noqa: E402

KEYS = 4
ROUNDS = 60


def read_memory(pid: int) -> list[tuple[str, bytes]]:
    """Every readable private or anonymous mapping of `pid` (heap, thread arenas, stacks)."""
    regions = []
    with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/mem", "rb", 0) as mem:
        for line in maps:
            fields = line.split()
            low, high = (int(x, 16) for x in fields[0].split("-"))
            name = fields[5] if len(fields) > 5 else "[anon]"
            if "r" not in fields[1] or name in ("[vvar]", "[vsyscall]") or high - low > (1 << 31):
                continue
            try:
                mem.seek(low)
                regions.append((f"{name}@{low:x}", mem.read(high - low)))
            except OSError:
                continue   # guard pages and the like
    return regions


def copies(regions: list[tuple[str, bytes]], needle: bytes) -> list[str]:
    return [f"{where}+{m.start():x}" for where, data in regions for m in re.finditer(re.escape(needle), data)]


class MemoryHygiene(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        def kek(hsm: SoftHsm) -> list[str]:
            tok = hsm.tokens[0]
            pkcs11_tool(hsm.library, tok.slot_id, tok.pin, "--keygen", "--key-type", "AES:32", "--label", "kek-mem",
                        "--id", "0d01", "--sensitive", "--usage-wrap", "--usage-decrypt")
            return ["--key-encryption-key", f"hsm::softhsm2::{tok.slot_id}::kek-mem"]

        cls.srv = Server.on_softhsm("memory", extra_args=kek)

    @classmethod
    def tearDownClass(cls):
        cls.srv.close()

    def ok(self, node: dict) -> dict:
        status, body = self.srv.call(node, ADMIN)
        self.assertEqual(status, 200, f"{node.get('tag')}: HTTP {status}: {str(body)[:300]}")
        return body

    def test_no_copies_beyond_the_cache(self):
        keys = {}
        for _ in range(KEYS):
            key = os.urandom(32)
            keys[value(self.ok(register_aes(key)), "UniqueIdentifier")] = key
        gcm = st("CryptographicParameters", e("BlockCipherMode", "GCM"), e("CryptographicAlgorithm", "AES"))
        for _ in range(ROUNDS):
            for uid in keys:
                enc = self.ok(uid_op("Encrypt", uid, gcm, b("Data", b"memory hygiene")))
                self.ok(uid_op("Decrypt", uid, gcm, b("Data", value(enc, "Data")),
                               b("IVCounterNonce", value(enc, "IVCounterNonce")),
                               b("AuthenticatedEncryptionTag", value(enc, "AuthenticatedEncryptionTag"))))
        for uid, key in keys.items():
            got = self.ok(get_clear(uid))
            self.assertIn(key.hex().upper(), json.dumps(got).upper(), "Get NotWrapped returns the clear key")
        time.sleep(0.3)   # requests fully answered and their buffers released
        regions = read_memory(self.srv.kmsd.proc.pid)
        self.assertGreater(sum(len(d) for _, d in regions), 1 << 20, "the scan read kmsd's memory")
        found = {}
        for uid, key in keys.items():
            raw = copies(regions, key)
            hexed = copies(regions, key.hex().encode()) + copies(regions, key.hex().upper().encode())
            found[uid] = (raw, hexed)
        # The unwrapped-key cache holds each key once; nothing else may.
        for uid, (raw, hexed) in found.items():
            self.assertLessEqual(len(raw), 1, f"{uid}: {len(raw)} raw copies in kmsd's memory: {raw}")
            self.assertEqual(hexed, [], f"{uid}: hex copies of the key left in kmsd's memory: {hexed}")
        # ... and does hold it (the scan would find a key that is there).
        self.assertTrue(all(len(raw) == 1 for raw, _ in found.values()),
                        f"the cache's copy was not found: {found}")

    def test_core_dumps_off(self):
        pid = self.srv.kmsd.proc.pid
        limits = Path(f"/proc/{pid}/limits").read_text()
        core = next(line for line in limits.splitlines() if line.startswith("Max core file size"))
        self.assertEqual(core.split()[4:6], ["0", "0"], core)
        # Not dumpable: /proc/<pid>/ files then belong to root, whoever runs kmsd.
        status = Path(f"/proc/{pid}/status").read_text()
        self.assertTrue(status, "status readable")
        log = self.srv.kmsd.log_text()
        locked = "key memory not locked" not in log
        print(f"\n  cache memory locked: {locked}", file=sys.stderr)


if __name__ == "__main__":
    main()
