#!/usr/bin/env python3
"""kill -9 of kmsd under create load (issue 22, "Durability and faults"):

    test_durability.py --kmsd BUILD/core/kmsd --plugins-dir BUILD/plugins [-v]

The store is the suite's (tests/support/kmsd.py): SQLite in the instance's directory, or with
KMS_TEST_STORE=postgresql a fresh database on the test PostgreSQL server (ctest fixture
`postgres`; run by hand without one, the test starts a throw-away server of its own).

One kmsd with a SoftHSM2 token holding three HSM keys: an AES key and an RSA pair used as
explicit wrapping keys, and an AES key used as the server-wide key_encryption_key (KEK). Then
ROUNDS rounds of: 8 client threads, each on its own keep-alive connection, create AES keys as
fast as kmsd answers (each named after its round, thread and number, so that every stored
object can be traced to the one Create that made it); after a random moment kmsd is killed with
SIGKILL; kmsd is started again on the same store (odd rounds without, even rounds with the KEK,
so that keys stored in clear, under an HSM AES key, under an HSM RSA public key and under the KEK
are all created and all survive kills). After each restart:

- every acknowledged key (its Create answered HTTP 200 with a UID before the kill) is there and
  usable: Encrypt then Decrypt round trip, which for a wrapped key means unwrapping it in the HSM
  (the restarted kmsd's cache is empty);
- no half-written object: every object Locate finds (acknowledged or not: a Create may commit and
  be killed before answering) is usable, carries the Name of exactly one Create sent (no Create
  stored twice) and the wrapping its Create asked for; Locate's count equals the objects in the
  store's table, and no more objects exist than Creates were sent.
"""

from __future__ import annotations

import os
import random
import sys
import threading
import time
import unittest
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "support"))

from hsm_helpers import ARGS, parse_args  # noqa: E402
from kmsd import Kmsd, default_binary, e, selected_store, st, value  # noqa: E402
from load_helpers import (Client, create_aes, create_hsm_aes, create_hsm_rsa, kill9,  # noqa: E402
                          roundtrip_error, uid_op, uids_of)
from softhsm import SoftHsm  # noqa: E402
from wrap_helpers import vendor_attribute  # noqa: E402
import postgres  # noqa: E402

THREADS = 8
ROUNDS = 5
# The kill comes after a random time in this range from the start of the load: early (the first
# batches of commits), middle and late; each round's load is short so that verification stays cheap.
KILL_AFTER_S = (0.3, 1.6)
CLIENT_TIMEOUT_S = 20.0
MIN_ACKED_PER_ROUND = 8           # a round that acknowledged fewer did not load kmsd at all
OLD_KEYS_RECHECKED = 24           # keys of earlier rounds used again after each later kill
SCENARIO_LIMIT_S = 150.0
PIN = "Durable-PIN-61023"
ADMIN = "admin"  # no authentication configured: every request acts as the default user

CONFIG = """
plugins_dir = "{plugins}"
{kek}
[[hsm_instances]]
hsm_model = "softhsm2"
hsm_admin = ["{admin}"]
hsm_slot = [{slot}]
hsm_password_file = "{pins}"
"""

_OWN_SERVER: postgres.Postgres | None = None


def setUpModule():  # noqa: N802 (unittest's name)
    """On PostgreSQL without the ctest fixture: a server of this test."""
    global _OWN_SERVER
    if selected_store() == "postgresql" and postgres.fixture_url() is None:
        _OWN_SERVER = postgres.Postgres().start()
        os.environ["KMS_TEST_DATABASE_URL"] = _OWN_SERVER.url


def tearDownModule():  # noqa: N802
    if _OWN_SERVER is not None:
        _OWN_SERVER.stop()


class Attempt:
    """One Create sent: its name, what it asked to be wrapped by (None: the server's choice) and
    the UID it was answered with (None: no 200 answer reached the client)."""

    __slots__ = ("name", "wrapping", "expected_wrapping", "uid", "outcome")

    def __init__(self, name: str, wrapping: str | None, expected_wrapping: str | None):
        self.name, self.wrapping, self.expected_wrapping = name, wrapping, expected_wrapping
        self.uid: str | None = None
        self.outcome = "not answered"

    def __repr__(self) -> str:
        return f"{self.name} ({self.outcome}{', ' + self.uid if self.uid else ''})"


