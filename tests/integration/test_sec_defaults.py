#!/usr/bin/env python3
"""Issue 22, finding 11 (unsafe defaults) against a real kmsd:

    test_sec_defaults.py --kmsd BUILD/core/kmsd --plugins-dir BUILD/plugins [-v]

- Without authentication and without a hostname, kmsd listens on 127.0.0.1 only: its start line
  says so, /proc/net/tcp shows the listening socket bound to loopback, and a connection to a
  non-loopback address of this machine (eth0's, when there is one) is refused.
- An address given explicitly (flag, KMS_HOSTNAME, config file) is honoured, with a loud
  warning that every request is served as the default user with full rights.
- With authentication the default stays every interface, without that warning.
- Without key_encryption_key kmsd warns at start that keys rest in clear in the database; with
  one it does not.
"""

from __future__ import annotations

import shutil
import socket
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))

from kmip_requests import create_hsm_aes  # noqa: E402
from servers import hsm_args, main, non_loopback_address  # noqa: E402
from credentials import HmacJwtKey, jwks  # noqa: E402
from kmsd import Kmsd, default_binary, http_request  # noqa: E402
from softhsm import SoftHsm  # noqa: E402

LOUD = "WITHOUT AUTHENTICATION"
NO_AUTH = "no authentication method is configured: every request is served as the default user 'admin' with full rights"
NO_KEK = "no key_encryption_key is configured"


def listening_addresses(port: int) -> list[str]:
    """Local addresses of the TCP sockets listening on `port`, from /proc/net/tcp and tcp6."""
    found = []
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, state = fields[1], fields[3]
            address, port_hex = local.split(":")
            if state != "0A" or int(port_hex, 16) != port:  # 0A: LISTEN
                continue
            if width == 8:  # IPv4: one little-endian 32-bit word
                found.append(socket.inet_ntop(socket.AF_INET, bytes.fromhex(address)[::-1]))
            else:           # IPv6: four little-endian 32-bit words
                raw = b"".join(bytes.fromhex(address[i:i + 8])[::-1] for i in range(0, 32, 8))
                found.append(socket.inet_ntop(socket.AF_INET6, raw))
    return found


def warning_lines(kmsd: Kmsd, needle: str) -> list[str]:
    """Log lines at warning level (Poco's "%p": Warning) holding `needle`."""
    return [line for line in kmsd.log_text().splitlines() if " Warning " in line and needle in line]


def bare(*more: str, **kw) -> Kmsd:
    """A kmsd on SQLite whose command line names no hostname (the helper's default flags do)."""
    return Kmsd(default_binary(), extra_args=["--port", "{port}", "--sqlite-path", "{dir}/db", *more],
                default_flags=False, **kw)


class Defaults(unittest.TestCase):
    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="kmsd-sec-defaults-"))
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.address = non_loopback_address()

    def assert_refused_from_outside(self, port: int) -> None:
        if self.address is None:
            return  # no other address on this machine: /proc/net/tcp is the evidence
        with self.assertRaises(OSError, msg=f"kmsd answers on {self.address}:{port}"):
            http_request(port, "GET", "/health", host=self.address, timeout=5)

    def test_without_authentication_kmsd_listens_on_loopback_only(self):
        with bare() as k:
            self.assertIn(f"listening on http://127.0.0.1:{k.port} ", k.log_text())
            self.assertEqual(listening_addresses(k.port), ["127.0.0.1"])
            self.assert_refused_from_outside(k.port)
            self.assertTrue(warning_lines(k, NO_AUTH), k.log_tail())
            self.assertFalse(warning_lines(k, LOUD), "loopback needs no loud warning")
            self.assertEqual(k.get("/me")[1]["user_id"], "admin")

    def test_an_explicit_address_without_authentication_warns_loudly(self):
        config = '[http]\nhostname = "0.0.0.0"\nport = {port}\n'
        for source, k in (("flag", bare("--hostname", "0.0.0.0")),
                          ("environment", bare(env={"KMS_HOSTNAME": "0.0.0.0"})),
                          ("config file", Kmsd(default_binary(), config_text=config, default_flags=False))):
            with self.subTest(source=source), k:
                self.assertEqual(listening_addresses(k.port), ["0.0.0.0"])
                loud = warning_lines(k, LOUD)
                self.assertEqual(len(loud), 1, k.log_tail())
                self.assertIn("0.0.0.0", loud[0])
                self.assertIn("served as the default user 'admin' with full rights", loud[0])
                self.assertTrue(warning_lines(k, NO_AUTH))
                if self.address is not None:  # the operator's choice is honoured
                    self.assertEqual(http_request(k.port, "GET", "/health", host=self.address, timeout=5)[0], 200)

    def test_with_authentication_the_default_stays_every_interface(self):
        (self.tmp / "jwks.json").write_text(jwks(HmacJwtKey("d")))
        with bare("--jwt-auth-provider", f"https://idp.test,{self.tmp / 'jwks.json'}") as k:
            self.assertEqual(listening_addresses(k.port), ["0.0.0.0"])
            self.assertFalse(warning_lines(k, LOUD))
            self.assertFalse(warning_lines(k, "no authentication method"))
            self.assertEqual(k.get("/me")[0], 401)

    def test_keys_in_clear_are_announced_and_a_kek_silences_it(self):
        with bare() as k:
            lines = warning_lines(k, NO_KEK)
            self.assertEqual(len(lines), 1, k.log_tail())
            self.assertIn("stored in clear in the database (sqlite: ", lines[0])
            self.assertIn("key_encryption_key", lines[0])
        with SoftHsm(tokens=1, label_prefix="defaults") as hsm:
            slot = hsm.tokens[0].slot_id
            kek = f"hsm::softhsm2::{slot}::kek"
            k = Kmsd(default_binary(), extra_args=hsm_args(self.tmp, [slot], hsm.tokens[0].pin))
            with k:
                self.assertEqual(k.post_json("/kmip/2_1", create_hsm_aes(kek))[0], 200)
                k.extra_args += ["--key-encryption-key", kek]
                k.restart()
                self.assertIn(f"keys are stored wrapped by {kek}", k.log_text())
                restarted = k.log_text().split("=== start")[-1]
                self.assertNotIn(NO_KEK, restarted)


if __name__ == "__main__":
    main()
