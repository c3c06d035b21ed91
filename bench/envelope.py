#!/usr/bin/python3
"""bench/envelope.py: envelope encryption of a large file by `kms sym encrypt` (issue 17), against
OpenSSL on the same file in the same run.

    bench/envelope.py [--kmsd BUILD/core/kmsd] [--kms BUILD/cli/kms] [--size-mib 1024] [--runs 3] [--dir DIR]

Makes a random file (1 GiB by default) in a temporary directory (under --dir, default $TMPDIR),
starts a kmsd on SQLite (tests/support/kmsd.py), creates an AES-256 key, then, each run:

- kms: `kms -q sym encrypt -k KEY -o out.enc in.bin` (an envelope: the server wraps one data key,
  the client encrypts 1 MiB AES-256-GCM chunks); its wall time and peak RSS (wait4's ru_maxrss),
  to show that memory does not grow with the file. kms fsyncs its output before it names it.
- openssl: `openssl enc -aes-256-ctr` file to file (OpenSSL 3's `enc` refuses AEAD ciphers: CTR is
  the same AES core without GHASH, so a stricter baseline), then an fsync of its output, timed
  apart: the ratio is given against openssl alone and against openssl + fsync (the same
  durability as kms).
- kms decrypt of the envelope, checked by cmp against the input (for information).
- the same two encryptions to /dev/null (`kms -o -`, `openssl enc` to stdout): the CPU and read
  side without the disk, a steadier figure on a VM whose disk writes vary from run to run.

Prints each run and the median ratios, and `openssl speed -evp aes-256-gcm` (in memory, 1 MiB
blocks) for information. The target of issue 17: kms >= 50% of openssl's rate.
Standard library only; Debian's /usr/bin/python3.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "support"))

from kmsd import Kmsd  # noqa: E402


def log(msg: str) -> None:
    print(f"[envelope {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def timed(argv: list[str], env: dict | None = None) -> tuple[float, int]:
    """Runs argv (stdout to /dev/null); its wall time (s) and peak RSS (KiB). Fails loudly on a
    non-zero exit."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(argv)}: exit {proc.returncode}: {err}")
    return elapsed, usage.ru_maxrss


def fsync_time(path: Path) -> float:
    start = time.perf_counter()
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    return time.perf_counter() - start


def make_file(path: Path, size: int) -> None:
    block = 16 << 20
    with open(path, "wb") as out:
        left = size
        while left > 0:
            out.write(os.urandom(min(block, left)))
            left -= block
    fsync_time(path)