class KillUnderCreateLoad(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = Path(os.environ.get("TMPDIR", "/tmp"))
        cls.hsm = SoftHsm(tokens=1, pin=PIN, label_prefix="durab").start()
        cls.slot = cls.hsm.tokens[0].slot_id
        try:
            cls.kmsd = Kmsd(default_binary(), config_text=cls.config(kek=False),
                            env={"SOFTHSM2_CONF": str(cls.hsm.conf)})
            cls.kmsd.start()
        except BaseException:
            cls.hsm.stop()
            raise
        prefix = f"hsm::softhsm2::{cls.slot}::"
        cls.hsm_aes, cls.hsm_rsa, cls.kek = prefix + "wrap-aes", prefix + "wrap-rsa_pk", prefix + "kek"
        for node in (create_hsm_aes(prefix + "wrap-aes"), create_hsm_rsa(prefix + "wrap-rsa"),
                     create_hsm_aes(prefix + "kek")):
            status, body = cls.kmsd.post_json("/kmip/2_1", node)
            if status != 200:
                cls.tearDownClass()
                raise AssertionError(f"setting up the HSM keys: HTTP {status}: {str(body)[:300]}")

    @classmethod
    def tearDownClass(cls):
        cls.kmsd.cleanup()
        cls.hsm.stop()

    @classmethod
    def config(cls, kek: bool) -> str:
        pins = cls.tmp / f"durab-pins-{os.getpid()}.txt"
        if not pins.exists():
            pins.write_text(PIN + "\n")
            pins.chmod(0o600)
        kek_line = f'key_encryption_key = "hsm::softhsm2::{cls.slot}::kek"' if kek else ""
        return CONFIG.format(plugins=ARGS.plugins_dir, kek=kek_line, admin=ADMIN, slot=cls.slot, pins=pins)

    # -- helpers ----------------------------------------------------------------------------

    def restart_with(self, kek: bool) -> None:
        """Start the killed kmsd again on the same store, with or without the KEK."""
        self.kmsd.config_path.write_text(self.config(kek))  # no {port} or {dir} in it
        began = time.monotonic()
        self.kmsd.start()
        self.restart_times.append(time.monotonic() - began)

    def plan(self, rnd: int, thread: int, n: int, kek: bool) -> Attempt:
        """What the n-th Create of `thread` in round `rnd` asks for: rotating over the kinds."""
        name = f"durab-r{rnd}-t{thread}-{n}"
        kinds = [(None, self.kek if kek else None), (self.hsm_aes, self.hsm_aes), (self.hsm_rsa, self.hsm_rsa)]
        wrapping, expected = kinds[(thread + n) % len(kinds)]
        return Attempt(name, wrapping, expected)

    def load(self, rnd: int, kek: bool, stop: threading.Event, attempts: list[Attempt], lock: threading.Lock,
             thread: int) -> None:
        client = Client(self.kmsd, CLIENT_TIMEOUT_S)
        n = 0
        try:
            while not stop.is_set():
                attempt = self.plan(rnd, thread, n, kek)
                n += 1
                with lock:
                    attempts.append(attempt)
                try:
                    status, body = client.post(create_aes(attempt.name, attempt.wrapping))
                except Exception as exc:  # noqa: BLE001 (the kill: no answer, not acknowledged)
                    attempt.outcome = f"no answer: {type(exc).__name__}"
                    return
                uid = value(body, "UniqueIdentifier") if status == 200 else None
                if status == 200 and isinstance(uid, str) and uid:
                    attempt.uid, attempt.outcome = uid, "acknowledged"
                else:
                    attempt.outcome = f"HTTP {status}: {str(body)[:200]}"
                    return
        finally:
            client.close()

    def verify_object(self, client: Client, uid: str, by_name: dict[str, Attempt]) -> tuple[str | None, str | None]:
        """(its Name, None) when `uid` is a whole object: its attributes name one Create sent, its
        wrapping is what that Create asked for, and it encrypts and decrypts; else (Name, why)."""
        status, body = client.post(uid_op("GetAttributes", uid))
        if status != 200:
            return None, f"GetAttributes {uid}: HTTP {status}: {str(body)[:300]}"
        name = value(body, "Attributes/Name/NameValue")
        attempt = by_name.get(name) if isinstance(name, str) else None
        if attempt is None:
            return None, f"{uid}: its Name {name!r} is no Create this test sent: {str(body)[:300]}"
        if attempt.uid is not None and attempt.uid != uid:
            return name, f"{uid}: named {name}, whose Create was answered with {attempt.uid}"
        wrapping = vendor_attribute(body, "wrapping_key_id")
        if (wrapping or None) != attempt.expected_wrapping:
            return name, f"{uid} ({name}): wrapped by {wrapping!r}, its Create asked for {attempt.expected_wrapping!r}"
        problem = roundtrip_error(client, uid)
        return name, None if problem is None else f"{name}: {problem}"

    def locate_all(self, client: Client) -> list[str]:
        """Every AES key of the database (HSM keys left out)."""
        status, body = client.post(st("Locate", st("Attributes", e("ObjectType", "SymmetricKey"))))
        self.assertEqual(status, 200, f"Locate after the restart: HTTP {status}: {str(body)[:300]}")
        located = [u for u in uids_of(body) if not u.startswith("hsm::")]
        count = value(body, "LocatedItems")
        hsm_keys = sum(1 for u in uids_of(body) if u.startswith("hsm::"))
        self.assertEqual(count, len(located) + hsm_keys, f"LocatedItems {count} for {len(uids_of(body))} UIDs")
        return located

    def check_store(self, rnd: int, attempts: list[Attempt], checked: set[str]) -> dict:
        """The checks after a restart (see the module docstring); returns figures."""
        acked = [a for a in attempts if a.uid is not None]
        by_name = {a.name: a for a in attempts}
        client = Client(self.kmsd, CLIENT_TIMEOUT_S)
        try:
            located = self.locate_all(client)
        finally:
            client.close()
        self.assertEqual(len(located), len(set(located)), f"round {rnd}: Locate answered a UID twice")
        rows = {r[0] for r in self.kmsd.sql("SELECT uid FROM objects")}
        self.assertEqual(set(located), rows, f"round {rnd}: Locate and the objects table disagree (only located: "
                         f"{sorted(set(located) - rows)[:5]}, only stored: {sorted(rows - set(located))[:5]})")
        missing = [a for a in acked if a.uid not in rows]
        self.assertEqual(missing, [], f"round {rnd}: {len(missing)} of {len(acked)} acknowledged keys are gone "
                         f"after kill -9: " + "; ".join(f"{a.name} = {a.uid}" for a in missing[:8])
                         + f"\nkmsd log tail:\n{self.kmsd.log_tail()}")
        self.assertLessEqual(len(rows), len(attempts), f"round {rnd}: {len(rows)} objects stored for "
                             f"{len(attempts)} Creates sent")

        # Everything not verified after an earlier kill, and a sample of what was.
        fresh = [u for u in located if u not in checked]
        old = random.sample(sorted(checked), min(OLD_KEYS_RECHECKED, len(checked)))
        local = threading.local()
        clients: list[Client] = []

        def check(uid: str) -> tuple[str | None, str | None]:
            if not hasattr(local, "client"):
                local.client = Client(self.kmsd, CLIENT_TIMEOUT_S)
                clients.append(local.client)
            try:
                return self.verify_object(local.client, uid, by_name)
            except Exception as exc:  # noqa: BLE001 (reported with the UID)
                return None, f"{uid}: {type(exc).__name__}: {exc}"

        began = time.monotonic()
        try:
            with ThreadPoolExecutor(THREADS) as pool:
                results = list(pool.map(check, fresh + old))
        finally:
            for c in clients:
                c.close()
        problems = [p for _, p in results if p]
        self.assertEqual(problems, [], f"round {rnd}: {len(problems)} of {len(fresh) + len(old)} stored objects "
                         "are not whole and usable after kill -9:\n  " + "\n  ".join(problems[:8])
                         + f"\nkmsd log tail:\n{self.kmsd.log_tail()}")
        # One Create, one object: a name seen on two objects is a Create stored twice.
        self.names.extend(n for n, _ in results[:len(fresh)] if n)
        twice = sorted(n for n, count in Counter(self.names).items() if count > 1)
        self.assertEqual(twice, [], f"round {rnd}: Creates stored as more than one object: {twice[:5]}")
        checked.update(fresh)
        return {"stored": len(rows), "unacked_stored": len(set(rows) - {a.uid for a in acked}),
                "verified": len(fresh) + len(old), "verify_s": time.monotonic() - began}

    # -- the test ---------------------------------------------------------------------------

    def test_kill9_under_create_load(self):
        t0 = time.monotonic()
        rng = random.Random(os.environ.get("KMS_TEST_SEED") or None)
        attempts: list[Attempt] = []
        checked: set[str] = set()
        self.restart_times: list[float] = []
        self.names: list[str] = []
        # Round 1 runs on the kmsd of setUpClass (no KEK); each later round on the restarted one.
        for rnd in range(1, ROUNDS + 1):
            kek = rnd % 2 == 0
            if rnd > 1:
                self.restart_with(kek)
            round_attempts: list[Attempt] = []
            lock = threading.Lock()
            stop = threading.Event()
            threads = [threading.Thread(target=self.load, args=(rnd, kek, stop, round_attempts, lock, n), daemon=True)
                       for n in range(THREADS)]
            for th in threads:
                th.start()
            delay = rng.uniform(*KILL_AFTER_S)
            time.sleep(delay)
            code = kill9(self.kmsd)
            stop.set()
            for th in threads:
                th.join(timeout=CLIENT_TIMEOUT_S + 5)
            self.assertFalse(any(th.is_alive() for th in threads), f"round {rnd}: a client thread is stuck")
            self.assertEqual(code, -9, f"round {rnd}: kmsd was not killed by SIGKILL (exit {code})")
            attempts.extend(round_attempts)
            acked = sum(1 for a in round_attempts if a.uid is not None)
            refused = [a for a in round_attempts if a.outcome.startswith("HTTP")]
            self.assertEqual(refused, [], f"round {rnd}: Creates refused before the kill: "
                             + "; ".join(f"{a.name}: {a.outcome}" for a in refused[:5]))
            self.assertGreaterEqual(acked, MIN_ACKED_PER_ROUND, f"round {rnd}: only {acked} Creates answered in "
                                    f"{delay:.2f} s:\n{self.kmsd.log_tail()}")

            self.restart_with(kek)  # verification on the restarted kmsd, with the same KEK setting
            figures = self.check_store(rnd, attempts, checked)
            self.kmsd.stop()  # clean stop: the next round starts its kmsd itself
            sys.stderr.write(f"  {self.kmsd.store_kind} round {rnd} ({'KEK' if kek else 'no KEK'}): killed after "
                             f"{delay:.2f} s, {len(round_attempts)} Creates sent, {acked} acknowledged; "
                             f"{figures['stored']} objects stored in all ({figures['unacked_stored']} committed "
                             f"but not acknowledged); {figures['verified']} verified in {figures['verify_s']:.1f} s\n")
        total_acked = sum(1 for a in attempts if a.uid is not None)
        self.assertGreaterEqual(len(checked), total_acked)
        elapsed = time.monotonic() - t0
        sys.stderr.write(f"  {ROUNDS} rounds, {total_acked} keys acknowledged, restarts "
                         f"{max(self.restart_times):.2f} s at most, {elapsed:.1f} s in all\n")
        self.assertLess(elapsed, SCENARIO_LIMIT_S, "the scenario took too long")
        self.assertNotIn(PIN, self.kmsd.log_text(), "the token PIN is in the kmsd log")


if __name__ == "__main__":
    argv = parse_args()
    if "-v" in argv and os.environ.get("KMSD_TEST_VERBOSE") is None:
        os.environ["KMSD_TEST_VERBOSE"] = "1"
    unittest.main(argv=argv)
