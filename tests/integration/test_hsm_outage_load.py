#!/usr/bin/env python3
"""An HSM outage under concurrent load (issue 22, "Durability and faults"), on a real SoftHSM2
token seen through the fault-injecting PKCS#11 module tests/fixtures/faultyp11 (as in
test_hsm_fault.py, which checks the outage request by request; this test checks it under load):

    test_hsm_outage_load.py --kmsd BUILD/core/kmsd --plugins-dir BUILD/plugins [-v]

Client threads, each on its own keep-alive connection, send requests without pause: Encrypt
with keys of the database stored in clear, Create of such keys, Encrypt with HSM-wrapped keys
already in the unwrapped-key cache (none of these needs the HSM), Encrypt with the HSM key
itself, Encrypt with HSM-wrapped keys never used (cache misses: each needs an unwrap in the HSM)
and Create of keys wrapped by the HSM key. After a baseline with the HSM up, the token fails:

- test_outage_under_load: it refuses every call (the shim's switch file: CKR_DEVICE_REMOVED) for
  OUTAGE_S, twice; THREADS threads send the whole mix. Everything that needs the HSM answers 503
  "HSM unavailable", fast (each within FAIL_FAST_S, a fraction of the 10 s HSM call timeout).
- test_frozen_hsm_under_load: it stops answering (the shim's hang file: every call blocks) for
  FREEZE_S, longer than the call timeout; clients that need the HSM (more than its call slots)
  and clients that do not are separate threads. An HSM request is answered 200 or 503
  "HSM unavailable", each refusal within the call timeout + MARGIN_S; only the calls already
  inside the HSM (at most one per call slot) wait for it to answer.

In both: during the fault, everything that needs no HSM keeps answering 200 at about its
baseline latency (no request stuck behind the HSM); once the token is back, every kind of request
succeeds again within RECOVERY_S without a restart, and all keeps succeeding; the keys never
unwrapped during the fault work; a wrapped-key Create refused during the fault stored nothing:
the database holds exactly the wrapped keys whose Create was answered 200.
"""

from __future__ import annotations

import random
import shutil
import sys
import tempfile
import threading
import time
import unittest
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))

from servers import faulty_hsm_kmsd, faulty_p11_path, main  # noqa: E402
from kmsd import value  # noqa: E402
from kmip_requests import create_aes, create_hsm_aes, encrypt  # noqa: E402
from load import MESSAGE, Client, Sample, percentile, roundtrip_error, timed  # noqa: E402
from softhsm import SoftHsm  # noqa: E402

THREADS = 6
CYCLES = 2
BASELINE_S = 2.0
OUTAGE_S = 3.0
RECOVERY_S = 10.0
STEADY_S = 1.5             # load kept on after recovery, all of which must succeed
CALL_TIMEOUT_S = 10.0      # kmsd's HSM call timeout (hsm::InstanceConfig::callTimeout)
FAIL_FAST_S = 2.0          # an HSM request refused during the outage answers within this
NO_HSM_MAX_S = 2.0         # no request that needs no HSM takes longer, outage or not
MARGIN_S = 3.0
FREEZE_S = 12.0            # > CALL_TIMEOUT_S: the hang detection and the timeout both answer
NO_HSM_THREADS = 3
FROZEN_HSM_THREADS = 6     # > INLINE_SLOTS: some wait for a slot
INLINE_SLOTS = 4           # kmsd's default HSM call slots (hsm::InstanceConfig::threads)
CLIENT_TIMEOUT_S = 30.0    # > FREEZE_S + MARGIN_S: a request stuck on the HSM shows as slow, not lost
SCENARIO_LIMIT_S = 90.0
UNCACHED_KEYS = 40
PIN = "Outage-Load-PIN-73291"
ADMIN = "admin"  # no authentication configured: every request acts as the default user

# Request kinds, and whether each needs the HSM.
NO_HSM = ("db-encrypt", "db-create", "cached-encrypt")
NEEDS_HSM = ("hsm-encrypt", "uncached-encrypt", "wrapped-create")
MIX = ("db-encrypt", "hsm-encrypt", "db-create", "uncached-encrypt", "cached-encrypt", "db-encrypt",
       "wrapped-create", "cached-encrypt")

