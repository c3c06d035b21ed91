"""Test support for the durability and fault-under-load tests (test_durability.py,
test_hsm_outage_load.py): kill -9 of a Kmsd, a keep-alive client per thread, timed samples and
an Encrypt/Decrypt round trip. Standard library only."""

from __future__ import annotations

import http.client
import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from kmip_requests import decrypt_encrypted, encrypt  # noqa: E402
from kmsd import Kmsd, value  # noqa: E402

KMIP = "/kmip/2_1"
MESSAGE = b"durable or absent, never half"


def kill9(kmsd: Kmsd) -> int:
    """SIGKILL the kmsd process (no handler runs, nothing is flushed or closed by kmsd), reap it
    and release what the Kmsd object holds, so that kmsd.start() runs it again on the same port,
    directory and database. Returns the exit status (-9)."""
    proc = kmsd.proc
    if proc is None or proc.poll() is not None:
        raise AssertionError(f"kmsd is not running (exit {None if proc is None else proc.returncode}):\n"
                             f"{kmsd.log_tail()}")
    proc.send_signal(signal.SIGKILL)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired as exc:  # only a kernel in trouble gets here
        raise AssertionError("kmsd survived SIGKILL for 10 s") from exc
    code = proc.returncode
    kmsd.stop()  # the process is gone: this only closes the log and forgets the handle
    return code


class Client:
    """One keep-alive HTTP connection to a kmsd (the way a real client library talks): requests go
    over the same connection until an error, after which the next request opens a new one."""

    def __init__(self, kmsd: Kmsd, timeout: float):
        self.kmsd = kmsd
        self.timeout = timeout
        self.conn: http.client.HTTPConnection | None = None

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def post(self, node: Any, path: str = KMIP) -> tuple[int, Any]:
        """(status, JSON body or text); raises OSError / http.client.HTTPException when no whole
        answer came (the connection is then dropped)."""
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.kmsd.port, timeout=self.timeout)
        headers = dict(self.kmsd.headers)
        headers["Content-Type"] = "application/json"
        try:
            self.conn.request("POST", path, body=json.dumps(node).encode(), headers=headers)
            resp = self.conn.getresponse()
            data = resp.read()
        except BaseException:
            self.close()
            raise
        if resp.will_close:
            self.close()
        text = data.decode("utf-8", errors="replace")
        try:
            return resp.status, json.loads(text)
        except ValueError:
            return resp.status, text


class Sample:
    """One timed request: op and kind as the test names them, monotonic start and duration,
    the HTTP status (None: no answer) and the error or body."""

    __slots__ = ("op", "kind", "start", "duration", "status", "error", "body")

    def __init__(self, op: str, kind: str, start: float, duration: float, status: int | None,
                 error: str | None, body: Any):
        self.op, self.kind, self.start, self.duration = op, kind, start, duration
        self.status, self.error, self.body = status, error, body

    def __repr__(self) -> str:
        what = self.error if self.error is not None else str(self.body)[:160]
        return f"{self.op}/{self.kind} at {self.start:.2f} took {self.duration * 1000:.0f} ms -> {self.status}: {what}"


def timed(client: Client, op: str, kind: str, node: Any) -> Sample:
    start = time.monotonic()
    try:
        status, body = client.post(node)
        return Sample(op, kind, start, time.monotonic() - start, status, None, body)
    except (OSError, http.client.HTTPException) as exc:
        return Sample(op, kind, start, time.monotonic() - start, None, f"{type(exc).__name__}: {exc}", None)


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile (0.0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = min(len(ordered) - 1, max(0, int(round(fraction * len(ordered) + 0.5)) - 1))
    return ordered[rank]


def roundtrip_error(client: Client, uid: str, data: bytes = MESSAGE) -> str | None:
    """None when Encrypt then Decrypt with `uid` gives `data` back; else what went wrong."""
    status, enc = client.post(encrypt(uid, data))
    if status != 200:
        return f"Encrypt {uid}: HTTP {status}: {str(enc)[:300]}"
    sealed = value(enc, "Data")
    if not isinstance(sealed, str) or bytes.fromhex(sealed) == data:
        return f"Encrypt {uid}: no cipher text: {str(enc)[:300]}"
    status, dec = client.post(decrypt_encrypted(uid, enc))
    if status != 200:
        return f"Decrypt {uid}: HTTP {status}: {str(dec)[:300]}"
    clear = value(dec, "Data")
    if not isinstance(clear, str) or bytes.fromhex(clear) != data:
        return f"Decrypt {uid}: other bytes than encrypted: {str(dec)[:300]}"
    return None
