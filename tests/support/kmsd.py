"""Test support: run a real kmsd process and talk JSON TTLV to it.

Standard library only. Used by tests/integration and tests/conformance.

    from kmsd import Kmsd, st, e, i, t, b
    with Kmsd(binary) as k:
        status, body = k.post_json("/kmip/2_1", st("Create", ...))

The binary comes from `--kmsd BIN` on the command line (see `take_kmsd_arg`) or from the
environment variable KMSD_BIN; `default_binary()` falls back to <repo>/build/core/kmsd.

Store: SQLite in the instance's own directory by default. With KMS_TEST_STORE=postgresql, every
Kmsd that does not choose its store itself runs on a fresh database of its own on the test
PostgreSQL server (URL: KMS_TEST_DATABASE_URL, or the file named by KMS_TEST_DATABASE_URL_FILE,
written by the ctest fixture `postgres`); restart() keeps it, cleanup() drops it. See
`Kmsd.store_kind`, `Kmsd.database_url`, `Kmsd.sql()` and `Kmsd.store_dump()`.
"""

from __future__ import annotations

import datetime as _dt
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Iterable, Mapping

sys.path.insert(0, str(Path(__file__).resolve().parent))
import postgres as _pg  # noqa: E402  (tests/support/postgres.py)

REPO_ROOT = Path(__file__).resolve().parents[2]
HEALTH_TIMEOUT_S = 20.0
STOP_GRACE_S = 10.0


# ---------------------------------------------------------------------------------------------
# Locating the binary
# ---------------------------------------------------------------------------------------------

def take_kmsd_arg(argv: list[str]) -> list[str]:
    """Remove `--kmsd BIN` / `--kmsd=BIN` from argv, export it as KMSD_BIN, return the rest."""
    rest: list[str] = []
    idx = 0
    while idx < len(argv):
        arg = argv[idx]
        if arg == "--kmsd" and idx + 1 < len(argv):
            os.environ["KMSD_BIN"] = argv[idx + 1]
            idx += 2
            continue
        if arg.startswith("--kmsd="):
            os.environ["KMSD_BIN"] = arg.split("=", 1)[1]
        else:
            rest.append(arg)
        idx += 1
    return rest


def default_binary() -> str:
    """KMSD_BIN if set, else <repo>/build/core/kmsd. Raises FileNotFoundError if not there."""
    candidate = os.environ.get("KMSD_BIN") or str(REPO_ROOT / "build" / "core" / "kmsd")
    if not os.path.isfile(candidate) or not os.access(candidate, os.X_OK):
        raise FileNotFoundError(
            f"kmsd binary not found or not executable: {candidate} "
            "(pass --kmsd BIN or set KMSD_BIN)")
    return candidate


def selected_store() -> str:
    """The store the suite runs on: "postgresql" when KMS_TEST_STORE says so (postgresql,
    postgres or pg), else "sqlite"."""
    kind = os.environ.get("KMS_TEST_STORE", "sqlite").strip().lower()
    if kind in ("postgresql", "postgres", "pg"):
        return "postgresql"
    if kind in ("", "sqlite", "sqlite3"):
        return "sqlite"
    raise ValueError(f"KMS_TEST_STORE={kind!r}: expected sqlite or postgresql")


def fixture_database_url() -> str:
    """The URL of the test PostgreSQL server (with its role's password); raises when none."""
    url = _pg.fixture_url()
    if not url:
        raise RuntimeError("PostgreSQL store asked for, but no server: set KMS_TEST_DATABASE_URL_FILE "
                           "(ctest fixture `postgres`: <build>/postgres-fixture/url) or "
                           "KMS_TEST_DATABASE_URL, or run `python3 tests/support/postgres.py start DIR`")
    return url


def _pg_field(text: str) -> str | bytes:
    """A psql field: BYTEA (hex output, "\\x...") as bytes, anything else as is."""
    if text.startswith("\\x") and len(text) % 2 == 0:
        try:
            return bytes.fromhex(text[2:])
        except ValueError:
            pass
    return text


_STORE_FLAGS = ("--database-type", "--sqlite-path", "--database-url")
_STORE_KEYS = ("database_type", "sqlite_path", "database_url")
_STORE_ENV = ("KMS_DATABASE_TYPE", "KMS_SQLITE_PATH", "KMS_DATABASE_URL")


