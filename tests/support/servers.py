"""Test support: the kmsd setups the integration tests share, and their command line.

- `main()` / `parse_args()`: every test script takes `--kmsd BIN` and `--plugins-dir DIR` (read
  into ARGS) and passes the rest to unittest; `-v` also sets KMSD_TEST_VERBOSE (log tails).
- `kmip_as(kmsd, node, headers)`: one JSON TTLV request as a user (HTTP status, body).
- `hsm_args(...)`: the kmsd flags of the flat softhsm2 instance on some slots (PINs in a file).
- `Server`: kmsd (SQLite or the selected store) with a softhsm2 instance and JWT users;
  `Server.on_softhsm(...)` also makes the temporary directory and the SoftHSM2 tokens it runs on.

Standard library only.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path
from typing import Any, Callable, Iterable

sys.path.insert(0, str(Path(__file__).resolve().parent))
from credentials import JwtUsers  # noqa: E402
from kmsd import Kmsd, default_binary, take_kmsd_arg  # noqa: E402
from softhsm import SoftHsm  # noqa: E402

KMIP = "/kmip/2_1"
ARGS = argparse.Namespace(plugins_dir=None)


# ---------------------------------------------------------------------------------------------
# The command line of a test script
# ---------------------------------------------------------------------------------------------

def parse_args() -> list[str]:
    """Takes --kmsd BIN and --plugins-dir DIR out of sys.argv; returns the rest for unittest."""
    argv = take_kmsd_arg(sys.argv[1:])
    rest: list[str] = []
    idx = 0
    while idx < len(argv):
        if argv[idx] == "--plugins-dir" and idx + 1 < len(argv):
            ARGS.plugins_dir = argv[idx + 1]
            idx += 2
            continue
        rest.append(argv[idx])
        idx += 1
    if ARGS.plugins_dir is None:
        ARGS.plugins_dir = os.environ.get("KMS_TEST_PLUGINS_DIR", str(Path(__file__).resolve().parents[2] / "build" / "plugins"))
    # kmsd runs in its own temporary directory: a relative path would name nothing there.
    ARGS.plugins_dir = os.path.abspath(ARGS.plugins_dir)
    return [sys.argv[0]] + rest


def main() -> None:
    """unittest.main() on the arguments parse_args() leaves; `-v` turns on KMSD_TEST_VERBOSE."""
    argv = parse_args()
    if "-v" in argv and os.environ.get("KMSD_TEST_VERBOSE") is None:
        os.environ["KMSD_TEST_VERBOSE"] = "1"
    unittest.main(argv=argv)


def kmsd_help(binary: str) -> str:
    r = subprocess.run([binary, "--help"], capture_output=True, text=True, timeout=15,
                       stdin=subprocess.DEVNULL)
    return r.stdout + r.stderr


def body_limit_flag(binary: str) -> str:
    """The flag that sets the request body limit, read from `kmsd --help` (a flag with
    'body' in its name); `--max-body-size` if none is listed."""
    m = re.search(r"(--[a-z0-9-]*body[a-z0-9-]*)", kmsd_help(binary))
    return m.group(1) if m else "--max-body-size"


def env_without_kms() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("KMS_")}


def non_loopback_address() -> str | None:
    """An IPv4 address of this machine that is not loopback (eth0's, ...), or None."""
    try:
        out = subprocess.run(["ip", "-4", "-o", "addr", "show"], capture_output=True, text=True,
                             timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    for line in out.splitlines():
        parts = line.split()
        if "inet" in parts:
            address = parts[parts.index("inet") + 1].split("/")[0]
            if not address.startswith("127."):
                return address
    return None


# ---------------------------------------------------------------------------------------------
# Requests as a user
# ---------------------------------------------------------------------------------------------

def kmip_as(kmsd: Kmsd, node: Any, headers: dict[str, str], path: str = KMIP) -> tuple[int, Any]:
    """POST `node` (JSON TTLV) with `headers` (a user's Authorization): (HTTP status, body)."""
    status, body, _ = kmsd.request("POST", path, json.dumps(node).encode(),
                                   {"Content-Type": "application/json", **headers})
    return status, body


def rest_as(kmsd: Kmsd, method: str, path: str, obj: Any, headers: dict[str, str]) -> tuple[int, Any, dict]:
    """A REST request with a JSON body (`obj`, None: no body) and `headers`."""
    data = json.dumps(obj).encode() if obj is not None else None
    headers = dict(headers)
    if data is not None:
        headers["Content-Type"] = "application/json"
    return kmsd.request(method, path, data, headers)


_METRIC_LINE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)")
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse_metrics(text: str) -> dict[str, float]:
    """Prometheus text format -> {'name' or 'name{k="v",...}' (labels sorted): value}."""
    out: dict[str, float] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        m = _METRIC_LINE.match(line)
        if not m:
            continue
        name, labels, raw = m.groups()
        key = name
        if labels:
            pairs = sorted(_LABEL.findall(labels))
            key = name + "{" + ",".join(f'{k}="{v}"' for k, v in pairs) + "}"
        try:
            out[key] = float(raw)
        except ValueError:
            continue
    return out


# ---------------------------------------------------------------------------------------------
# kmsd with SoftHSM2 and JWT users
# ---------------------------------------------------------------------------------------------

def hsm_args(directory: Path, slots: Iterable[int], pin: str, admin: str | None = None) -> list[str]:
    """kmsd flags of the flat softhsm2 instance on `slots`, administered by `admin` (None: by
    kmsd's default); the PINs go to `directory`/pins.txt (mode 600), never on the command line."""
    slots = list(slots)
    pins = Path(directory) / "pins.txt"
    pins.write_text("".join(pin + "\n" for _ in slots))
    pins.chmod(0o600)
    args = ["--plugins-dir", ARGS.plugins_dir, "--hsm-model", "softhsm2"]
    if admin is not None:
        args += ["--hsm-admin", admin]
    for slot in slots:
        args += ["--hsm-slot", str(slot)]
    return args + ["--hsm-password-file", str(pins)]


ADMIN = "hsmadmin@example.com"
BOB = "bob@example.com"
ISSUER = "https://idp.wrap.test"
AUDIENCE = "kmsd-wrap"
DRIVER_CALLS = 'kms_hsm_driver_calls_total{instance="softhsm2"}'  # the Server's HSM calls in /metrics


class Server:
    """kmsd with the flat softhsm2 instance on `slots` (admin ADMIN; PINs in a file), JWT
    authentication (HS256, JWKS file) and tokens for ADMIN and BOB."""

    hsm: SoftHsm | None = None
    tmp: Path | None = None  # owned (removed by close()) only when made by on_softhsm

    def __init__(self, tmp: Path, slots: list[int], pin: str, extra_args: Iterable[str] = (),
                 env: dict | None = None):
        tmp = Path(tmp)
        tmp.mkdir(parents=True, exist_ok=True)
        self.users = JwtUsers(tmp, "wrap", ISSUER, AUDIENCE, (ADMIN, BOB))
        self.jwt = self.users.key
        self.tokens = self.users.tokens
        args = hsm_args(tmp, slots, pin, ADMIN) + self.users.args() + list(extra_args)
        self.kmsd = Kmsd(default_binary(), extra_args=args, env=env)

    @classmethod
    def on_softhsm(cls, prefix: str, *, tokens: int = 1,
                   extra_args: Iterable[str] | Callable[[SoftHsm], Iterable[str]] = ()) -> "Server":
        """A started Server on the first of `tokens` fresh SoftHSM2 tokens, in a temporary
        directory of its own; `extra_args` may be a function of the SoftHsm (to name its slots).
        close() stops kmsd and the tokens and removes the directory."""
        tmp = Path(tempfile.mkdtemp(prefix=f"kmsd-{prefix}-"))
        hsm = None
        try:
            hsm = SoftHsm(tokens=tokens, label_prefix=prefix.replace("-", "")).start()
            more = extra_args(hsm) if callable(extra_args) else extra_args
            srv = cls(tmp / "srv", [hsm.tokens[0].slot_id], hsm.tokens[0].pin, more)
            srv.hsm, srv.tmp = hsm, tmp
            srv.start()
            return srv
        except BaseException:
            if hsm is not None:
                hsm.stop()
            shutil.rmtree(tmp, ignore_errors=True)
            raise

    @property
    def slot(self) -> int:
        assert self.hsm is not None, "Server.slot: only for Server.on_softhsm"
        return self.hsm.tokens[0].slot_id

    def start(self) -> "Server":
        self.kmsd.__enter__()
        return self

    def cleanup(self) -> None:
        self.kmsd.cleanup()

    def close(self, log_lines: int = 20) -> None:
        """cleanup(), after the log tail on stderr when KMSD_TEST_VERBOSE is set; then the tokens
        and the directory of on_softhsm."""
        if os.environ.get("KMSD_TEST_VERBOSE"):
            sys.stderr.write(f"--- kmsd log tail ---\n{self.kmsd.log_tail(log_lines)}\n")
        self.cleanup()
        if self.hsm is not None:
            self.hsm.stop()
        if self.tmp is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def call(self, node: dict, user: str = ADMIN) -> tuple[int, Any]:
        return kmip_as(self.kmsd, node, self.users.headers(user))

    def rest(self, method: str, path: str, obj: Any = None, user: str = ADMIN) -> tuple[int, Any, dict]:
        return rest_as(self.kmsd, method, path, obj, self.users.headers(user))

    def created(self, node: dict, user: str = ADMIN) -> dict:
        """The answer of a Create/CreateKeyPair/... that must succeed (AssertionError if not)."""
        status, body = self.call(node, user)
        if status != 200:
            raise AssertionError(f"create: HTTP {status}: {body}")
        return body

    def grant(self, uid: str, user: str, *rights: str, as_user: str = ADMIN) -> None:
        """POST /access/grant of `rights` on `uid` to `user`, which must succeed."""
        status, body, _ = self.rest("POST", "/access/grant",
                                    {"unique_identifier": uid, "user_id": user, "operation_types": list(rights)},
                                    as_user)
        if status != 200:
            raise AssertionError(f"grant {rights} on {uid} to {user}: HTTP {status}: {body}")

    def metrics(self) -> dict[str, float]:
        status, body, headers = self.rest("GET", "/metrics")
        if status != 200:
            raise AssertionError(f"GET /metrics -> HTTP {status}: {str(body)[:300]}")
        return parse_metrics(body if isinstance(body, str) else json.dumps(body))


# ---------------------------------------------------------------------------------------------
# An HSM that the test cuts off: tests/fixtures/faultyp11 in front of SoftHSM2
# ---------------------------------------------------------------------------------------------

FAULTY_CONFIG = """
plugins_dir = "{plugins}"

[[hsm_instances]]
hsm_model = "softhsm2"
hsm_admin = ["{admin}"]
hsm_slot = [{slot}]
hsm_password_file = "{pins}"
hsm_library = "{shim}"
"""


def faulty_p11_path() -> Path:
    """The fault-injecting PKCS#11 module of this build (KMS_TEST_FAULTY_P11 overrides);
    FileNotFoundError when it is not built."""
    named = os.environ.get("KMS_TEST_FAULTY_P11")
    shim = Path(named).resolve() if named else \
        Path(ARGS.plugins_dir).resolve().parent / "tests" / "fixtures" / "faultyp11" / "libkms_faultyp11.so"
    if not shim.is_file():
        raise FileNotFoundError(f"the fault-injecting PKCS#11 module is not built: {shim} "
                                "(cmake --build build --target kms_faultyp11, or set KMS_TEST_FAULTY_P11)")
    return shim


def faulty_hsm_kmsd(tmp: Path, hsm: SoftHsm, admin: str, shim: Path, *, hang: bool = False) -> Kmsd:
    """A (not started) kmsd whose softhsm2 instance on the first token of `hsm` goes through
    `shim`: the file tmp/hsm-down cuts the HSM off, tmp/hsm-frozen (with `hang`) freezes its
    calls; the shim logs to tmp/faultyp11.log."""
    tmp = Path(tmp)
    pins = tmp / "pins.txt"
    pins.write_text(hsm.tokens[0].pin + "\n")
    pins.chmod(0o600)
    config = FAULTY_CONFIG.format(plugins=ARGS.plugins_dir, admin=admin, slot=hsm.tokens[0].slot_id, pins=pins,
                                  shim=shim)
    env = {"FAULTYP11_TARGET": hsm.library, "FAULTYP11_SWITCH": str(tmp / "hsm-down"),
           "FAULTYP11_LOG": str(tmp / "faultyp11.log"), "SOFTHSM2_CONF": str(hsm.conf)}
    if hang:
        env["FAULTYP11_HANG"] = str(tmp / "hsm-frozen")
    return Kmsd(default_binary(), config_text=config, env=env)
