#!/usr/bin/env python3
"""kmsd command line, configuration files and environment:

    test_cli_flags.py --kmsd BUILD/core/kmsd [-v]      (or KMSD_BIN=... test_cli_flags.py)

Sources, later wins: defaults, config file (TOML, or YAML when the name ends in .yaml),
KMS_* environment, flags. Errors: one line on stderr naming the culprit, non-zero exit.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))

from kmip_requests import batch_item_of, create_aes  # noqa: E402
from kmsd import Kmsd, default_binary, free_port, request_message, value  # noqa: E402
from servers import main  # noqa: E402

TIMEOUT = 15

TOML = """[http]
hostname = "127.0.0.1"
port = {port}

[db]
database_type = "sqlite"
sqlite_path = "{dir}/db"
"""

YAML = """http:
  hostname: 127.0.0.1
  port: {port}
db:
  database_type: sqlite
  sqlite_path: {dir}/db
"""


def clean_env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KMS_")}
    env.update(extra)
    return env


def run_kmsd(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run kmsd to completion (it must exit by itself within TIMEOUT s)."""
    with tempfile.TemporaryDirectory(prefix="kmsd-cli-") as d:
        try:
            return subprocess.run([default_binary(), *args], capture_output=True, text=True,
                                  timeout=TIMEOUT, cwd=d, stdin=subprocess.DEVNULL,
                                  env=env or clean_env())
        except subprocess.TimeoutExpired as exc:
            raise AssertionError(f"kmsd {' '.join(args)} did not exit within {TIMEOUT} s "
                                 f"(stderr so far: {exc.stderr!r})") from None


def listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


class Informational(unittest.TestCase):
    def test_version(self):
        r = run_kmsd("--version")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"\d+\.\d+\.\d+")
        self.assertLessEqual(len(r.stdout.strip().splitlines()), 2, r.stdout)

    def test_help_lists_flags(self):
        r = run_kmsd("--help")
        self.assertEqual(r.returncode, 0, r.stderr)
        for flag in ("--hostname", "--port", "--database-type", "--sqlite-path", "--config",
                     "--help", "--version"):
            self.assertIn(flag, r.stdout, f"--help does not mention {flag}")


class BadInput(unittest.TestCase):
    def assert_one_line_error(self, r: subprocess.CompletedProcess, *needles: str):
        self.assertNotEqual(r.returncode, 0, f"exit 0; stdout={r.stdout!r}")
        lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
        self.assertEqual(len(lines), 1, f"expected exactly one line on stderr, got {lines!r}")
        for n in needles:
            self.assertIn(n.lower(), lines[0].lower(), f"stderr line should name {n!r}")

    def test_unknown_flag(self):
        self.assert_one_line_error(run_kmsd("--nope"), "--nope")

    def test_bad_port(self):
        self.assert_one_line_error(run_kmsd("--port", "abc"), "port", "abc")

    def test_port_out_of_range(self):
        self.assert_one_line_error(run_kmsd("--port", "70000"), "port")

    def test_missing_flag_value(self):
        self.assert_one_line_error(run_kmsd("--port"), "port")

    def test_postgresql_unreachable_is_one_line_without_the_password(self):
        r = run_kmsd("--database-type", "postgresql",
                     "--database-url", "postgresql://kms:s3cr3t@127.0.0.1:1/kms")
        self.assert_one_line_error(r, "PostgreSQL")
        self.assertNotIn("s3cr3t", r.stderr + r.stdout)

    def test_bad_value_in_config_file(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "kms.toml")
            with open(path, "w") as f:
                f.write('[http]\nport = "abc"\n')
            self.assert_one_line_error(run_kmsd("--config", path), "port")

    def test_missing_config_file(self):
        self.assert_one_line_error(run_kmsd("--config", "/nonexistent/kms.toml"),
                                   "/nonexistent/kms.toml")


class Sources(unittest.TestCase):
    def assert_serves(self, k: Kmsd):
        status, body = k.post_json("/kmip/2_1", request_message(batch_item_of(create_aes(active=False))))
        self.assertEqual(status, 200, body)
        self.assertEqual(value(body, "BatchItem/ResultStatus"), "Success", body)
        self.assertTrue(value(body, "BatchItem/ResponsePayload/UniqueIdentifier"), body)
        self.assertTrue(any(k.db_dir.iterdir()),
                        f"nothing written under the configured sqlite_path {k.db_dir}")

    def test_toml_file(self):
        with Kmsd(default_binary(), config_text=TOML, config_name="kms.toml",
                  default_flags=False) as k:
            self.assert_serves(k)

    def test_yaml_file(self):
        with Kmsd(default_binary(), config_text=YAML, config_name="kms.yaml",
                  default_flags=False) as k:
            self.assert_serves(k)

    def test_environment(self):
        with Kmsd(default_binary(), default_flags=False,
                  env={"KMS_PORT": "{port}", "KMS_HOSTNAME": "127.0.0.1",
                       "KMS_DATABASE_TYPE": "sqlite", "KMS_SQLITE_PATH": "{dir}/db"}) as k:
            self.assert_serves(k)

    def test_env_port_only(self):
        with Kmsd(default_binary(), default_flags=False, env={"KMS_PORT": "{port}"},
                  extra_args=("--hostname", "127.0.0.1", "--sqlite-path", "{dir}/db")) as k:
            self.assert_serves(k)

    def test_flag_beats_env_beats_file(self):
        file_port, env_port = free_port(), free_port()
        config = TOML.replace("{port}", str(file_port))
        k = Kmsd(default_binary(), config_text=config, default_flags=False,
                 env={"KMS_PORT": str(env_port)},
                 extra_args=("--port", "{port}"))
        with k:
            self.assertNotIn(k.port, (file_port, env_port))
            self.assertFalse(listening(file_port))
            self.assertFalse(listening(env_port))
        k = Kmsd(default_binary(), config_text=config, default_flags=False,
                 env={"KMS_PORT": str(env_port)})
        k.port = env_port
        with k:
            self.assertFalse(listening(file_port))
            self.assert_serves(k)

    def test_flag_beats_file_for_sqlite_path(self):
        k = Kmsd(default_binary(), config_text=TOML.replace("{dir}/db", "{dir}/from-file"),
                 default_flags=False, extra_args=("--sqlite-path", "{dir}/db"))
        with k:
            self.assert_serves(k)
            self.assertFalse((k.dir / "from-file").exists() and
                             any((k.dir / "from-file").iterdir()))


if __name__ == "__main__":
    main()