def _arg_value(args: list[str], flag: str) -> str | None:
    """The last value given to `flag` (`--flag V` or `--flag=V`) in args, or None."""
    found = None
    for idx, arg in enumerate(args):
        if arg == flag and idx + 1 < len(args):
            found = args[idx + 1]
        elif arg.startswith(flag + "="):
            found = arg.split("=", 1)[1]
    return found


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (the kernel picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------------------------------------
# HTTP
# ---------------------------------------------------------------------------------------------

def _decode_body(data: bytes) -> Any:
    text = data.decode("utf-8", errors="replace")
    try:
        return json.loads(text)
    except ValueError:
        return text


def http_request(port: int, method: str, path: str, body: bytes | None = None,
                 headers: Mapping[str, str] | None = None, timeout: float = 30.0,
                 host: str = "127.0.0.1",
                 ssl_context: Any = None) -> tuple[int, Any, dict[str, str]]:
    """One request on a fresh connection: (status, JSON-or-text body, headers). With
    `ssl_context` (an ssl.SSLContext) the connection is HTTPS."""
    if ssl_context is not None:
        conn = http.client.HTTPSConnection(host, port, timeout=timeout, context=ssl_context)
    else:
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=dict(headers or {}))
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, _decode_body(data), {k.lower(): v for k, v in resp.getheaders()}
    finally:
        conn.close()


# ---------------------------------------------------------------------------------------------
# The process
# ---------------------------------------------------------------------------------------------

