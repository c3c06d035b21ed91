"""Test support: a throw-away SoftHSM2 setup with initialised tokens.

Standard library only. SoftHSM2 keeps its tokens where its configuration file says, and finds
that file through SOFTHSM2_CONF; a test therefore writes its own configuration under a
temporary directory and exports SOFTHSM2_CONF, so that it never touches the machine's tokens.

As a context manager (Python tests):

    from softhsm import SoftHsm
    with SoftHsm(tokens=3) as hsm:          # SOFTHSM2_CONF is set for child processes
        hsm.tokens[0].slot_id, hsm.tokens[0].pin, hsm.library

As a command line tool (shell scripts, C++ tests):

    python3 tests/support/softhsm.py init DIR --tokens 3 [--pin P --so-pin S --label-prefix L]
        -> JSON on stdout: {"conf": ..., "library": ..., "tokens": [{"label", "slot_id", "pin",
           "so_pin"}]}; DIR is created and kept; point SOFTHSM2_CONF at "conf".
    python3 tests/support/softhsm.py clean DIR

PINs here are test PINs of throw-away tokens; real PINs never go through this helper.
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
from dataclasses import asdict, dataclass
from pathlib import Path

DEFAULT_LIBRARY = "/usr/lib/softhsm/libsofthsm2.so"
DEFAULT_PIN = "12345678"
DEFAULT_SO_PIN = "87654321"


@dataclass
class Token:
    label: str
    slot_id: int
    pin: str
    so_pin: str


class SoftHsm:
    """A temporary SoftHSM2 token directory with `tokens` initialised tokens.

    directory None: a fresh temporary directory, removed at exit unless keep.
    """

    def __init__(self, tokens: int = 1, directory: str | Path | None = None, pin: str = DEFAULT_PIN,
                 so_pin: str = DEFAULT_SO_PIN, label_prefix: str = "kms-test", keep: bool = False):
        self.tokens_wanted = tokens
        self.pin = pin
        self.so_pin = so_pin
        self.label_prefix = label_prefix
        self.directory = Path(directory) if directory else None
        self.keep = keep
        self.tokens: list[Token] = []
        self.conf: Path | None = None
        self._owns_directory = False
        self._previous_conf: str | None = None

    @property
    def library(self) -> str:
        return os.environ.get("SOFTHSM2_PKCS11_LIB", DEFAULT_LIBRARY)

    def env(self) -> dict[str, str]:
        """The environment a child process needs to see these tokens."""
        child = dict(os.environ)
        child["SOFTHSM2_CONF"] = str(self.conf)
        return child

    def start(self) -> "SoftHsm":
        if shutil.which("softhsm2-util") is None:
            raise FileNotFoundError("softhsm2-util not found (apt-get install softhsm2)")
        if self.directory is None:
            self.directory = Path(tempfile.mkdtemp(prefix="kms-softhsm-"))
            self._owns_directory = True
        self.directory.mkdir(parents=True, exist_ok=True)
        token_dir = self.directory / "tokens"
        token_dir.mkdir(exist_ok=True)
        self.conf = self.directory / "softhsm2.conf"
        self.conf.write_text(
            f"directories.tokendir = {token_dir}\n"
            "objectstore.backend = file\n"
            "log.level = ERROR\n"
            "slots.removable = false\n")
        self._previous_conf = os.environ.get("SOFTHSM2_CONF")
        os.environ["SOFTHSM2_CONF"] = str(self.conf)
        for index in range(self.tokens_wanted):
            label = f"{self.label_prefix}-{index}"
            self._run(["--init-token", "--free", "--label", label, "--so-pin", self.so_pin,
                       "--pin", self.pin])
        slots = self.show_slots()
        for index in range(self.tokens_wanted):
            label = f"{self.label_prefix}-{index}"
            if label not in slots:
                raise RuntimeError(f"token {label} not listed by softhsm2-util --show-slots")
            self.tokens.append(Token(label, slots[label], self.pin, self.so_pin))
        return self

    def show_slots(self) -> dict[str, int]:
        """Token label -> slot id, parsed from `softhsm2-util --show-slots`."""
        out = self._run(["--show-slots"])
        result: dict[str, int] = {}
        slot: int | None = None
        for line in out.splitlines():
            match = re.match(r"^Slot (\d+)\s*$", line)
            if match:
                slot = int(match.group(1))
                continue
            match = re.match(r"^\s+Label:\s*(.*?)\s*$", line)
            if match and slot is not None and match.group(1):
                result[match.group(1)] = slot
        return result

    def stop(self) -> None:
        if self._previous_conf is None:
            os.environ.pop("SOFTHSM2_CONF", None)
        else:
            os.environ["SOFTHSM2_CONF"] = self._previous_conf
        if self._owns_directory and not self.keep and self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)

    def describe(self) -> dict:
        return {"directory": str(self.directory), "conf": str(self.conf), "library": self.library,
                "tokens": [asdict(token) for token in self.tokens]}

    def __enter__(self) -> "SoftHsm":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _run(self, args: list[str]) -> str:
        env = dict(os.environ)
        env["SOFTHSM2_CONF"] = str(self.conf)
        done = subprocess.run(["softhsm2-util", *args], env=env, capture_output=True, text=True,
                              check=False)
        if done.returncode != 0:
            # The command line holds test PINs only; still, name the action, not the arguments.
            raise RuntimeError(f"softhsm2-util {args[0]} failed ({done.returncode}): "
                               f"{done.stderr.strip() or done.stdout.strip()}")
        return done.stdout


def pkcs11_tool(library: str, slot: int, pin: str, *args: str, env: dict | None = None) -> str:
    """pkcs11-tool logged in to `slot`; the PIN travels in the environment (`--pin env:VAR`)."""
    child = dict(env or os.environ)
    child["KMS_TEST_P11_PIN"] = pin
    command = ["pkcs11-tool", "--module", library, "--slot", str(slot), "--login",
               "--pin", "env:KMS_TEST_P11_PIN", *args]
    assert pin not in command
    done = subprocess.run(command, env=child, capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0:
        raise AssertionError(f"pkcs11-tool {' '.join(args)} failed: {done.stderr or done.stdout}")
    return done.stdout


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    init = sub.add_parser("init", help="create DIR with a softhsm2.conf and N tokens; print JSON")
    init.add_argument("directory")
    init.add_argument("--tokens", type=int, default=1)
    init.add_argument("--pin", default=DEFAULT_PIN)
    init.add_argument("--so-pin", default=DEFAULT_SO_PIN)
    init.add_argument("--label-prefix", default="kms-test")
    clean = sub.add_parser("clean", help="remove DIR")
    clean.add_argument("directory")
    args = parser.parse_args(argv)

    if args.command == "clean":
        shutil.rmtree(args.directory, ignore_errors=True)
        return 0
    hsm = SoftHsm(tokens=args.tokens, directory=args.directory, pin=args.pin, so_pin=args.so_pin,
                  label_prefix=args.label_prefix, keep=True)
    try:
        hsm.start()
    except (OSError, RuntimeError) as failure:
        print(f"softhsm.py: {failure}", file=sys.stderr)
        return 1
    print(json.dumps(hsm.describe()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
