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
SIGKILL; kmsd is started again on the same store (odd rounds without, even rounds with the KEK).
The Creates rotate over four kinds: a database key stored in clear (under the KEK in even
rounds), wrapped by the HSM AES key, wrapped by the HSM RSA public key, and a key inside the HSM
(hsm:: UID). After each restart:

- every acknowledged key (its Create answered HTTP 200 with a UID before the kill) is there and
  usable: Encrypt then Decrypt round trip, which for a wrapped key means unwrapping it in the HSM
  (the restarted kmsd's cache is empty);
- no half-written object in the database: every object Locate finds (acknowledged or not: a
  Create may commit and be killed before answering) is usable, carries the Name of exactly one
  Create sent (no Create stored twice) and the wrapping its Create asked for; Locate finds
  exactly the rows of the store's objects table, and no more objects exist than Creates were sent;
- inside the HSM, a key whose Create was never answered may be half made (SoftHSM2 runs in
  kmsd's process and does not write a token object atomically): then Destroy removes it and the
  same UID can be created again.
"""

from __future__ import annotations

import os
import random
import struct
import sys
import threading
import time
import unittest
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))

from servers import ARGS, main  # noqa: E402
from kmsd import Kmsd, default_binary, e, selected_store, st, value  # noqa: E402
from kmip_requests import create_aes, create_hsm_aes, create_hsm_rsa, encrypt, uid_op, uids_of, vendor_attribute  # noqa: E402
from load import MESSAGE, Client, kill9, roundtrip_error  # noqa: E402
from softhsm import SoftHsm  # noqa: E402
import postgres  # noqa: E402

THREADS = 8
ROUNDS = 5
# The kill comes after a random time in this range from the start of the load: early (the first
# batches of commits), middle and late; each round's load is short so that verification stays cheap.
KILL_AFTER_S = (0.3, 1.6)
CLIENT_TIMEOUT_S = 20.0
# The kind of Create that makes a key inside the HSM (hsm:: UID, a token object of SoftHSM2)
# rather than in the database.
IN_HSM = "in the HSM"
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
    if selected_store() == "postgresql":
        _OWN_SERVER = postgres.server_unless_fixture()


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
        kinds = [(None, self.kek if kek else None), (self.hsm_aes, self.hsm_aes), (self.hsm_rsa, self.hsm_rsa),
                 (IN_HSM, None)]
        wrapping, expected = kinds[(thread + n) % len(kinds)]
        return Attempt(name, wrapping, expected)

    def hsm_uid(self, name: str) -> str:
        return f"hsm::softhsm2::{self.slot}::{name}"

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
                    status, body = client.post(create_hsm_aes(self.hsm_uid(attempt.name)) if attempt.wrapping == IN_HSM
                                               else create_aes(name=attempt.name, wrapping=attempt.wrapping))
                except Exception as exc:  # noqa: BLE001 (the kill: no answer, not acknowledged)
                    attempt.outcome = f"no answer: {type(exc).__name__}"
                    return
                uid = value(body, "UniqueIdentifier") if status == 200 else None
                if status == 200 and isinstance(uid, str) and uid:
                    attempt.uid, attempt.outcome = uid, "acknowledged"
                else:
                    attempt.outcome = f"HTTP {status}: {str(body)[:200]}"
                    if attempt.wrapping != IN_HSM:
                        return
        finally:
            client.close()

    def verify_object(self, client: Client, uid: str, by_name: dict[str, Attempt]) -> tuple[str | None, str | None]:
        """(its Name, None) when `uid` is a whole object: its attributes name one Create sent, its
        wrapping is what that Create asked for, and it encrypts and decrypts; else (Name, why)."""
        if uid.startswith("hsm::"):  # a key inside the HSM: named by its UID, never wrapped
            name = uid.rsplit("::", 1)[1]
            attempt = by_name.get(name)
            if attempt is None or attempt.wrapping != IN_HSM:
                return None, f"{uid}: no Create of this test made it"
            problem = roundtrip_error(client, uid)
            if problem is None:
                return name, None
            if attempt.uid is not None:
                return name, f"{name}: acknowledged, but unusable: {problem}"
            # Never acknowledged, and half made: SoftHSM2 runs inside kmsd and its file store does
            # not write a token object atomically, so a kill in the middle of C_GenerateKey can
            # leave an object with some of its attributes (seen: C_EncryptInit then fails with
            # CKR_MECHANISM_INVALID). An HSM on its own device keeps no such leftover. What kmsd
            # owes: the client can remove it and make its key again under the same UID.
            self.leftovers.append(f"{name} (Create: {attempt.outcome}): {problem}")
            for node, what in ((uid_op("Destroy", uid), "Destroy"), (create_hsm_aes(uid), "Create again")):
                status, body = client.post(node)
                if status != 200:
                    return name, f"{name}: a half-made HSM key ({problem}) cannot be cleaned up: {what}: " \
                                 f"HTTP {status}: {str(body)[:300]}"
            problem = roundtrip_error(client, uid)
            return name, None if problem is None else f"{name}: made again after a half-made one: {problem}"
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

    def locate_all(self, client: Client) -> tuple[list[str], list[str]]:
        """Every AES key: those of the database, and those of this test's Creates in the HSM."""
        status, body = client.post(st("Locate", st("Attributes", e("ObjectType", "SymmetricKey"))))
        self.assertEqual(status, 200, f"Locate after the restart: HTTP {status}: {str(body)[:300]}")
        uids = uids_of(body)
        self.assertEqual(value(body, "LocatedItems"), len(uids), f"LocatedItems for {len(uids)} UIDs")
        ours = self.hsm_uid("durab-")
        return [u for u in uids if not u.startswith("hsm::")], [u for u in uids if u.startswith(ours)]

    def check_store(self, rnd: int, attempts: list[Attempt], checked: set[str]) -> dict:
        """The checks after a restart (see the module docstring); returns figures."""
        acked = [a for a in attempts if a.uid is not None]
        by_name = {a.name: a for a in attempts}
        client = Client(self.kmsd, CLIENT_TIMEOUT_S)
        try:
            located, in_hsm = self.locate_all(client)
        finally:
            client.close()
        self.assertEqual(len(located), len(set(located)), f"round {rnd}: Locate answered a UID twice")
        self.assertEqual(len(in_hsm), len(set(in_hsm)), f"round {rnd}: Locate answered an HSM UID twice")
        lost = [a for a in acked if a.wrapping == IN_HSM and a.uid not in in_hsm]
        if lost:
            probe = Client(self.kmsd, CLIENT_TIMEOUT_S)
            try:
                used = roundtrip_error(probe, lost[0].uid)
                status, body = self.kmsd.get("/hsm/status")
            finally:
                probe.close()
            self.fail(f"round {rnd}: {len(lost)} acknowledged keys inside the HSM are not located after kill -9 "
                      f"({len(in_hsm)} are): {lost[:5]}; Encrypt with {lost[0].uid}: {used or 'works'}; "
                      f"/hsm/status: {status} {str(body)[:500]}\nkmsd log:\n"
                      + "\n".join(line for line in self.kmsd.log_text().splitlines() if "Warning" in line)[-3000:])
        self.assertLessEqual(len(in_hsm), sum(1 for a in attempts if a.wrapping == IN_HSM))
        located += in_hsm
        rows = {r[0] for r in self.kmsd.sql("SELECT uid FROM objects")}
        self.assertEqual(set(located) - set(in_hsm), rows, f"round {rnd}: Locate and the objects table disagree (only located: "
                         f"{sorted(set(located) - rows)[:5]}, only stored: {sorted(rows - set(located))[:5]})")
        missing = [a for a in acked if a.wrapping != IN_HSM and a.uid not in rows]
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
        return {"stored": len(rows), "in_hsm": len(in_hsm),
                "unacked_stored": len((rows | set(in_hsm)) - {a.uid for a in acked}),
                "verified": len(fresh) + len(old), "verify_s": time.monotonic() - began}

    # -- the test ---------------------------------------------------------------------------

    def test_kill9_under_create_load(self):
        t0 = time.monotonic()
        rng = random.Random(os.environ.get("KMS_TEST_SEED") or None)
        attempts: list[Attempt] = []
        checked: set[str] = set()
        self.restart_times: list[float] = []
        self.names: list[str] = []
        self.leftovers: list[str] = []
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
            # SoftHSM2 sometimes fails concurrent token-object creation (SoftHSMv2 issue 573: a race
            # in its file store answers CKR_GENERAL_ERROR or CKR_TEMPLATE_INCONSISTENT) and stores
            # nothing; kmsd passes the refusal on (422 or 400).
            refused = [a for a in round_attempts if a.outcome.startswith("HTTP")
                       and not (a.wrapping == IN_HSM and ("CKR_GENERAL_ERROR" in a.outcome
                                                          or "CKR_TEMPLATE_INCONSISTENT" in a.outcome))]
            self.assertEqual(refused, [], f"round {rnd}: Creates refused before the kill: "
                             + "; ".join(f"{a.name}: {a.outcome}" for a in refused[:5]))
            self.assertGreaterEqual(acked, MIN_ACKED_PER_ROUND, f"round {rnd}: only {acked} Creates answered in "
                                    f"{delay:.2f} s:\n{self.kmsd.log_tail()}")

            self.restart_with(kek)  # verification on the restarted kmsd, with the same KEK setting
            figures = self.check_store(rnd, attempts, checked)
            self.kmsd.stop()  # clean stop: the next round starts its kmsd itself
            sys.stderr.write(f"  {self.kmsd.store_kind} round {rnd} ({'KEK' if kek else 'no KEK'}): killed after "
                             f"{delay:.2f} s, {len(round_attempts)} Creates sent, {acked} acknowledged; "
                             f"{figures['stored']} objects stored and {figures['in_hsm']} keys in the HSM in all "
                             f"({figures['unacked_stored']} made "
                             f"but not acknowledged); {figures['verified']} verified in {figures['verify_s']:.1f} s\n")
        total_acked = sum(1 for a in attempts if a.uid is not None)
        self.assertGreaterEqual(len(checked), total_acked)
        elapsed = time.monotonic() - t0
        sys.stderr.write(f"  {ROUNDS} rounds, {total_acked} keys acknowledged, restarts "
                         f"{max(self.restart_times):.2f} s at most, {elapsed:.1f} s in all\n")
        if self.leftovers:
            sys.stderr.write(f"  half-made HSM keys of Creates never answered, destroyed and made again: "
                             f"{self.leftovers}\n")
        self.assertLess(elapsed, SCENARIO_LIMIT_S, "the scenario took too long")
        self.assertNotIn(PIN, self.kmsd.log_text(), "the token PIN is in the kmsd log")


def softhsm_records(data: bytes) -> list[tuple[int, int]]:
    """(attribute type, end offset) of each record of a SoftHSM2 file-store object (ObjectFile:
    a 64-bit generation, then per attribute a 64-bit type, a 64-bit kind, and a bool byte, a
    64-bit integer, or a 64-bit length and that many bytes)."""
    records, offset = [], 8
    while offset + 16 <= len(data):
        attribute, kind = struct.unpack(">QQ", data[offset:offset + 16])
        offset += 16
        if kind == 1:
            offset += 1
        elif kind == 2:
            offset += 8
        else:
            (length,) = struct.unpack(">Q", data[offset:offset + 8])
            offset += 8 + length
        records.append((attribute, offset))
    return records


CKA_LABEL = 0x3


class HalfWrittenHsmObject(unittest.TestCase):
    """What kill -9 in the middle of an hsm:: Create can leave in SoftHSM2 (which runs inside kmsd
    and writes an object file record by record), made deterministic: the object file of a new key
    cut right after its CKA_LABEL record, as if the process died there. Its CKA_KEY_TYPE is gone,
    and reading it answers CKR_ATTRIBUTE_VALUE_INVALID. The other keys of the slot must stay
    visible to Locate and usable; before the fix, the listing of the whole slot failed on that
    one object and Locate silently answered none of the slot's keys."""

    def test_half_written_object_hides_no_other_key(self):
        with SoftHsm(tokens=1, pin=PIN, label_prefix="halfmade") as hsm:
            slot = hsm.tokens[0].slot_id
            pins = Path(hsm.directory) / "pins.txt"
            pins.write_text(PIN + "\n")
            pins.chmod(0o600)
            config = CONFIG.format(plugins=ARGS.plugins_dir, kek="", admin=ADMIN, slot=slot, pins=pins)
            kmsd = Kmsd(default_binary(), config_text=config, env={"SOFTHSM2_CONF": str(hsm.conf)}, store="sqlite")
            self.addCleanup(kmsd.cleanup)
            kmsd.start()
            prefix = f"hsm::softhsm2::{slot}::"

            def object_files() -> set[Path]:
                return set(Path(hsm.directory).glob("tokens/*/*.object"))

            for label in ("keeper-1", "keeper-2", "victim"):
                before = object_files()
                status, body = kmsd.post_json("/kmip/2_1", create_hsm_aes(prefix + label))
                self.assertEqual(status, 200, f"Create {label}: {body}")
            kmsd.stop()

            # The victim's file: the one its Create added (attribute values of private objects are
            # encrypted in the file, their types are not).
            files = sorted(object_files() - before)
            self.assertEqual(len(files), 1, f"the victim's object file: {files}")
            data = files[0].read_bytes()
            cut = next((end for attribute, end in softhsm_records(data) if attribute == CKA_LABEL), None)
            self.assertIsNotNone(cut, "no CKA_LABEL record in the victim's object file (SoftHSM2 format changed?)")
            files[0].write_bytes(data[:cut])

            kmsd.start()
            client = Client(kmsd, CLIENT_TIMEOUT_S)
            self.addCleanup(client.close)
            status, body = client.post(st("Locate", st("Attributes", e("ObjectType", "SymmetricKey"))))
            self.assertEqual(status, 200, f"Locate: {body}")
            located = uids_of(body)
            for label in ("keeper-1", "keeper-2"):
                self.assertIn(prefix + label, located, f"one half-written object in the slot hid {label} from "
                              f"Locate (located: {located}); kmsd log:\n{kmsd.log_tail(8)}")
                self.assertIsNone(roundtrip_error(client, prefix + label))
            self.assertNotIn(prefix + "victim", located, "the half-written object is located as a key")
            status, body = client.post(encrypt(prefix + "victim", MESSAGE))
            self.assertNotEqual(status, 200, f"Encrypt with the half-written key: {body}")
            self.assertTrue(kmsd.alive(), "kmsd died")


if __name__ == "__main__":
    main()