class Kmsd:
    """A kmsd process on a free loopback port with its own temporary data directory.

    binary:       path of kmsd (default: default_binary()).
    extra_args:   appended to the command line.
    config_text:  written to <dir>/<config_name> and passed as `--config FILE`. The strings
                  `{port}` and `{dir}` in it are replaced by the port and the directory.
    env:          extra environment variables (same `{port}`/`{dir}` substitution).
    ssl_context:  an ssl.SSLContext: kmsd serves HTTPS, and every request of this object
                  (the health probe included) goes through it.
    headers:      headers added to every request of this object (e.g. Authorization).
    default_flags: when True (default) the command line starts with
                  `--hostname 127.0.0.1 --port P --database-type sqlite --sqlite-path <dir>/db`;
                  set False to let a config file or the environment choose (then `.port` is
                  still picked, for the caller to put into the config or env).
                  On PostgreSQL (below) the store flags are `--database-type postgresql
                  --database-url <URL>` (the URL holds the throw-away test password, masked in
                  the "=== start" line of kmsd.log).
    store:        "sqlite" or "postgresql"; None (default): KMS_TEST_STORE. Used only when
                  default_flags is True and the caller chose no store itself (a --database-type,
                  --sqlite-path or --database-url argument, a database_type / sqlite_path /
                  database_url key in config_text, or KMS_DATABASE_TYPE / KMS_SQLITE_PATH /
                  KMS_DATABASE_URL in env): then the caller's choice stands, as before.
    database_url: run on this existing PostgreSQL database (e.g. a second node on the database
                  of another Kmsd: `database_url=a.database_url`); it is not dropped at cleanup.
                  Without it, a PostgreSQL Kmsd creates a fresh database `kms_<random>` on the
                  test server at its first start and drops it at cleanup.
    """

    def __init__(self, binary: str | None = None, extra_args: Iterable[str] = (),
                 config_text: str | None = None, env: Mapping[str, str] | None = None,
                 *, config_name: str = "kms.toml", default_flags: bool = True,
                 health_timeout: float = HEALTH_TIMEOUT_S, ssl_context: Any = None,
                 headers: Mapping[str, str] | None = None, store: str | None = None,
                 database_url: str | None = None):
        # Absolute, because kmsd runs with its temporary directory as working directory.
        self.binary = os.path.abspath(binary or default_binary())
        self.extra_args = list(extra_args)
        self.config_text = config_text
        self.extra_env = dict(env or {})
        self.config_name = config_name
        self.default_flags = default_flags
        self.health_timeout = health_timeout
        self.ssl_context = ssl_context
        self.headers = dict(headers or {})
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="kmsd-test-"))
        self.db_dir = self.dir / "db"
        self.db_dir.mkdir()
        self.log_path = self.dir / "kmsd.log"
        self.config_path: Path | None = None
        self.proc: subprocess.Popen | None = None
        self._log_file = None
        # The store: the caller's explicit choice, else `store`, else KMS_TEST_STORE.
        self._inject_store = False
        self._owns_database = False
        self._database_url: str | None = database_url
        explicit = self._explicit_store()
        if database_url is not None:
            self.store_kind = "postgresql"
            self._inject_store = default_flags and explicit is None
        elif explicit is not None:
            self.store_kind = explicit
        elif not default_flags:
            self.store_kind = "sqlite"   # kmsd's own default
        else:
            self.store_kind = store or selected_store()
            if self.store_kind not in ("sqlite", "postgresql"):
                raise ValueError(f"store={self.store_kind!r}: expected sqlite or postgresql")
            self._inject_store = self.store_kind == "postgresql"

    # -- store ------------------------------------------------------------------------------

    def _explicit_store(self) -> str | None:
        """The store the caller chose in args, config text or env ("sqlite"/"postgresql"), or
        None when it chose none."""
        args = self.extra_args
        kind = _arg_value(args, "--database-type")
        if kind is None and any(a == f or a.startswith(f + "=") for a in args for f in _STORE_FLAGS):
            kind = "postgresql" if _arg_value(args, "--database-url") else "sqlite"
        if kind is None and self.config_text is not None:
            for line in self.config_text.splitlines():
                key, sep, val = line.partition("=") if "=" in line else line.partition(":")
                key = key.strip()
                if sep and key in _STORE_KEYS:
                    if key == "database_type":
                        kind = val.strip().strip("\"'")
                        break
                    kind = kind or ("postgresql" if key == "database_url" else "sqlite")
        if kind is None and any(k in self.extra_env for k in _STORE_ENV):
            kind = self.extra_env.get("KMS_DATABASE_TYPE") or (
                "postgresql" if "KMS_DATABASE_URL" in self.extra_env else "sqlite")
        if kind is None:
            return None
        return "postgresql" if kind.lower() in ("postgresql", "postgres") else "sqlite"

    @property
    def database_url(self) -> str | None:
        """PostgreSQL: the URL (with the password) of this instance's database, created when it
        does not exist yet; None on SQLite or when the caller configured the database itself."""
        if self.store_kind != "postgresql":
            return None
        if self._database_url is None and self._inject_store:
            self._database_url = _pg.create_database(fixture_database_url())
            self._owns_database = True
        return self._database_url

    def sql(self, query: str) -> list[tuple[str, ...]]:
        """Rows of `query` on this instance's database, as on SQLite: BLOB / BYTEA as bytes,
        other PostgreSQL fields as text (NULL as ""). On SQLite the database is <dir>/db/kms.db
        (default flags)."""
        if self.store_kind == "postgresql":
            url = self.database_url
            if url is None:
                raise RuntimeError("sql(): the caller configured the PostgreSQL database itself")
            out = _pg.psql(url, query, fields=True)
            return [tuple(_pg_field(f) for f in line.split("\x1f")) for line in out.splitlines() if line != ""]
        db = sqlite3.connect(str(self.db_dir / "kms.db"))
        try:
            return [tuple(row) for row in db.execute(query).fetchall()]
        finally:
            db.close()

    def store_dump(self) -> bytes:
        """Everything the store holds, as bytes to search: the SQLite files under <dir>/db, or a
        pg_dump of the PostgreSQL database (BYTEA as hex there)."""
        if self.store_kind == "postgresql":
            url = self.database_url
            if url is None:
                raise RuntimeError("store_dump(): the caller configured the PostgreSQL database itself")
            return _pg.dump_database(url)
        return b"".join(p.read_bytes() for p in sorted(self.db_dir.rglob("*")) if p.is_file())

    def _masked(self, text: str) -> str:
        """`text` without the password of this instance's database URL."""
        if self._database_url:
            password = _pg.parse_url(self._database_url)["password"]
            if password:
                text = text.replace(password, "***")
        return text

    def _drop_database(self) -> None:
        if self._owns_database and self._database_url is not None:
            try:
                _pg.drop_database(self._database_url)
            except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
                sys.stderr.write(f"kmsd.py: could not drop the test database: {exc}\n")
            self._database_url = None
            self._owns_database = False

    # -- lifecycle --------------------------------------------------------------------------

    @property
    def url(self) -> str:
        scheme = "https" if self.ssl_context is not None else "http"
        return f"{scheme}://127.0.0.1:{self.port}"

    def _subst(self, s: str) -> str:
        return s.replace("{port}", str(self.port)).replace("{dir}", str(self.dir))

    def command(self) -> list[str]:
        cmd = [self.binary]
        if self.default_flags:
            cmd += ["--hostname", "127.0.0.1", "--port", str(self.port)]
            if self._inject_store:
                # The URL carries the (throw-away) password, so that the command line alone
                # starts kmsd (some tests run command() themselves with a clean environment);
                # kmsd masks it in what it prints, and so does the "=== start" line below.
                cmd += ["--database-type", "postgresql", "--database-url", self.database_url or ""]
            else:
                cmd += ["--database-type", "sqlite", "--sqlite-path", str(self.db_dir)]
        if self.config_path is not None:
            cmd += ["--config", str(self.config_path)]
        cmd += [self._subst(a) for a in self.extra_args]
        return cmd

    def start(self) -> "Kmsd":
        if self.config_text is not None and self.config_path is None:
            self.config_path = self.dir / self.config_name
            self.config_path.write_text(self._subst(self.config_text))
        # Inherited KMS_* variables would silently change the configuration under test.
        env = {k: v for k, v in os.environ.items() if not k.startswith("KMS_")}
        env.update({k: self._subst(v) for k, v in self.extra_env.items()})
        self._log_file = open(self.log_path, "ab")
        self._log_file.write(f"=== start: {self._masked(' '.join(self.command()))}\n".encode())
        self._log_file.flush()
        self.proc = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL,
                                     stdout=self._log_file, stderr=subprocess.STDOUT,
                                     env=env, cwd=str(self.dir))
        self.wait_healthy()
        return self

    def wait_healthy(self) -> None:
        deadline = time.monotonic() + self.health_timeout
        last = "no answer"
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"kmsd exited with code {self.proc.returncode} before "
                                   f"answering /health; log tail:\n{self.log_tail()}")
            try:
                status, body, _ = http_request(self.port, "GET", "/health", timeout=2.0,
                                               ssl_context=self.ssl_context)
                if status == 200:
                    return
                last = f"HTTP {status}: {str(body)[:200]}"
            except OSError as exc:
                last = str(exc)
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"kmsd did not answer GET /health with 200 within "
                           f"{self.health_timeout:.0f} s (last: {last}); log tail:\n"
                           f"{self.log_tail()}")

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> int | None:
        """SIGTERM, then SIGKILL after 10 s. Returns the exit code (None if never started)."""
        code = None
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGTERM)
                try:
                    self.proc.wait(timeout=STOP_GRACE_S)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
            code = self.proc.returncode
            self.proc = None
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None
        return code

    def restart(self) -> "Kmsd":
        """Stop and start again on the same port with the same data directory (and the same
        PostgreSQL database)."""
        self.stop()
        return self.start()

    def cleanup(self) -> None:
        self.stop()
        self._drop_database()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> "Kmsd":
        try:
            return self.start()
        except BaseException:
            self.cleanup()
            raise

    def __exit__(self, *exc) -> None:
        if exc[0] is not None and os.environ.get("KMSD_TEST_VERBOSE"):
            sys.stderr.write(f"--- kmsd log ({self.log_path}) ---\n{self.log_tail()}\n")
        self.cleanup()

    # -- logs -------------------------------------------------------------------------------

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    # -- HTTP -------------------------------------------------------------------------------

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: Mapping[str, str] | None = None,
                timeout: float = 30.0) -> tuple[int, Any, dict[str, str]]:
        merged = dict(self.headers)
        merged.update(headers or {})
        return http_request(self.port, method, path, body, merged, timeout,
                            ssl_context=self.ssl_context)

    def post_json(self, path: str, obj: Any, timeout: float = 30.0) -> tuple[int, Any]:
        status, body, _ = self.request("POST", path, json.dumps(obj).encode(),
                                       {"Content-Type": "application/json"}, timeout)
        return status, body

    def post_raw(self, path: str, data: bytes, content_type: str = "application/json",
                 timeout: float = 30.0) -> tuple[int, Any]:
        status, body, _ = self.request("POST", path, data, {"Content-Type": content_type},
                                       timeout)
        return status, body

    def get(self, path: str, timeout: float = 30.0) -> tuple[int, Any]:
        status, body, _ = self.request("GET", path, None, None, timeout)
        return status, body

    def kmip(self, node: Any, path: str = "/kmip/2_1") -> Any:
        """POST a JSON TTLV node; return the parsed answer, raising unless HTTP 200 + JSON."""
        status, body = self.post_json(path, node)
        if status != 200 or not isinstance(body, dict):
            raise AssertionError(f"POST {path} -> HTTP {status}: {str(body)[:500]}")
        return body