def openssl_speed() -> float | None:
    """AES-256-GCM in memory on 1 MiB blocks, bytes/s (openssl speed -mr)."""
    r = subprocess.run(["openssl", "speed", "-evp", "aes-256-gcm", "-bytes", str(1 << 20), "-seconds", "2", "-mr"],
                       capture_output=True, text=True, timeout=120)
    for line in r.stdout.splitlines():
        if line.startswith("+F:"):
            return float(line.split(":")[-1])
    return None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kmsd", default=os.environ.get("KMSD_BIN", str(REPO / "build" / "core" / "kmsd")))
    ap.add_argument("--kms", default=str(REPO / "build" / "cli" / "kms"))
    ap.add_argument("--size-mib", type=int, default=1024)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--dir", default=None, help="where the files go (default: $TMPDIR)")
    ap.add_argument("--json", action="store_true", help="also print the figures as one JSON object")
    args = ap.parse_args()
    size = args.size_mib << 20

    work = Path(tempfile.mkdtemp(prefix="kms-envelope-bench-", dir=args.dir))
    kmsd = None
    try:
        log(f"{args.size_mib} MiB of random bytes in {work}")
        src = work / "in.bin"
        make_file(src, size)
        kmsd = Kmsd(args.kmsd, extra_args=["--log-level", "warning"])
        kmsd.start()
        conf = work / "cli.toml"
        conf.write_text(f'[http_config]\nserver_url = "{kmsd.url}"\n')
        env = {k: v for k, v in os.environ.items() if not k.startswith("KMS_CLI")}
        env.update(HOME=str(work), KMS_CLI_CONF=str(conf))
        out = subprocess.run([args.kms, "--json", "sym", "keys", "create"], env=env, capture_output=True,
                             text=True, timeout=60)
        if out.returncode != 0:
            sys.exit(f"kms sym keys create: {out.stderr}")
        uid = json.loads(out.stdout)["unique_identifier"]
        key, iv = os.urandom(32).hex(), os.urandom(16).hex()
        enc, plain, ctr = work / "out.enc", work / "out.plain", work / "out.ctr"

        runs = []
        for run in range(1, args.runs + 1):
            for path in (enc, plain, ctr):
                path.unlink(missing_ok=True)
            os.sync()
            kms_s, kms_rss = timed([args.kms, "-q", "sym", "encrypt", "-k", uid, "-o", str(enc), str(src)], env)
            os.sync()
            ossl_s, ossl_rss = timed(["openssl", "enc", "-aes-256-ctr", "-K", key, "-iv", iv, "-in", str(src),
                                      "-out", str(ctr)])
            ossl_sync_s = fsync_time(ctr)
            os.sync()
            dec_s, dec_rss = timed([args.kms, "-q", "sym", "decrypt", "-o", str(plain), str(enc)], env)
            # The same without the disk: output to /dev/null (the CPU and read side only).
            kms_null_s, _ = timed([args.kms, "-q", "sym", "encrypt", "-k", uid, "-o", "-", str(src)], env)
            ossl_null_s, _ = timed(["openssl", "enc", "-aes-256-ctr", "-K", key, "-iv", iv, "-in", str(src)])
            same = subprocess.run(["cmp", "-s", str(src), str(plain)]).returncode == 0
            if not same:
                sys.exit("the decrypted file differs from the input")
            with open(enc, "rb") as f:
                if f.read(8) != bytes([0x89]) + b"KMSENV\n":
                    sys.exit("kms did not write an envelope")
            row = {"run": run, "kms_encrypt_s": kms_s, "kms_encrypt_rss_kib": kms_rss, "openssl_ctr_s": ossl_s,
                   "openssl_rss_kib": ossl_rss, "openssl_fsync_s": ossl_sync_s, "kms_decrypt_s": dec_s,
                   "kms_decrypt_rss_kib": dec_rss, "kms_encrypt_null_s": kms_null_s,
                   "openssl_ctr_null_s": ossl_null_s, "ratio_null": ossl_null_s / kms_null_s,
                   "ratio": ossl_s / kms_s, "ratio_same_durability": (ossl_s + ossl_sync_s) / kms_s}
            runs.append(row)
            mib = size / (1 << 20)
            log(f"run {run}: kms encrypt {kms_s:.2f} s ({mib / kms_s:.0f} MiB/s, peak RSS {kms_rss / 1024:.1f} MiB); "
                f"openssl enc -aes-256-ctr {ossl_s:.2f} s ({mib / ossl_s:.0f} MiB/s) + fsync {ossl_sync_s:.2f} s; "
                f"kms decrypt {dec_s:.2f} s ({mib / dec_s:.0f} MiB/s, peak RSS {dec_rss / 1024:.1f} MiB); "
                f"ratio {row['ratio']:.2f} (with fsync {row['ratio_same_durability']:.2f}); to /dev/null: kms "
                f"{kms_null_s:.2f} s, openssl {ossl_null_s:.2f} s, ratio {row['ratio_null']:.2f}")
        speed = openssl_speed()
        mib = size / (1 << 20)
        med = {k: statistics.median(r[k] for r in runs) for k in runs[0] if k != "run"}
        print(f"\nkms envelope encryption of {args.size_mib} MiB, {args.runs} runs (medians):")
        print(f"  kms sym encrypt          {med['kms_encrypt_s']:6.2f} s  {mib / med['kms_encrypt_s']:6.0f} MiB/s"
              f"  peak RSS {med['kms_encrypt_rss_kib'] / 1024:.1f} MiB")
        print(f"  kms sym decrypt          {med['kms_decrypt_s']:6.2f} s  {mib / med['kms_decrypt_s']:6.0f} MiB/s"
              f"  peak RSS {med['kms_decrypt_rss_kib'] / 1024:.1f} MiB")
        print(f"  openssl enc -aes-256-ctr {med['openssl_ctr_s']:6.2f} s  {mib / med['openssl_ctr_s']:6.0f} MiB/s"
              f"  (+ fsync {med['openssl_fsync_s']:.2f} s)")
        print(f"  kms / openssl rate: {med['ratio']:.2f} (target >= 0.50); with openssl's fsync: "
              f"{med['ratio_same_durability']:.2f}")
        print(f"  to /dev/null: kms {mib / med['kms_encrypt_null_s']:.0f} MiB/s, openssl enc "
              f"{mib / med['openssl_ctr_null_s']:.0f} MiB/s, ratio {med['ratio_null']:.2f}")
        if speed:
            print(f"  openssl speed -evp aes-256-gcm (1 MiB blocks, in memory): {speed / (1 << 20):.0f} MiB/s; "
                  f"kms encrypt at {mib / med['kms_encrypt_s'] / (speed / (1 << 20)):.2f} of it")
        if args.json:
            print(json.dumps({"size_mib": args.size_mib, "runs": runs, "medians": med,
                              "openssl_speed_gcm_bytes_per_s": speed}))
    finally:
        if kmsd is not None:
            kmsd.cleanup()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
