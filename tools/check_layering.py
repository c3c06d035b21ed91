#!/usr/bin/env python3
"""The allowed dependencies between kmsd's rooms, written down once, and the check that every
`#include "kms/..."` of the tree keeps to them (docs/architecture.md draws the same graph).

A room is a folder of core/kms/ (kms::<room>), the SDK's headers (sdk/include/kms/), or the
server executable (core/*.cpp). An include from room A of a header of room B passes when B is A,
B is in A's allowed set (transitively: what an allowed room may use is not allowed by that),
or the exact file pair is one of the named exceptions below, each with its reason. Headers
include no cycle either: `#pragma once` hides one, and a cycle makes two rooms one.

    tools/check_layering.py            # exit 1 and one line per crossing include
    tools/check_layering.py --graph    # print the graph the tree actually has
"""
from __future__ import annotations

import re
import sys
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# room -> the rooms its files may include. "base" is core/kms/*.hpp (Exception, ErrorTable,
# SecureBytes); "abi" is sdk/include/kms/driver.h, the plugins' C ABI, reached only by hsm/.
ALLOWED: dict[str, set[str]] = {
    "base": set(),
    "kmip": {"base"},
    "keys": {"base"},
    "store": {"base"},
    "config": {"base"},
    "hsm": {"base", "keys", "config", "abi"},
    "auth": {"base", "keys", "config", "store"},
    # The audit log (audit/): events -> chained JSON lines; every room that records events uses it.
    "audit": {"base"},
    "ops": {"base", "kmip", "keys", "store", "hsm", "auth", "config", "audit"},
    # What the front ends share: the TLS context, the in-flight memory budget, socket counters.
    "net": {"base", "kmip", "config"},
    "http": {"base", "kmip", "auth", "ops", "config", "net", "audit"},
    # Binary KMIP over TLS (port 5696): a front end beside http, never including it.
    "socket": {"base", "kmip", "auth", "ops", "config", "net", "audit"},
    "server": {"base", "kmip", "keys", "store", "config", "hsm", "auth", "ops", "net", "http", "socket", "abi",
               "integrations/ms_dke", "integrations/aws_xks", "integrations/google_cse", "audit"},
    # Cloud integrations (core/kms/integrations/<name>/, a room each): an external REST API mapped
    # onto the operations, served by http/ through net::RestService, never including http/.
    "integrations/ms_dke": {"base", "kmip", "auth", "ops", "config", "net", "audit"},
    "integrations/aws_xks": {"base", "kmip", "auth", "ops", "config", "net", "audit"},
    # Google CSE signs and decrypts with Gmail's unwrapped S/MIME private keys: keys/ too.
    "integrations/google_cse": {"base", "kmip", "keys", "auth", "ops", "config", "net", "audit"},
    # The SDK: the ABI header alone, the PKCS#11 engine on it, the conformance kit on the ABI.
    "abi": set(),
    "pkcs11": {"abi"},
    "testkit": {"abi"},
    # The `kms` client (cli/kms/cli/): the TTLV tree and its JSON codec, never the server's rooms.
    "cli": {"base", "kmip"},
}

# (including file, included header) pairs allowed across the graph, and why.
EXCEPTIONS: dict[tuple[str, str], str] = {
    ("core/kms/http/HealthHandler.cpp", "kms/store/ObjectStore.hpp"):
        "/health pings the database itself: it must answer when the operations cannot",
    ("core/kms/http/HsmStatusHandler.cpp", "kms/hsm/HsmRegistry.hpp"):
        "the HSM Status page shows the driver host's own view of its instances",
    ("core/kms/integrations/aws_xks/XksHealth.cpp", "kms/hsm/HsmRegistry.hpp"):
        "XKS GetHealthStatus reports each HSM instance from the driver host's status, as /hsm/status does",
    ("core/kms/integrations/aws_xks/XksHealth.cpp", "kms/hsm/DriverInstance.hpp"):
        "XKS GetHealthStatus reads each instance's slot status",
    ("core/kms/http/MetricsHandler.cpp", "kms/hsm/HsmRegistry.hpp"):
        "/metrics reports the driver host's call counters",
}

INCLUDE = re.compile(r'^\s*#\s*include\s+"(kms/[^"]+)"', re.MULTILINE)
SOURCES = ("*.cpp", "*.hpp", "*.h")


def room_of_file(path: Path) -> str | None:
    rel = path.relative_to(REPO).parts
    if rel[:3] == ("core", "kms", "integrations") and len(rel) > 4:
        return f"integrations/{rel[3]}"
    if rel[:2] == ("core", "kms"):
        return rel[2] if len(rel) > 3 else "base"
    if rel[0] == "core" and len(rel) == 2:
        return "server"
    if rel[:3] == ("sdk", "include", "kms"):
        return rel[3] if len(rel) > 4 else "abi"
    if rel[:2] == ("sdk", "pkcs11"):
        return "pkcs11"
    if rel[:2] == ("sdk", "testkit"):
        return "testkit"
    if rel[0] == "cli":
        return "cli"
    return None


def room_of_include(include: str) -> str | None:
    parts = include.split("/")  # kms/<room>/.../X.hpp or kms/X.hpp
    if len(parts) == 2:
        return "abi" if parts[1] == "driver.h" else "base"
    if parts[1] == "integrations" and len(parts) > 3:
        return f"integrations/{parts[2]}"
    return parts[1]


def header_exists(include: str) -> bool:
    return any((REPO / root / include).is_file() for root in ("core", "sdk/include", "cli"))


def scan():
    for top in ("core", "sdk/include", "sdk/pkcs11", "sdk/testkit", "cli"):
        for pattern in SOURCES:
            for path in sorted((REPO / top).rglob(pattern)):
                room = room_of_file(path)
                if room is None:
                    continue
                for match in INCLUDE.finditer(path.read_text(encoding="utf-8")):
                    yield path, room, match.group(1)


def header_path(include: str) -> Path:
    for root in ("core", "cli"):
        if (REPO / root / include).is_file():
            return REPO / root / include
    return REPO / "sdk" / "include" / include


def cycles(edges: dict[Path, set[Path]]) -> list[list[Path]]:
    """The strongly connected components of more than one file (Tarjan, iterative)."""
    index: dict[Path, int] = {}
    low: dict[Path, int] = {}
    stack: list[Path] = []
    on_stack: set[Path] = set()
    found: list[list[Path]] = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges.get(root, ()))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def main(argv: list[str]) -> int:
    problems: list[str] = []
    graph: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    edges: dict[Path, set[Path]] = defaultdict(set)
    for path, room, include in scan():
        rel = str(path.relative_to(REPO))
        target = room_of_include(include)
        if not header_exists(include):
            problems.append(f"{rel}: includes {include}, which is no file of the tree")
            continue
        if path.suffix != ".cpp":
            edges[path].add(header_path(include))
        if target == room:
            continue
        graph[room][target] += 1
        if target in ALLOWED.get(room, set()) or (rel, include) in EXCEPTIONS:
            continue
        problems.append(f"{rel}: {room} may not include {include} ({target})")
    for component in cycles(edges):
        names = ", ".join(str(p.relative_to(REPO)) for p in component)
        problems.append(f"include cycle between {len(component)} headers: {names}")
    if "--graph" in argv:
        for room in sorted(graph):
            print(room, "->", ", ".join(f"{t} ({n})" for t, n in sorted(graph[room].items())))
    for line in problems:
        print(line)
    if problems:
        print(f"{len(problems)} include(s) cross the allowed dependencies (tools/check_layering.py)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
