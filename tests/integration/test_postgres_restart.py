#!/usr/bin/env python3
"""PostgreSQL restarted under load (issue 8, point 5):

    test_postgres_restart.py --kmsd BUILD/core/kmsd [-v]

One kmsd on a PostgreSQL server of this test (tests/support/postgres.py; not the shared ctest
fixture, since the test stops it), started with `--database-statement-timeout 2s
--database-connect-timeout 2s` (kmsd's defaults when this build lacks the flags). Four client
threads Create AES keys (and Encrypt with keys already made) in a loop and record every Create
answered with HTTP 200. PostgreSQL is stopped (fast shutdown), left down for 2 s and started
again on the same port and data directory, while the load runs. Then:

- meanwhile, kmsd answers errors (HTTP 5xx), each within the configured timeouts plus a margin;
  no request hangs (client timeout 15 s: a timeout is a failure) and kmsd stays alive;
- kmsd recovers by itself: a Create succeeds within 10 s of PostgreSQL being back;
- every Create answered 200 is there afterwards (GetAttributes succeeds for each UID), and the
  database holds no more objects than Creates were sent (a retried Create is not duplicated).

A second scenario freezes PostgreSQL instead (SIGSTOP on every server process for 10 s, as
behind a network partition: nothing answers, nothing is closed) with the same checks: kmsd
must give up on its own (the server cannot enforce its statement_timeout while stopped).
"""

from __future__ import annotations

import os
import random
import signal
import sys
import threading
import time
import unittest
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))

from kmip_requests import create_aes, encrypt, uid_op  # noqa: E402
from kmsd import Kmsd, default_binary, value  # noqa: E402
from load import Sample  # noqa: E402
from servers import kmsd_help, main  # noqa: E402
import postgres  # noqa: E402

KMIP = "/kmip/2_1"
THREADS = 4
CLIENT_TIMEOUT_S = 15.0
STATEMENT_TIMEOUT_S = 2.0
CONNECT_TIMEOUT_S = 2.0
DEFAULT_TIMEOUT_S = 5.0      # kmsd's default for both when the flags are missing
MARGIN_S = 3.0
WARMUP_S = 3.0
DOWN_S = 2.0
RECOVERY_S = 10.0
FREEZE_S = 10.0     # longer than statement + connect timeout + margin
AFTER_RECOVERY_S = 2.0
MESSAGE = b"restart me"