# ---------------------------------------------------------------------------------------------
# JSON TTLV builders
# ---------------------------------------------------------------------------------------------

def st(tag: str, *children: Any) -> dict:
    """Structure. Children may be nodes or lists of nodes (flattened); None is dropped."""
    flat: list = []
    for c in children:
        if c is None:
            continue
        if isinstance(c, (list, tuple)):
            flat.extend(x for x in c if x is not None)
        else:
            flat.append(c)
    return {"tag": tag, "value": flat}


def i(tag: str, v: int | str) -> dict:
    """Integer: a number, "0x..." or, for masks, "Encrypt|Decrypt"."""
    return {"tag": tag, "type": "Integer", "value": v}


def li(tag: str, v: int) -> dict:
    """LongInteger as a 64-bit two's complement hex string."""
    return {"tag": tag, "type": "LongInteger", "value": "0x%016X" % (v & (2**64 - 1))}


def bi(tag: str, v: int) -> dict:
    """BigInteger as hex, sign-extended to a multiple of 8 bytes."""
    n = 8
    while not (-(1 << (8 * n - 1)) <= v < (1 << (8 * n - 1))):
        n += 8
    return {"tag": tag, "type": "BigInteger", "value": "0x" + (v & ((1 << (8 * n)) - 1))
            .to_bytes(n, "big").hex().upper()}


