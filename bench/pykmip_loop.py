#!/usr/bin/python3
"""bench/pykmip_loop.py: one PyKMIP client (kmip.pie.client.ProxyKmipClient, KMIP 1.2, one
mutual-TLS connection) doing create(AES-256) + get + destroy in a loop for a fixed time, for
bench/run's "pykmip" scenario. The same script runs against pykmip-server and against kmsd's
socket server, so that the two rates compare one server with the other and nothing else.

    pykmip_loop.py --port P --cert C --key K --ca CA --duration S [--warmup S]

Prints one JSON object: sequences, elapsed_s, rate (sequences/s), errors, first_error,
latency_us (p50, p99 of a whole sequence).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time

from kmip.core import enums
from kmip.pie.client import ProxyKmipClient

logging.getLogger("kmip").setLevel(logging.CRITICAL)  # PyKMIP logs every missing config file


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return 0.0
    rank = p / 100 * (len(sorted_values) - 1)
    lo = int(rank)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (rank - lo)


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--ca", required=True)
    p.add_argument("--duration", type=float, required=True)
    p.add_argument("--warmup", type=float, default=0.5)
    p.add_argument("--config-file", help="PyKMIP client config file (default: an empty one is fine)")
    args = p.parse_args()

    client = ProxyKmipClient(hostname=args.host, port=args.port, cert=args.cert, key=args.key, ca=args.ca,
                             kmip_version=enums.KMIPVersion.KMIP_1_2, config_file=args.config_file)
    client.open()  # the TLS handshake: before the warm-up ends, never measured
    errors, first_error, latencies = 0, "", []
    try:
        begin = time.monotonic()
        measure_from = begin + args.warmup
        end = measure_from + args.duration
        while True:
            started = time.monotonic()
            if started >= end:
                break
            try:
                uid = client.create(enums.CryptographicAlgorithm.AES, 256)
                key = client.get(uid)
                if len(key.value) != 32:
                    raise RuntimeError(f"get returned {len(key.value)} key bytes")
                client.destroy(uid)
                failed = False
            except Exception as exc:  # noqa: BLE001 - every failure is counted, the loop goes on
                failed = True
                if not first_error:
                    first_error = f"{type(exc).__name__}: {exc}"[:300]
            done = time.monotonic()
            if started >= measure_from:
                latencies.append((done - started) * 1e6)
                errors += failed
    finally:
        client.close()
    latencies.sort()
    elapsed = max(time.monotonic(), end) - measure_from if latencies else 0.0
    print(json.dumps({"sequences": len(latencies), "elapsed_s": round(elapsed, 3),
                      "rate": round(len(latencies) / elapsed, 2) if elapsed else 0.0, "errors": errors,
                      "first_error": first_error,
                      "latency_us": {"p50": round(percentile(latencies, 50), 1),
                                     "p99": round(percentile(latencies, 99), 1)}}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
