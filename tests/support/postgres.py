"""Test support: a throw-away PostgreSQL 15 server on a free loopback port.

Standard library only. The server's data directory is a fresh temporary directory under /tmp
(initdb, fsync on, so commits cost what they cost in production), its Unix socket lives in that
directory, and it listens on 127.0.0.1 only. A database and a login role with a random password
are created for the tests; the URL carries that password (a throw-away test password).

PostgreSQL refuses to run as root: when run as root, the server runs as the `postgres` system
user (created when missing) through runuser. When /usr/lib/postgresql/15/bin/initdb is missing
and we are root, postgresql-15 is installed from Debian first (CI starts from a fresh Debian 12).

As a context manager (Python tests):

    from postgres import Postgres
    with Postgres() as pg:
        pg.url, pg.port, pg.pid

As a command line tool (ctest fixtures, shell scripts):

    python3 tests/support/postgres.py start DIR
        -> JSON on stdout: {"port": ..., "url": ..., "pid": ...}; DIR is created and keeps the
           state, and DIR/url holds the URL alone (for C++ tests).
    python3 tests/support/postgres.py stop DIR
        -> stops the server, removes its data directory and DIR's state files.
    When two ctest runs share DIR (one build tree), the second start shares the running server
    and only the last stop stops it; a server left by an interrupted run is replaced.

The test role may create databases (CREATEDB): `create_database(url)` makes a fresh, empty
database on the server of `url` and returns its URL, `drop_database(url)` removes it; both talk
to the server over TCP with psql, the password in the environment (never in argv). A test that
restarts the server itself (fault tests) uses `halt()` and `resume()`: same port, same data.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

BIN = Path(os.environ.get("KMS_PG_BIN", "/usr/lib/postgresql/15/bin"))
SERVER_USER = "postgres"
DATABASE = "kms"
ROLE = "kms"
STATE_FILE = "state.json"
URL_FILE = "url"


def _log(message: str) -> None:
    print(f"postgres.py: {message}", file=sys.stderr, flush=True)


def _is_root() -> bool:
    return os.geteuid() == 0


def ensure_installed() -> None:
    """Installs postgresql-15 from Debian when initdb is missing (root only)."""
    if (BIN / "initdb").exists():
        return
    if not _is_root():
        raise RuntimeError(f"{BIN / 'initdb'} is missing; install postgresql-15 (apt-get install postgresql-15)")
    # The Debian package would create and start a "main" cluster on port 5432; tests need none.
    conf = Path("/etc/postgresql-common/createcluster.conf")
    if not conf.exists():
        conf.parent.mkdir(parents=True, exist_ok=True)
        conf.write_text("create_main_cluster = false\n")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    _log("installing postgresql-15 from Debian")
    subprocess.run(["apt-get", "update"], check=True, env=env, stdout=subprocess.DEVNULL)
    subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", "postgresql-15"], check=True, env=env,
                   stdout=subprocess.DEVNULL)
    if not (BIN / "initdb").exists():
        raise RuntimeError(f"postgresql-15 installed but {BIN / 'initdb'} is still missing")


def ensure_server_user() -> None:
    try:
        pwd.getpwnam(SERVER_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--user-group", "--home-dir", "/var/lib/postgresql", "--shell",
                        "/bin/bash", SERVER_USER], check=True)


def _as_server(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    """Runs a PostgreSQL program as the server's user (root cannot run them)."""
    if _is_root():
        command = ["runuser", "-u", SERVER_USER, "--"] + command
    return subprocess.run(command, **kwargs)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Postgres:
    """A running throw-away PostgreSQL server; stop() removes everything it made."""

    def __init__(self) -> None:
        self.data_root: Path | None = None
        self.port = 0
        self.pid = 0
        self.password = ""
        self.url = ""

    # --- life cycle -------------------------------------------------------------------------

    def start(self) -> "Postgres":
        ensure_installed()
        if _is_root():
            ensure_server_user()
        # Under /tmp: the server's user must reach its directory, and a build tree under a
        # root-only directory would not let it.
        self.data_root = Path(tempfile.mkdtemp(prefix="kms-pg-"))
        try:
            if _is_root():
                shutil.chown(self.data_root, SERVER_USER, SERVER_USER)
            os.chmod(self.data_root, 0o700)
            self._initdb()
            self._start_server()
            self._create_database()
        except BaseException:
            self.stop()
            raise
        return self

    @property
    def data_dir(self) -> Path:
        assert self.data_root is not None
        return self.data_root / "data"

    @property
    def socket_dir(self) -> Path:
        assert self.data_root is not None
        return self.data_root

    def _initdb(self) -> None:
        # TCP clients log in with a password (scram), as kmsd does in production; the Unix
        # socket, in a directory only the server's user can enter, trusts its user.
        result = _as_server([str(BIN / "initdb"), "-D", str(self.data_dir), "-U", "postgres", "-E", "UTF8",
                             "--locale=C.UTF-8", "--auth-local=trust", "--auth-host=scram-sha-256"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"initdb failed:\n{result.stdout}")

    def _start_server(self, port: int | None = None) -> None:
        """Starts the server on a free port, or on `port` (a restart: the same port again)."""
        log = self.data_root / "server.log"
        last_error = ""
        for attempt in range(5 if port is None else 20):
            # Another process may take the free port before the server binds it; a port of
            # our own may still be held for a moment by the server that just stopped.
            if port is None:
                self.port = free_port()
            elif attempt:
                time.sleep(0.25)
            else:
                self.port = port
            options = (f"-c listen_addresses=127.0.0.1 -p {self.port} -c unix_socket_directories={self.socket_dir}"
                       " -c fsync=on -c synchronous_commit=on -c max_connections=200")
            result = _as_server([str(BIN / "pg_ctl"), "start", "-D", str(self.data_dir), "-w", "-t", "60",
                                 "-l", str(log), "-o", options],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            if result.returncode == 0:
                self.pid = int((self.data_dir / "postmaster.pid").read_text().splitlines()[0])
                return
            last_error = result.stdout + (log.read_text() if log.exists() else "")
        raise RuntimeError(f"PostgreSQL did not start:\n{last_error}")

    def _psql(self, sql: str) -> None:
        result = _as_server([str(BIN / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", str(self.socket_dir),
                             "-p", str(self.port), "-U", "postgres", "-d", "postgres", "-c", sql],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if result.returncode != 0:
            # The SQL may hold the test password: only psql's answer is shown.
            raise RuntimeError(f"psql failed: {result.stdout}")

    def _create_database(self) -> None:
        self.password = secrets.token_hex(16)  # hex: safe in a URL as is
        # CREATEDB: the integration tests give every kmsd a fresh database of its own.
        self._psql(f"CREATE ROLE {ROLE} LOGIN CREATEDB PASSWORD '{self.password}'")
        self._psql(f"CREATE DATABASE {DATABASE} OWNER {ROLE}")
        self.url = f"postgresql://{ROLE}:{self.password}@127.0.0.1:{self.port}/{DATABASE}"

    def stop(self) -> None:
        if self.data_root is None:
            return
        if (self.data_dir / "postmaster.pid").exists():
            _as_server([str(BIN / "pg_ctl"), "stop", "-D", str(self.data_dir), "-m", "fast", "-w", "-t", "60"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(self.data_root, ignore_errors=True)
        self.data_root = None

    def halt(self, mode: str = "fast") -> None:
        """Stops the server and keeps its data (a restart follows with resume()). mode: pg_ctl's
        shutdown mode: "fast" (sessions ended, checkpoint) or "immediate" (as a crash)."""
        assert self.data_root is not None, "not started"
        result = _as_server([str(BIN / "pg_ctl"), "stop", "-D", str(self.data_dir), "-m", mode, "-w", "-t", "60"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"pg_ctl stop failed: {result.stdout}")
        self.pid = 0

    def resume(self) -> None:
        """Starts the halted server again on the same port with the same data directory."""
        assert self.data_root is not None, "not started"
        self._start_server(self.port)

    def running(self) -> bool:
        """The server's postmaster is alive (its pid file is there and names a live process)."""
        if self.data_root is None or not (self.data_dir / "postmaster.pid").exists():
            return False
        try:
            pid = int((self.data_dir / "postmaster.pid").read_text().splitlines()[0])
            os.kill(pid, 0)
        except (OSError, ValueError, IndexError):
            return False
        return True

    def __enter__(self) -> "Postgres":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- state for the command line ---------------------------------------------------------

    def info(self) -> dict:
        return {"port": self.port, "url": self.url, "pid": self.pid}

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        state = dict(self.info(), data_root=str(self.data_root))
        for name, content in ((STATE_FILE, json.dumps(state)), (URL_FILE, self.url + "\n")):
            path = directory / name
            # The files hold the (test) password: private to their owner.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(content)

    @classmethod
    def load(cls, directory: Path) -> "Postgres | None":
        path = directory / STATE_FILE
        if not path.exists():
            return None
        state = json.loads(path.read_text())
        pg = cls()
        pg.data_root = Path(state["data_root"])
        pg.port, pg.url, pg.pid = state["port"], state["url"], state["pid"]
        return pg


# --- databases of their own, for tests -------------------------------------------------------

def parse_url(url: str) -> dict:
    """postgresql://user:password@host:port/db -> {user, password, host, port, dbname}."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("postgresql", "postgres"):
        raise ValueError("not a postgresql:// URL")
    return {"user": urllib.parse.unquote(parts.username or ""),
            "password": urllib.parse.unquote(parts.password or ""),
            "host": parts.hostname or "127.0.0.1", "port": parts.port or 5432,
            "dbname": urllib.parse.unquote(parts.path.lstrip("/")) or "postgres"}


def with_database(url: str, dbname: str) -> str:
    """`url` naming database `dbname` instead (same role, password, host and port)."""
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path="/" + urllib.parse.quote(dbname)))


def without_password(url: str) -> str:
    """`url` without its password (for a command line; the password goes in the environment)."""
    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = parts.username or ""
    return urllib.parse.urlunsplit(parts._replace(netloc=f"{user}@{netloc}" if user else netloc))


def psql(url: str, sql: str, *, fields: bool = False, timeout: float = 60.0) -> str:
    """Runs `sql` with psql as the URL's role over TCP (password in the environment, not in
    argv). fields=True: unaligned tuples only, fields separated by U+001F, rows by newlines."""
    info = parse_url(url)
    env = dict(os.environ, PGPASSWORD=info["password"], PGCONNECT_TIMEOUT="10")
    command = [str(BIN / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", info["host"], "-p", str(info["port"]),
               "-U", info["user"], "-d", info["dbname"]]
    if fields:
        command += ["-A", "-t", "-F", "\x1f"]
    command += ["-c", sql]
    result = subprocess.run(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            timeout=timeout, stdin=subprocess.DEVNULL)
    if result.returncode != 0:
        raise RuntimeError(f"psql failed: {result.stderr.strip() or result.stdout.strip()}")
    return result.stdout


def create_database(url: str, prefix: str = "kms_") -> str:
    """A fresh empty database on the server of `url`, owned by its role; returns its URL."""
    name = prefix + secrets.token_hex(6)
    try:
        psql(url, f'CREATE DATABASE "{name}"')
    except RuntimeError as exc:
        if "permission denied" in str(exc):
            raise RuntimeError(f"{exc} (the role needs CREATEDB; restart the server with this "
                               "postgres.py: it grants CREATEDB to the test role)") from None
        raise
    return with_database(url, name)


def drop_database(url: str) -> None:
    """Drops the database named by `url` (its sessions are ended), connected to `postgres`."""
    name = parse_url(url)["dbname"]
    psql(with_database(url, "postgres"), f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def dump_database(url: str) -> bytes:
    """pg_dump (plain SQL, data included) of the database of `url`. BYTEA columns appear as
    hex (\\x...), text as is."""
    info = parse_url(url)
    env = dict(os.environ, PGPASSWORD=info["password"], PGCONNECT_TIMEOUT="10")
    result = subprocess.run([str(BIN / "pg_dump"), "-h", info["host"], "-p", str(info["port"]), "-U", info["user"],
                             "-d", info["dbname"], "--no-owner"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, timeout=120, stdin=subprocess.DEVNULL)
    if result.returncode != 0:
        raise RuntimeError(f"pg_dump failed: {result.stderr.decode(errors='replace').strip()}")
    return result.stdout


def fixture_url() -> str | None:
    """The URL of the shared test server: KMS_TEST_DATABASE_URL, or the first line of the file
    named by KMS_TEST_DATABASE_URL_FILE (the ctest fixture `postgres`); None when neither."""
    url = os.environ.get("KMS_TEST_DATABASE_URL")
    if url:
        return url.strip()
    path = os.environ.get("KMS_TEST_DATABASE_URL_FILE")
    if path:
        text = Path(path).read_text().strip()
        return text.splitlines()[0] if text else None
    return None


def server_unless_fixture() -> Postgres | None:
    """For a test module run without the ctest fixture (python3 tests/integration/X.py): a
    server of its own, started, its URL exported as KMS_TEST_DATABASE_URL; None when the
    fixture's server is there. The caller stops what it gets (tearDownModule)."""
    if fixture_url() is not None:
        return None
    server = Postgres().start()
    os.environ["KMS_TEST_DATABASE_URL"] = server.url
    return server


def _ctest_parent() -> int | None:
    """The pid of the ctest run that started this script (its parent), or None when the parent
    is not ctest (a shell, a script)."""
    ppid = os.getppid()
    return ppid if _is_ctest(ppid) else None


def _is_ctest(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip() == "ctest"
    except OSError:
        return False


def _holders(directory: Path) -> list[int]:
    """The ctest runs (pids) still using the server of `directory`."""
    path = directory / STATE_FILE
    if not path.exists():
        return []
    return [pid for pid in json.loads(path.read_text()).get("holders", []) if _is_ctest(pid)]


def _save_holders(directory: Path, holders: list[int]) -> None:
    path = directory / STATE_FILE
    state = json.loads(path.read_text())
    state["holders"] = holders
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(json.dumps(state))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["start", "stop"])
    parser.add_argument("directory", type=Path)
    args = parser.parse_args(argv)
    directory: Path = args.directory.resolve()
    directory.mkdir(parents=True, exist_ok=True)
    # Several ctest runs in one build tree (e.g. two `ctest -R ...` at once) share the fixture
    # directory: a running server that another live ctest run still uses is shared, not
    # stopped, and only the last of them stops it. Every kmsd of the integration tests has a
    # database of its own there, so sharing is safe for them.
    with open(directory / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        me = _ctest_parent()
        if args.command == "start":
            previous = Postgres.load(directory)
            holders = _holders(directory)
            if previous is not None and holders and previous.running():
                _save_holders(directory, holders + ([me] if me else []))
                _log(f"sharing PostgreSQL {previous.pid} on 127.0.0.1:{previous.port} with ctest {holders}")
                print(json.dumps(previous.info()))
                return 0
            if previous is not None:  # a run that was interrupted before its cleanup
                previous.stop()
            started = time.monotonic()
            pg = Postgres().start()
            pg.save(directory)
            _save_holders(directory, [me] if me else [])
            _log(f"PostgreSQL {pg.pid} on 127.0.0.1:{pg.port}, ready in {time.monotonic() - started:.1f} s")
            print(json.dumps(pg.info()))
            return 0
        others = [pid for pid in _holders(directory) if pid != me]
        pg = Postgres.load(directory)
        if pg is not None and others:
            _save_holders(directory, others)
            _log(f"PostgreSQL {pg.pid} left running: still used by ctest {others}")
            return 0
        if pg is not None:
            pg.stop()
        for name in (STATE_FILE, URL_FILE):
            (directory / name).unlink(missing_ok=True)
        return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