def e(tag: str, name: str) -> dict:
    """Enumeration by its KMIP name ("SymmetricKey") or hex ("0x00000002")."""
    return {"tag": tag, "type": "Enumeration", "value": name}


def t(tag: str, s: str) -> dict:
    return {"tag": tag, "type": "TextString", "value": s}


def b(tag: str, data: bytes | str) -> dict:
    """ByteString from bytes or an already-hex string."""
    return {"tag": tag, "type": "ByteString",
            "value": data.hex().upper() if isinstance(data, (bytes, bytearray)) else data}


def bo(tag: str, v: bool) -> dict:
    return {"tag": tag, "type": "Boolean", "value": bool(v)}


def dt(tag: str, when: _dt.datetime | str) -> dict:
    """DateTime from an aware datetime (rendered RFC 3339 UTC) or a string."""
    if isinstance(when, _dt.datetime):
        when = rfc3339(when)
    return {"tag": tag, "type": "DateTime", "value": when}


def iv(tag: str, seconds: int) -> dict:
    return {"tag": tag, "type": "Interval", "value": seconds}


def rfc3339(when: _dt.datetime) -> str:
    if when.tzinfo is None:
        when = when.replace(tzinfo=_dt.timezone.utc)
    return when.astimezone(_dt.timezone.utc).replace(microsecond=0).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


def request_message(*items: dict, correlation: str | None = None,
                    version: tuple[int, int] = (2, 1), header_extra: Iterable[dict] = ()) -> dict:
    """RequestMessage with a header (ProtocolVersion, optional ClientCorrelationValue,
    BatchCount = number of items) and the given BatchItem nodes."""
    header = st("RequestHeader",
                st("ProtocolVersion", i("ProtocolVersionMajor", version[0]),
                   i("ProtocolVersionMinor", version[1])),
                t("ClientCorrelationValue", correlation) if correlation is not None else None,
                list(header_extra),
                i("BatchCount", len(items)))
    return st("RequestMessage", header, list(items))