class PostgresRestart(unittest.TestCase):
    def setUp(self):
        self.pg = postgres.Postgres().start()
        self.addCleanup(self.pg.stop)
        help_text = kmsd_help(default_binary())
        args: list[str] = []
        self.flags = all(f in help_text for f in ("--database-statement-timeout", "--database-connect-timeout"))
        if self.flags:
            args += ["--database-statement-timeout", f"{STATEMENT_TIMEOUT_S:g}s",
                     "--database-connect-timeout", f"{CONNECT_TIMEOUT_S:g}s"]
            self.statement_timeout, self.connect_timeout = STATEMENT_TIMEOUT_S, CONNECT_TIMEOUT_S
        else:
            sys.stderr.write("note: kmsd has no --database-statement-timeout/--database-connect-timeout: defaults\n")
            self.statement_timeout = self.connect_timeout = DEFAULT_TIMEOUT_S
        self.kmsd = Kmsd(default_binary(), extra_args=args, database_url=self.pg.url)
        self.kmsd.start()
        self.addCleanup(self.kmsd.cleanup)

    # -- load -------------------------------------------------------------------------------

    def request(self, op: str, node: dict) -> Sample:
        start = time.monotonic()
        try:
            status, body = self.kmsd.post_json(KMIP, node, timeout=CLIENT_TIMEOUT_S)
            return Sample(op, "load", start, time.monotonic() - start, status, None, body)
        except Exception as exc:  # noqa: BLE001 (a timeout or a dropped connection: recorded)
            return Sample(op, "load", start, time.monotonic() - start, None, f"{type(exc).__name__}: {exc}", None)

    def worker(self, stop: threading.Event, samples: list[Sample], created: list[str], lock: threading.Lock,
               seed: int) -> None:
        rnd = random.Random(seed)
        while not stop.is_set():
            with lock:
                known = list(created[-50:])
            if known and rnd.random() < 0.3:
                uid = rnd.choice(known)
                s = self.request("Encrypt", encrypt(uid, MESSAGE))
            else:
                s = self.request("Create", create_aes())
                if s.status == 200:
                    uid = value(s.body, "UniqueIdentifier")
                    if isinstance(uid, str) and uid:
                        with lock:
                            created.append(uid)
                    else:
                        s.error = f"Create answered 200 without a UniqueIdentifier: {str(s.body)[:200]}"
            with lock:
                samples.append(s)
            if s.status != 200:
                time.sleep(0.02)   # errors come fast: do not spin

    # -- faults -----------------------------------------------------------------------------

    def restart(self) -> tuple[float, float, str]:
        """Stop (fast shutdown), DOWN_S down, start on the same port and data directory."""
        began = time.monotonic()
        self.pg.halt("fast")
        stopped = time.monotonic()
        time.sleep(DOWN_S)
        self.pg.resume()
        return began, time.monotonic(), f"stop took {stopped - began:.2f} s, down {time.monotonic() - stopped:.2f} s"

    def server_processes(self) -> list[int]:
        """The postmaster and its children (pids), from /proc."""
        pids = [self.pg.pid]
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == self.pg.pid:
                    pids.append(int(entry.name))
        return pids

    def freeze(self) -> tuple[float, float, str]:
        """Every PostgreSQL process stopped (SIGSTOP) for FREEZE_S: the server neither answers
        nor closes its connections, as behind a network partition."""
        pids = self.server_processes()
        began = time.monotonic()
        try:
            for pid in pids:
                os.kill(pid, signal.SIGSTOP)
            time.sleep(FREEZE_S)
        finally:
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGCONT)
                except OSError:
                    pass
        return began, time.monotonic(), f"{len(pids)} server processes frozen {time.monotonic() - began:.2f} s"

    # -- the scenario -----------------------------------------------------------------------

    def under_load(self, fault) -> None:
        """Load, `fault` (returns when the server is back: (start, back, description)), checks."""
        samples: list[Sample] = []
        created: list[str] = []
        lock = threading.Lock()
        stop = threading.Event()
        threads = [threading.Thread(target=self.worker, args=(stop, samples, created, lock, n), daemon=True)
                   for n in range(THREADS)]
        t0 = time.monotonic()
        for th in threads:
            th.start()
        try:
            time.sleep(WARMUP_S)
            self.assertTrue(created, "no Create succeeded before the fault:\n" + self.kmsd.log_tail())
            fault_at, up_at, what = fault()
            # Recovery: a Create sent after the server is back succeeds within RECOVERY_S.
            recovered_at = None
            while time.monotonic() - up_at < RECOVERY_S + CLIENT_TIMEOUT_S:
                with lock:
                    ok_after = [s for s in samples if s.op == "Create" and s.status == 200 and s.start >= up_at]
                if ok_after:
                    recovered_at = min(s.start + s.duration for s in ok_after)
                    break
                time.sleep(0.05)
            time.sleep(AFTER_RECOVERY_S)
        finally:
            stop.set()
            for th in threads:
                th.join(timeout=CLIENT_TIMEOUT_S + 5)
        self.assertFalse(any(th.is_alive() for th in threads), "a client thread is stuck")
        log = self.kmsd.log_text()

        # -- what happened ---------------------------------------------------------------------
        outage = [s for s in samples if s.status != 200]
        by_status = Counter(s.status if s.error is None else "no answer" for s in samples)
        during = [s for s in samples if s.start + s.duration >= fault_at and s.start <= up_at]
        slowest = max((s.duration for s in during), default=0.0)
        summary = (f"{len(samples)} requests ({len(created)} keys created), answers {dict(by_status)}; {what}; "
                   f"slowest request during the fault {slowest:.2f} s; "
                   f"recovered {((recovered_at - up_at) if recovered_at else float('nan')):.2f} s after the server "
                   f"was back; timeouts: statement {self.statement_timeout:g} s, connect {self.connect_timeout:g} s"
                   f"{'' if self.flags else ' (kmsd defaults: flags missing)'}")
        sys.stderr.write(f"  {self._testMethodName}: {summary}\n")

        self.assertTrue(self.kmsd.alive(), "kmsd died:\n" + self.kmsd.log_tail())
        errors = [s for s in samples if s.error is not None]
        self.assertEqual(errors, [], "requests without an HTTP answer (hang or dropped connection): "
                         + "; ".join(f"{s.op} after {s.duration:.1f} s: {s.error}" for s in errors[:5])
                         + "\n" + summary)
        not_5xx = [s for s in outage if not (500 <= s.status < 600)]
        self.assertEqual(not_5xx, [], "errors other than 5xx: "
                         + "; ".join(f"{s.op}: HTTP {s.status}: {str(s.body)[:200]}" for s in not_5xx[:5]))
        # No request (answered with an error or, late, with success) takes longer than the
        # configured timeouts allow.
        bound = self.statement_timeout + self.connect_timeout + MARGIN_S
        slow = [s for s in samples if s.duration > bound]
        self.assertEqual(slow, [], f"requests slower than {bound:.1f} s (statement + connect timeout + "
                         f"{MARGIN_S:g} s): "
                         + "; ".join(f"{s.op}: {s.duration:.2f} s -> HTTP {s.status}" for s in slow[:5])
                         + "\n" + summary)
        self.assertTrue(outage, "no error at all while PostgreSQL was unavailable\n" + summary)
        self.assertIsNotNone(recovered_at, "no Create succeeded after the server was back\n" + summary + "\n"
                             + self.kmsd.log_tail())
        self.assertLess(recovered_at - up_at, RECOVERY_S, summary)
        # Requests that started once kmsd had recovered all succeed.
        late_failures = [s for s in samples if s.start > recovered_at + 0.5 and s.status != 200]
        self.assertEqual(late_failures, [], "failures after recovery: "
                         + "; ".join(f"{s.op}: HTTP {s.status}: {str(s.body)[:200]}" for s in late_failures[:5]))
        # Secrets never reach the log or the answers.
        self.assertNotIn(self.pg.password, log, "the database password is in kmsd's log")
        leaked = [s for s in outage if self.pg.password in str(s.body)]
        self.assertEqual(leaked, [], "the database password is in an error answer")

        # -- every Create answered 200 is there ------------------------------------------------
        self.assertEqual(len(set(created)), len(created), "a UID was answered twice")

        def check(uid: str) -> str | None:
            status, body = self.kmsd.post_json(KMIP, uid_op("GetAttributes", uid), timeout=CLIENT_TIMEOUT_S)
            return None if status == 200 else f"{uid}: HTTP {status}: {str(body)[:200]}"

        with ThreadPoolExecutor(THREADS) as pool:
            missing = [m for m in pool.map(check, created) if m]
        self.assertEqual(missing, [], f"{len(missing)} of {len(created)} created keys are missing: {missing[:5]}")
        creates_sent = sum(1 for s in samples if s.op == "Create")
        stored = int(postgres.psql(self.pg.url, "SELECT count(*) FROM objects", fields=True).strip())
        self.assertGreaterEqual(stored, len(created))
        self.assertLessEqual(stored, creates_sent, f"{stored} objects stored for {creates_sent} Creates sent")
        self.assertLess(time.monotonic() - t0, 45.0, "the scenario took too long")

    # -- the tests --------------------------------------------------------------------------

    def test_restart_under_load(self):
        self.under_load(self.restart)

    # kmsd's statement timeout is enforced by the server, which a frozen server cannot do: kmsd
    # closes a session itself once a round trip has waited the statement timeout + 1 s.
    def test_frozen_server_under_load(self):
        self.under_load(self.freeze)


if __name__ == "__main__":
    main()