class Window:
    """An outage as the test made it: the switch file created between `down0` and `down1`,
    removed between `up0` and `up1` (the clock is read on both sides: the test thread may wait
    for the GIL a few ms after each file operation, while the workers send requests)."""

    def __init__(self, down0: float, down1: float, up0: float, up1: float):
        self.down0, self.down, self.up0, self.up = down0, down1, up0, up1
        self.recovered: float | None = None

    def inside(self, s: Sample) -> bool:
        """Sent once the HSM was cut off and answered before it came back."""
        return s.start >= self.down and s.start + s.duration <= self.up0

    def overlaps(self, s: Sample) -> bool:
        """Running at some moment when the HSM may have been cut off."""
        return self.down0 <= s.start + s.duration and s.start <= self.up


class HsmOutageUnderLoad(unittest.TestCase):
    def setUp(self):
        self.shim = faulty_p11_path()
        self.tmp = Path(tempfile.mkdtemp(prefix="kmsd-outage-load-"))
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.switch = self.tmp / "hsm-down"
        self.hang = self.tmp / "hsm-frozen"
        self.addCleanup(self.switch.unlink, True)
        self.addCleanup(self.hang.unlink, True)
        self.shim_log = self.tmp / "faultyp11.log"
        self.hsm = SoftHsm(tokens=1, pin=PIN, label_prefix="outload").start()
        self.addCleanup(self.hsm.stop)
        self.slot = self.hsm.tokens[0].slot_id
        self.kmsd = faulty_hsm_kmsd(self.tmp, self.hsm, ADMIN, self.shim, hang=True)
        self.kmsd.start()
        self.addCleanup(self.kmsd.cleanup)
        self.client = Client(self.kmsd, CLIENT_TIMEOUT_S)
        self.addCleanup(self.client.close)

        self.hsm_key = f"hsm::softhsm2::{self.slot}::load-kek"
        self.ok(create_hsm_aes(self.hsm_key), "Create of the HSM key")
        self.db_keys = [self.new_key(None) for _ in range(4)]
        self.cached = [self.new_key(self.hsm_key) for _ in range(4)]
        for uid in self.db_keys + self.cached:
            self.assertIsNone(roundtrip_error(self.client, uid))  # the wrapped ones are cached now
        # One pool of never-used wrapped keys per outage, drawn from from its start on: a key leaves
        # its pool when an Encrypt with it succeeds (it is cached then), so that every request of
        # the kind "uncached-encrypt" is a cache miss. With no pool open (before the first outage)
        # or an empty one, that request is an Encrypt with the HSM key instead.
        self.pools = [[self.new_key(self.hsm_key) for _ in range(UNCACHED_KEYS)] for _ in range(CYCLES)]
        self.uncached = [uid for pool in self.pools for uid in pool]
        self.pool: list[str] = []

    # -- helpers ----------------------------------------------------------------------------

    def ok(self, node: dict, what: str) -> dict:
        status, body = self.client.post(node)
        self.assertEqual(status, 200, f"{what}: HTTP {status}: {str(body)[:300]}")
        return body

    def new_key(self, wrapping: str | None) -> str:
        uid = value(self.ok(create_aes(wrapping=wrapping), f"Create (wrapped by {wrapping})"), "UniqueIdentifier")
        self.assertTrue(isinstance(uid, str) and not uid.startswith("hsm::"), uid)
        return uid

    def request(self, client: Client, kind: str, rng: random.Random, serial: list[int], lock: threading.Lock) -> Sample:
        if kind == "db-encrypt":
            return timed(client, "Encrypt", kind, encrypt(rng.choice(self.db_keys), MESSAGE))
        if kind == "cached-encrypt":
            return timed(client, "Encrypt", kind, encrypt(rng.choice(self.cached), MESSAGE))
        if kind == "hsm-encrypt":
            return timed(client, "Encrypt", kind, encrypt(self.hsm_key, MESSAGE))
        if kind == "uncached-encrypt":
            with lock:
                uid = self.pool.pop(rng.randrange(len(self.pool))) if self.pool else None
            if uid is None:
                return timed(client, "Encrypt", "hsm-encrypt", encrypt(self.hsm_key, MESSAGE))
            s = timed(client, "Encrypt", kind, encrypt(uid, MESSAGE))
            if s.status != 200:
                with lock:
                    self.pool.append(uid)  # still never unwrapped
            return s
        if kind == "db-create":
            return timed(client, "Create", kind, create_aes())
        with lock:
            serial[0] += 1
            name = f"outage-load-wrapped-{serial[0]}"
        s = timed(client, "Create", kind, create_aes(name=name, wrapping=self.hsm_key))
        s.op = name  # the name, to find what it stored
        return s

    def worker(self, n: int, mix: tuple[str, ...], stop: threading.Event, samples: list[Sample],
               serial: list[int], lock: threading.Lock) -> None:
        rng = random.Random(n)
        client = Client(self.kmsd, CLIENT_TIMEOUT_S)
        k = n  # each thread starts at another place in its mix
        try:
            while not stop.is_set():
                kind = mix[k % len(mix)]
                k += 1
                s = self.request(client, kind, rng, serial, lock)
                with lock:
                    samples.append(s)
                if s.status != 200:
                    time.sleep(0.005)  # refusals come fast: leave the CPU to the others
        finally:
            client.close()

    def drive(self, mixes: list[tuple[str, ...]], fault: Path, cycles: int,
              fault_s: float) -> tuple[list[Sample], list[Window], float]:
        """One client thread per mix; `cycles` times: a baseline, then `fault` (the switch or the
        hang file) for `fault_s`, then until every kind needing the HSM succeeded again (at
        most RECOVERY_S) and STEADY_S more. Returns the samples, the fault windows, the start."""
        samples: list[Sample] = []
        lock = threading.Lock()
        stop = threading.Event()
        serial = [0]
        windows: list[Window] = []
        threads = [threading.Thread(target=self.worker, args=(n, mix, stop, samples, serial, lock), daemon=True)
                   for n, mix in enumerate(mixes)]
        kinds = sorted({kind for mix in mixes for kind in mix if kind in NEEDS_HSM})
        t0 = time.monotonic()
        for th in threads:
            th.start()
        try:
            for cycle in range(cycles):
                time.sleep(BASELINE_S)
                down0 = time.monotonic()
                fault.touch()
                down1 = time.monotonic()
                with lock:
                    self.pool = self.pools[cycle]
                time.sleep(fault_s)
                up0 = time.monotonic()
                fault.unlink()
                up = time.monotonic()
                window = Window(down0, down1, up0, up)
                windows.append(window)
                # Recovery: each kind that needs the HSM succeeds again, in a request sent after.
                while time.monotonic() - up < RECOVERY_S:
                    with lock:
                        firsts = [min((s.start + s.duration for s in samples
                                       if s.kind == kind and s.status == 200 and s.start >= up), default=None)
                                  for kind in kinds]
                    if None not in firsts:
                        window.recovered = max(firsts)
                        break
                    time.sleep(0.05)
                time.sleep(STEADY_S)
        finally:
            fault.unlink(missing_ok=True)
            stop.set()
            for th in threads:
                th.join(timeout=CLIENT_TIMEOUT_S + 5)
        self.assertFalse(any(th.is_alive() for th in threads), "a client thread is stuck")
        self.assertTrue(self.kmsd.alive(), "kmsd died:\n" + self.kmsd.log_tail())
        return samples, windows, t0

    def shim_lines(self, word: str) -> int:
        try:
            return sum(1 for line in self.shim_log.read_text().splitlines() if line.startswith(word + " "))
        except FileNotFoundError:
            return 0

    # -- the tests --------------------------------------------------------------------------

    def test_outage_under_load(self):
        """The token refuses every call (CKR_DEVICE_REMOVED), twice, under a mixed load."""
        samples, windows, t0 = self.drive([MIX] * THREADS, self.switch, CYCLES, OUTAGE_S)
        self.assertGreater(self.shim_lines("inject"), 0, "the shim refused no call: this test did not test it")
        phase, summary = self.check_common(samples, windows)
        # The HSM ones fail fast and say why.
        hsm_out = [s for s, p in zip(samples, phase) if s.kind in NEEDS_HSM and p == "outage"]
        for kind in NEEDS_HSM:
            self.assertTrue(any(s.kind == kind for s in hsm_out), f"no {kind} during the outages\n{summary}")
        wrong = [s for s in hsm_out if s.status != 503 or "HSM unavailable" not in str(s.body)]
        self.assertEqual(wrong, [], f"HSM requests during the outage not answered 503 'HSM unavailable': "
                         f"{wrong[:5]}\n{summary}")
        late = [s for s in hsm_out if s.duration > FAIL_FAST_S]
        self.assertEqual(late, [], f"HSM requests refused after over {FAIL_FAST_S} s (call timeout "
                         f"{CALL_TIMEOUT_S:g} s): {late[:5]}\n{summary}")
        edge_slow = [s for s in samples if s.duration > CALL_TIMEOUT_S + MARGIN_S]
        self.assertEqual(edge_slow, [], f"requests beyond the HSM call timeout: {edge_slow[:5]}\n{summary}")
        self.check_after(samples, t0)

    def test_frozen_hsm_under_load(self):
        """The token stops answering (every call blocks, as behind a frozen link) for longer than
        the HSM call timeout. Clients that need no HSM and clients that do are separate threads
        (a client stuck on the HSM sends nothing else). The HSM clients outnumber the inline
        call slots, so that some wait for a slot and get the timeout's 503."""
        mixes = [NO_HSM] * NO_HSM_THREADS + [NEEDS_HSM] * FROZEN_HSM_THREADS
        samples, windows, t0 = self.drive(mixes, self.hang, 1, FREEZE_S)
        self.assertGreater(self.shim_lines("hang"), 0, "no call reached the frozen HSM: this test did not test it")
        phase, summary = self.check_common(samples, windows)
        hsm = [s for s, p in zip(samples, phase) if s.kind in NEEDS_HSM and p != "up"]
        wrong = [s for s in hsm
                 if s.status not in (200, 503) or (s.status == 503 and "HSM unavailable" not in str(s.body))]
        self.assertEqual(wrong, [], f"HSM requests during the freeze answered other than 200 or 503 'HSM unavailable': "
                         f"{wrong[:5]}\n{summary}")
        refused = [s for s in hsm if s.status == 503]
        self.assertTrue(refused, f"no HSM request was refused during the freeze: the call timeout never "
                        f"answered\n{summary}")
        bound = CALL_TIMEOUT_S + MARGIN_S
        slow_refusals = [s for s in refused if s.duration > bound]
        self.assertEqual(slow_refusals, [], f"refusals after over {bound:g} s (call timeout {CALL_TIMEOUT_S:g} s "
                         f"+ {MARGIN_S:g} s): {slow_refusals[:5]}\n{summary}")
        # Only calls already inside the HSM wait for it beyond the call timeout (an inline call
        # cannot be abandoned, DriverInstance.hpp): at most one per inline call slot.
        stuck = [s for s in hsm if s.duration > bound]
        self.assertLessEqual(len(stuck), INLINE_SLOTS, f"{len(stuck)} HSM requests waited over {bound:g} s, more "
                             f"than the {INLINE_SLOTS} inline call slots: {stuck[:6]}\n{summary}")
        self.assertTrue(all(s.duration <= FREEZE_S + MARGIN_S for s in stuck), f"{stuck}\n{summary}")
        self.check_after(samples, t0)

    # -- checks -----------------------------------------------------------------------------

    def check_common(self, samples: list[Sample], windows: list[Window]) -> tuple[list[str], str]:
        """What holds for any fault: every request answered; while the HSM is up (before the
        fault, and once recovered) everything succeeds; during the fault, what needs no HSM
        succeeds at its baseline latency; recovery within RECOVERY_S without restart. Returns
        each sample's phase ("up", "outage": sent and answered within the fault, "edge") and a
        summary of the figures."""
        def where(s: Sample) -> str:
            for w in windows:
                if w.inside(s):
                    return "outage"
                if w.overlaps(s):
                    return "edge"  # straddles a switch: either answer is right
            return "up"

        phase = [where(s) for s in samples]
        first_down = windows[0].down0

        def durations(kinds, in_phase, before_first=False) -> list[float]:
            return [s.duration for s, p in zip(samples, phase) if s.kind in kinds and p == in_phase and s.status == 200
                    and (not before_first or s.start + s.duration < first_down)]

        def ms(values: list[float]) -> list[float]:
            return [round(1000 * percentile(values, q), 1) for q in (0.5, 0.95, 1.0)]

        base = durations(NO_HSM, "up", before_first=True)
        during = durations(NO_HSM, "outage")
        hsm_during = [s.duration for s, p in zip(samples, phase)
                      if s.kind in NEEDS_HSM and p != "up" and s.status != 200]
        figures = {
            "requests": len(samples),
            "by kind, phase, status": dict(Counter(f"{s.kind}/{p}/{s.status}" for s, p in zip(samples, phase))),
            "no-HSM p50/p95/max ms, baseline": ms(base),
            "no-HSM p50/p95/max ms, fault": ms(during),
            "HSM refusals p50/p95/max ms": ms(hsm_during),
            "recovered after (s)": [round(w.recovered - w.up, 2) if w.recovered else None for w in windows],
        }
        summary = "; ".join(f"{k}: {v}" for k, v in figures.items())
        sys.stderr.write(f"  {self._testMethodName}: {summary}\n")

        lost = [s for s in samples if s.error is not None]
        self.assertEqual(lost, [], f"requests without an answer: {lost[:5]}\n{summary}")

        # While the HSM is up (before, between and after the faults, once recovered), everything works.
        def recovered(s: Sample) -> bool:
            return not any(w.up <= s.start and (w.recovered is None or s.start < w.recovered) for w in windows)

        failed_up = [s for s, p in zip(samples, phase) if p == "up" and recovered(s) and s.status != 200]
        self.assertEqual(failed_up, [], f"failures while the HSM was up: {failed_up[:5]}\n{summary}")

        # During the fault: no HSM needed, no difference.
        no_hsm = [s for s, p in zip(samples, phase) if s.kind in NO_HSM and p == "outage"]
        self.assertGreater(len(no_hsm), 20, f"too few requests without the HSM during the fault\n{summary}")
        broken = [s for s in no_hsm if s.status != 200]
        self.assertEqual(broken, [], f"requests that need no HSM failed during the fault: {broken[:5]}\n{summary}")
        slow = [s for s in samples if s.kind in NO_HSM and s.duration > NO_HSM_MAX_S]
        self.assertEqual(slow, [], f"requests that need no HSM took over {NO_HSM_MAX_S} s: {slow[:5]}\n{summary}")
        # "Normal latency": the median and the 95th percentile stay within a small multiple of the
        # baseline's (plus a floor for a busy shared machine); a request waiting on the HSM (its
        # call timeout is 10 s) would be far beyond.
        for q, factor, floor in ((0.5, 4.0, 0.02), (0.95, 4.0, 0.15)):
            bound = factor * percentile(base, q) + floor
            self.assertLessEqual(percentile(during, q), bound,
                                 f"no-HSM requests: p{int(q * 100)} during the fault "
                                 f"{1000 * percentile(during, q):.1f} ms > {1000 * bound:.1f} ms\n{summary}")

        # Recovery without restart, within RECOVERY_S of the HSM coming back.
        for n, w in enumerate(windows, 1):
            self.assertIsNotNone(w.recovered, f"fault {n}: not every kind of HSM request succeeded within "
                                 f"{RECOVERY_S:g} s of the HSM coming back\n{summary}\n{self.kmsd.log_tail()}")
        return phase, summary

    def check_after(self, samples: list[Sample], t0: float) -> None:
        """The keys never unwrapped meanwhile work; refused wrapped Creates stored nothing."""
        problems = [p for p in (roundtrip_error(self.client, uid) for uid in self.uncached + self.cached) if p]
        self.assertEqual(problems, [], f"wrapped keys after the fault: {problems[:5]}")
        created = {s.op for s in samples if s.kind == "wrapped-create" and s.status == 200}
        stored = {r[0] for r in self.kmsd.sql("SELECT name FROM object_names WHERE name LIKE 'outage-load-wrapped-%'")}
        self.assertEqual(stored, created, f"wrapped Creates: stored but refused {sorted(stored - created)[:5]}, "
                         f"answered 200 but not stored {sorted(created - stored)[:5]}")
        self.assertTrue(self.kmsd.alive(), "kmsd died")
        self.assertNotIn(PIN, self.kmsd.log_text(), "the token PIN is in the kmsd log")
        self.assertLess(time.monotonic() - t0, SCENARIO_LIMIT_S, "the scenario took too long")

if __name__ == "__main__":
    main()