def batch_item(operation: str, *payload: Any, batch_id: bytes | None = None) -> dict:
    """Request BatchItem: Operation, optional UniqueBatchItemID, RequestPayload."""
    return st("BatchItem", e("Operation", operation),
              b("UniqueBatchItemID", batch_id) if batch_id is not None else None,
              st("RequestPayload", *payload))


# ---------------------------------------------------------------------------------------------
# Reading JSON TTLV answers
# ---------------------------------------------------------------------------------------------

def children(node: Any, tag: str | None = None) -> list[dict]:
    """Child nodes of a Structure (optionally only those with `tag`)."""
    if not isinstance(node, dict) or not isinstance(node.get("value"), list):
        return []
    return [c for c in node["value"]
            if isinstance(c, dict) and (tag is None or c.get("tag") == tag)]


def find(node: Any, path: str) -> dict | None:
    """First node reached by a '/'-separated path of tags below `node` ("" = node itself).
    A segment may carry an index: "BatchItem[1]"."""
    cur = node
    for seg in [s for s in path.split("/") if s]:
        idx = 0
        if seg.endswith("]") and "[" in seg:
            seg, _, n = seg[:-1].partition("[")
            idx = int(n)
        found = children(cur, seg)
        if len(found) <= idx:
            return None
        cur = found[idx]
    return cur


def value(node: Any, path: str = "") -> Any:
    """Value at `path` below node, or None when absent."""
    n = find(node, path)
    return None if n is None else n.get("value")


# KMIP 2.1 section 12.1 (Cryptographic Usage Mask), 12.2 (Protection Storage Mask),
# 12.3 (Storage Status Mask): normalized name -> bit.
USAGE_MASK_BITS = {
    "Sign": 0x1, "Verify": 0x2, "Encrypt": 0x4, "Decrypt": 0x8, "WrapKey": 0x10,
    "UnwrapKey": 0x20, "Export": 0x40, "MACGenerate": 0x80, "MACVerify": 0x100,
    "DeriveKey": 0x200, "ContentCommitment": 0x400, "KeyAgreement": 0x800,
    "CertificateSign": 0x1000, "CRLSign": 0x2000, "GenerateCryptogram": 0x4000,
    "ValidateCryptogram": 0x8000, "TranslateEncrypt": 0x10000, "TranslateDecrypt": 0x20000,
    "TranslateWrap": 0x40000, "TranslateUnwrap": 0x80000, "Authenticate": 0x100000,
    "Unrestricted": 0x200000, "FPEEncrypt": 0x400000, "FPEDecrypt": 0x800000,
}
PROTECTION_STORAGE_MASK_BITS = {
    "Software": 0x1, "Hardware": 0x2, "OnProcessor": 0x4, "OnSystem": 0x8,
    "OffSystem": 0x10, "Hypervisor": 0x20, "OperatingSystem": 0x40, "Container": 0x80,
    "OnPremises": 0x100, "OffPremises": 0x200, "SelfManaged": 0x400, "Outsourced": 0x800,
    "Validated": 0x1000, "SameJurisdiction": 0x2000,
}
STORAGE_STATUS_MASK_BITS = {"OnLineStorage": 0x1, "ArchivalStorage": 0x2,
                            "DestroyedStorage": 0x4}
MASK_TABLES = {
    "CryptographicUsageMask": USAGE_MASK_BITS,
    "ProtectionStorageMask": PROTECTION_STORAGE_MASK_BITS,
    "StorageStatusMask": STORAGE_STATUS_MASK_BITS,
}


def mask_bits(v: Any, table: Mapping[str, int] = USAGE_MASK_BITS) -> int:
    """A mask value (number, "0x...", "Encrypt|Decrypt", "Encrypt Decrypt", mixed) as an int.
    Raises ValueError on an unknown name."""
    if isinstance(v, bool):
        raise ValueError(f"not a mask: {v!r}")
    if isinstance(v, int):
        return v
    bits = 0
    for part in str(v).replace("|", " ").split():
        if part.lower().startswith("0x"):
            bits |= int(part, 16)
        elif part.isdigit():
            bits |= int(part)
        elif part in table:
            bits |= table[part]
        else:
            raise ValueError(f"unknown mask component {part!r}")
    return bits
