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
"""

from __future__ import annotations

import argparse
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

    def _start_server(self) -> None:
        log = self.data_root / "server.log"
        last_error = ""
        for _ in range(5):  # another process may take the free port before the server binds it
            self.port = free_port()
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
        self._psql(f"CREATE ROLE {ROLE} LOGIN PASSWORD '{self.password}'")
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


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["start", "stop"])
    parser.add_argument("directory", type=Path)
    args = parser.parse_args(argv)
    directory: Path = args.directory.resolve()
    if args.command == "start":
        previous = Postgres.load(directory)
        if previous is not None:  # a run that was interrupted before its cleanup
            previous.stop()
        started = time.monotonic()
        pg = Postgres().start()
        pg.save(directory)
        _log(f"PostgreSQL {pg.pid} on 127.0.0.1:{pg.port}, ready in {time.monotonic() - started:.1f} s")
        print(json.dumps(pg.info()))
        return 0
    pg = Postgres.load(directory)
    if pg is not None:
        pg.stop()
    for name in (STATE_FILE, URL_FILE):
        (directory / name).unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
