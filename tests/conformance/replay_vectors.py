#!/usr/bin/env python3
"""Replay the OASIS KMIP 2.1 (or 1.4) profile test vectors (XML) against a real kmsd.

    replay_vectors.py --kmsd BIN [--vectors DIR] [--binary | --socket] [--verbose] [NAME ...]

With --binary every RequestMessage goes as binary TTLV (ttlv_binary.py) to POST /kmip, the way
the 1.4 vectors are replayed (their 1.x messages go through kmsd's KMIP 1.x translation layer).
With --socket it goes as binary TTLV over kmsd's KMIP socket instead: kmsd is started with TLS
and the socket server, and every message of the run is sent framed over one mutual-TLS
connection whose client certificate names kmsd's default user, the user of the HTTP replays.
A connection kmsd closes is replaced; each replacement is printed (`NOTE socket: ...`) with the
count of connections.

One kmsd (fresh data directory) serves the whole run. For each vector file, in name order,
each RequestMessage is converted to JSON TTLV (xml_to_json.py), its placeholders filled in
($NOW[-N] -> current time, $UNIQUE_IDENTIFIER_n -> the id bound earlier in this vector), POSTed
to /kmip/2_1, and the ResponseMessage is compared with the expected one:

- header: ProtocolVersion and BatchCount exactly, TimeStamp present, nothing else;
- batch items by position: Operation, UniqueBatchItemID, ResultStatus and ResultReason exactly
  (ResultMessage is not compared: its text is the vendor's);
- ResponsePayload recursively: every expected element must be present in the actual one,
  matched by tag, in order among siblings of the same tag (extra actual elements are allowed and
  listed with --verbose); values exactly (ByteString case-insensitive, masks as bit sets, numbers
  by value whatever their JSON form, DateTime by instant), except the server-made values of
  the RULES below.

Prints `PASS name`, `FAIL name: step N: <path>: <difference>`, `XFAIL ...`, `XPASS ...`, then
`conformance: N passed, M failed`. Exit status 1 when anything FAILed or XPASSed.
Vectors listed in expected_failures.txt (one name per line, `# reason`) are XFAIL.
When the vectors directory is missing: SKIP and exit 77 (SKIP_EXIT, which ctest reports as
skipped through SKIP_RETURN_CODE), or exit 1 when CI=true.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import http.client
import json
import os
import re
import select
import shutil
import socket
import ssl
import struct
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO_ROOT / "tests" / "support"))

import ttlv_binary  # noqa: E402
import xml_to_json  # noqa: E402
from credentials import Pki  # noqa: E402
from kmsd import MASK_TABLES, Kmsd, default_binary, free_port, http_request, mask_bits  # noqa: E402

# KMS_KMIP_VECTORS_DIR (set by ctest from the CMake cache variable of that name) or beside the checkout.
DEFAULT_VECTORS = Path(os.environ.get("KMS_KMIP_VECTORS_DIR") or REPO_ROOT.parent / "shared" / "kmip-vectors" / "v2.1")
DEFAULT_XFAIL = HERE / "expected_failures.txt"
SKIP_EXIT = 77  # "data missing": tests/conformance/CMakeLists.txt sets SKIP_RETURN_CODE to it
ENDPOINT = "/kmip/2_1"
# Who the HTTP replays are: without authentication every request is kmsd's default user
# (default_username, "admin"). The socket replay's client certificate names the same user.
SOCKET_USER = "admin"

PLACEHOLDER_RE = re.compile(r"^\$UNIQUE_IDENTIFIER_\d+$")
NOW_PLACEHOLDER_RE = re.compile(r"^\$NOW(\s*[+-]\s*\d+)?$")

# Operations whose new objects hold key material the server generated at random.
GENERATING_OPS = {"Create", "CreateKeyPair", "DeriveKey", "ReKey", "ReKeyKeyPair",
                  "CreateSplitKey", "JoinSplitKey"}
# Ids the profile lets vary (8.4.1); literal (non-placeholder) values of these are not compared.
ID_TAGS = {"UniqueIdentifier", "PrivateKeyUniqueIdentifier", "PublicKeyUniqueIdentifier",
           "LinkedObjectIdentifier", "AsynchronousCorrelationValue"}
CRYPTO_OUTPUT_TAGS = {"Data", "SignatureData", "MACData", "IVCounterNonce",
                      "AuthenticatedEncryptionTag"}


# ---------------------------------------------------------------------------------------------
# Per-vector and per-batch-item context
# ---------------------------------------------------------------------------------------------

@dataclass
class VectorState:
    name: str
    bindings: dict[str, str] = field(default_factory=dict)   # $UNIQUE_IDENTIFIER_n -> id
    generated: set[str] = field(default_factory=set)         # placeholders of generated objects
    object_types: dict[str, str] = field(default_factory=dict)  # placeholder -> ObjectType


@dataclass
class ItemContext:
    """What the rules need to know about one batch item (placeholders, not actual ids)."""
    vector: str
    operation: str | None
    request_payload: dict | None
    expected_payload: dict | None
    obj: str | None                 # placeholder of the object the item works on
    generated: bool                 # that object's key material was made by the server
    object_type: str | None

    def request_has(self, tag: str) -> bool:
        return _contains_tag(self.request_payload, tag)

    def expected_has(self, tag: str) -> bool:
        return _contains_tag(self.expected_payload, tag)


def _contains_tag(node: Any, tag: str) -> bool:
    if not isinstance(node, dict):
        return False
    if node.get("tag") == tag:
        return True
    v = node.get("value")
    return isinstance(v, list) and any(_contains_tag(c, tag) for c in v)


def _child(node: Any, tag: str) -> dict | None:
    if isinstance(node, dict) and isinstance(node.get("value"), list):
        for c in node["value"]:
            if isinstance(c, dict) and c.get("tag") == tag:
                return c
    return None


def _children(node: Any, tag: str | None = None) -> list[dict]:
    if isinstance(node, dict) and isinstance(node.get("value"), list):
        return [c for c in node["value"]
                if isinstance(c, dict) and (tag is None or c.get("tag") == tag)]
    return []


def _val(node: Any, tag: str) -> Any:
    c = _child(node, tag)
    return None if c is None else c.get("value")


def _placeholder(v: Any) -> str | None:
    return v if isinstance(v, str) and PLACEHOLDER_RE.match(v) else None


# ---------------------------------------------------------------------------------------------
# The rules for server-made values (KMIP Profiles v2.1 section 8.4.1 "Variable Items", which
# the additional-message-encodings spec repeats). Each rule says which expected element it
# covers and what happens to it:
#   "presence": the element must exist in the actual response; its value/subtree is not compared
#   "ignore":   not compared at all, may even be absent
# `ancestors` are the tags from the ResponseMessage down to the element's parent.
# Placeholders `$UNIQUE_IDENTIFIER_n` are not a rule: they bind on first sight and must then be
# equal (see Comparer._scalar), whatever the tag.
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Rule:
    name: str
    action: str
    applies: Callable[[str, list[str], dict, ItemContext | None], bool]
    why: str


def _in_header(anc: list[str]) -> bool:
    return "ResponseHeader" in anc


RULES: list[Rule] = [
    Rule("header-timestamp", "presence",
         lambda tag, anc, exp, c: _in_header(anc) and tag == "TimeStamp",
         "TimeStamp is the server's clock (8.4.1 TimeStamp); required by the spec, so present."),
    Rule("header-other", "ignore",
         lambda tag, anc, exp, c: _in_header(anc) and anc[-1] == "ResponseHeader"
         and tag not in ("ProtocolVersion", "BatchCount", "TimeStamp"),
         "ServerCorrelationValue and the other optional header fields are the server's own "
         "(SHOULD, not SHALL); ClientCorrelationValue is only echoed in server-to-client "
         "messages (KMIP 2.1 section 9.9)."),
    Rule("result-message", "ignore",
         lambda tag, anc, exp, c: tag == "ResultMessage" and anc[-1] == "BatchItem",
         "ResultMessage may be absent and its text may vary (8.4.1 response variations)."),
    Rule("literal-ids", "presence",
         lambda tag, anc, exp, c: tag in ID_TAGS and _placeholder(exp.get("value")) is None,
         "Unique identifiers and correlation values may vary (8.4.1); placeholders are "
         "bound instead, so only literal values fall here."),
    Rule("server-dates", "presence",
         lambda tag, anc, exp, c: exp.get("type") in ("DateTime", "DateTimeExtended")
         and isinstance(exp.get("value"), str)
         and bool(NOW_PLACEHOLDER_RE.match(exp["value"].strip())),
         "A `$NOW` date is set by the server (InitialDate, LastChangeDate, ActivationDate of "
         "an Activate...): 8.4.1 lets it vary; present and a valid date-time is enough. "
         "Fixed dates the request gave are compared as instants."),
    Rule("generated-key-material", "presence",
         lambda tag, anc, exp, c: tag == "KeyMaterial" and c is not None
         and (c.generated or c.request_has("KeyWrappingSpecification")),
         "Key material of objects the server generated, and wrapped keys (variable wrap "
         "output), may vary (8.4.1 KeyValue/KeyMaterial)."),
    Rule("server-key-format", "presence",
         lambda tag, anc, exp, c: tag == "KeyFormatType" and c is not None and c.generated
         and not c.request_has("KeyFormatType"),
         "The key format type the server chose when it created the object may vary (8.4.1 "
         "KeyFormatType) unless the request asked for one."),
    Rule("digest-algorithm", "presence",
         lambda tag, anc, exp, c: tag == "HashingAlgorithm" and anc[-1] == "Digest",
         "The hashing algorithm the server selects for a Digest may vary (8.4.1 Digest a)."),
    Rule("digest-value", "presence",
         lambda tag, anc, exp, c: tag == "DigestValue" and c is not None and c.generated,
         "The digest of generated key material is as random as the key (8.4.1 DigestValue). "
         "For other objects it is compared when the algorithm is the expected one "
         "(see Comparer: a different algorithm makes it presence-only too)."),
    Rule("generated-key-crypto-output", "presence",
         lambda tag, anc, exp, c: tag in CRYPTO_OUTPUT_TAGS and anc[-1] == "ResponsePayload"
         and c is not None and c.generated,
         "Outputs of cryptographic operations with a key the server generated (the vector "
         "shows the reference server's results with its random key) may vary (8.4.1 Data...)."),
    Rule("server-chosen-iv", "presence",
         lambda tag, anc, exp, c: tag in CRYPTO_OUTPUT_TAGS and anc[-1] == "ResponsePayload"
         and c is not None and c.operation == "Encrypt"
         and not c.request_has("IVCounterNonce") and c.expected_has("IVCounterNonce"),
         "An Encrypt whose request gave no IV, answered with an IV: the server drew the IV, so "
         "IV, ciphertext and tag vary (8.4.1 'operation inherently contains variable output'). "
         "When the expected answer has no IV (ECB) the ciphertext is known-answer."),
    Rule("randomized-padding", "presence",
         lambda tag, anc, exp, c: tag == "Data" and anc[-1] == "ResponsePayload"
         and c is not None and c.operation == "Encrypt"
         and c.object_type in ("PublicKey", "PrivateKey"),
         "RSA encryption (OAEP, PKCS#1 v1.5) pads with random bytes: the ciphertext varies "
         "(8.4.1); the matching Decrypt vector checks the known answer."),
    Rule("rng-description", "presence",
         lambda tag, anc, exp, c: tag == "RandomNumberGenerator",
         "Describes the server's own random number generator; the vectors show the reference "
         "server's (ANSIX9_31). Our addition to 8.4.1: kmsd must not claim another's RNG."),
    Rule("rng-description-1x", "presence",
         lambda tag, anc, exp, c: "AttributeValue" in anc
         and tag in ("RNGAlgorithm", "DRBGAlgorithm", "FIPS186Variation", "PredictionResistance"),
         "The same server RNG description in its KMIP 1.x form (an Attribute named "
         "'Random Number Generator'): kmsd must not claim the reference server's RNG either."),
    Rule("vendor-identification", "presence",
         lambda tag, anc, exp, c: tag == "VendorIdentification",
         "The VendorIdentification value (if included) may vary (8.4.1)."),
]


def find_rule(tag: str, anc: list[str], exp: dict, ctx: ItemContext | None) -> Rule | None:
    for r in RULES:
        if r.applies(tag, anc, exp, ctx):
            return r
    return None


# ---------------------------------------------------------------------------------------------
# Comparison
# ---------------------------------------------------------------------------------------------

class Mismatch(Exception):
    pass


@dataclass
class Trial:
    """Bindings and notes made while matching one candidate; merged only on success."""
    ids: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def copy(self) -> "Trial":
        return Trial(dict(self.ids), list(self.notes))


def _to_int(v: Any, bits: int | None) -> int:
    if isinstance(v, bool):
        raise ValueError(f"boolean {v!r} where a number was expected")
    if isinstance(v, int):
        return v
    if isinstance(v, str):
        s = v.strip()
        if s.lower().startswith("0x"):
            digits = s[2:]
            n = int(digits, 16)
            width = bits if bits is not None else 4 * len(digits)
            if width and n >= 1 << (width - 1) and (bits is not None or len(digits) % 16 == 0):
                n -= 1 << width
            return n
        if re.match(r"^[+-]?\d+$", s):
            return int(s)
    raise ValueError(f"not a number: {v!r}")


def _to_bool(v: Any) -> bool:
    if isinstance(v, bool):
        return v
    if isinstance(v, str) and v.lower().startswith("0x"):
        return int(v, 16) != 0
    raise ValueError(f"not a boolean: {v!r}")


def _to_instant(v: Any) -> _dt.datetime:
    if isinstance(v, int) and not isinstance(v, bool):
        return _dt.datetime.fromtimestamp(v, _dt.timezone.utc)
    if isinstance(v, str):
        s = v.strip()
        if s.lower().startswith("0x"):
            return _dt.datetime.fromtimestamp(int(s, 16), _dt.timezone.utc)
        d = _dt.datetime.fromisoformat(s.replace("z", "Z").replace("Z", "+00:00"))
        if d.tzinfo is None:
            d = d.replace(tzinfo=_dt.timezone.utc)
        return d
    raise ValueError(f"not a date-time: {v!r}")


def _show(v: Any, limit: int = 80) -> str:
    s = repr(v)
    return s if len(s) <= limit else s[:limit - 3] + "..."


class Comparer:
    def __init__(self, state: VectorState, verbose: bool):
        self.state = state
        self.verbose = verbose

    def node(self, exp: dict, act: Any, path: str, anc: list[str],
             ctx: ItemContext | None, trial: Trial) -> None:
        tag = exp.get("tag")
        if not isinstance(act, dict) or act.get("tag") != tag:
            raise Mismatch(f"{path}: expected element {tag}, got {_show(act)}")
        rule = find_rule(tag, anc, exp, ctx)
        if rule is not None and rule.action in ("presence", "ignore"):
            if exp.get("type") in ("DateTime", "DateTimeExtended") and rule.name == "server-dates":
                try:
                    _to_instant(act.get("value"))
                except ValueError as exc:
                    raise Mismatch(f"{path}: {exc}") from None
            if self.verbose:
                trial.notes.append(f"not compared ({rule.name}): {path}")
            return
        etype = exp.get("type") or "Structure"
        aval = act.get("value")
        atype = act.get("type") or ("Structure" if isinstance(aval, list) else None)
        if etype == "Structure":
            if atype != "Structure" or not isinstance(aval, list):
                raise Mismatch(f"{path}: expected a Structure, got type {atype} "
                               f"value {_show(aval)}")
            self.children(exp.get("value") or [], aval, path, anc + [tag], ctx, trial)
            return
        if atype is not None and atype != etype:
            raise Mismatch(f"{path}: expected type {etype}, got {atype} ({_show(aval)})")
        self.scalar(tag, etype, exp.get("value"), aval, path, anc, ctx, trial)

    def children(self, exp_list: list, act_list: list, path: str, anc: list[str],
                 ctx: ItemContext | None, trial: Trial) -> None:
        by_tag: dict[str, list[int]] = defaultdict(list)
        for idx, a in enumerate(act_list):
            if isinstance(a, dict):
                by_tag[a.get("tag")].append(idx)
        exp_count: dict[str, int] = defaultdict(int)
        for ex in exp_list:
            exp_count[ex.get("tag")] += 1
        next_pos: dict[str, int] = defaultdict(int)
        seen: dict[str, int] = defaultdict(int)
        used: set[int] = set()
        digest_alg_differs = self._digest_alg_differs(exp_list, act_list, anc)
        for ex in exp_list:
            tag = ex.get("tag")
            k = seen[tag]
            seen[tag] += 1
            seg = f"{tag}[{k}]" if exp_count[tag] > 1 else tag
            cpath = f"{path}/{seg}"
            rule = find_rule(tag, anc, ex, ctx)
            if rule is not None and rule.action == "ignore":
                continue
            if tag == "DigestValue" and digest_alg_differs:
                if not by_tag.get(tag):
                    raise Mismatch(f"{cpath}: missing")
                continue
            cands = by_tag.get(tag, [])
            first_err: str | None = None
            matched = None
            for pos in range(next_pos[tag], len(cands)):
                attempt = trial.copy()
                try:
                    self.node(ex, act_list[cands[pos]], cpath, anc, ctx, attempt)
                except Mismatch as exc:
                    if first_err is None:
                        first_err = str(exc)
                    continue
                matched = pos
                trial.ids, trial.notes = attempt.ids, attempt.notes
                break
            if matched is None:
                if first_err is not None:
                    raise Mismatch(first_err)
                have = ", ".join(sorted({str(a.get("tag")) for a in act_list
                                         if isinstance(a, dict)})) or "nothing"
                raise Mismatch(f"{cpath}: missing (actual {path.rsplit('/', 1)[-1]} has: "
                               f"{have})")
            used.add(cands[matched])
            next_pos[tag] = matched + 1
        if self.verbose:
            for idx, a in enumerate(act_list):
                if idx not in used and isinstance(a, dict):
                    rule = find_rule(a.get("tag"), anc, a, ctx)
                    if rule is None or rule.action != "ignore":
                        trial.notes.append(f"extra: {path}/{a.get('tag')} = "
                                           f"{_show(a.get('value'))}")

    @staticmethod
    def _digest_alg_differs(exp_list: list, act_list: list, anc: list[str]) -> bool:
        """Inside a Digest: a server may pick another hashing algorithm (8.4.1 Digest a);
        then the digest value cannot be compared."""
        if not anc or anc[-1] != "Digest":
            return False
        ea = next((c.get("value") for c in exp_list if c.get("tag") == "HashingAlgorithm"), None)
        aa = next((c.get("value") for c in act_list
                   if isinstance(c, dict) and c.get("tag") == "HashingAlgorithm"), None)
        return ea is not None and aa is not None and ea != aa

    def scalar(self, tag: str, typ: str, ev: Any, av: Any, path: str, anc: list[str],
               ctx: ItemContext | None, trial: Trial) -> None:
        ph = _placeholder(ev)
        if ph is not None:
            self.bind(ph, av, path, trial)
            return
        try:
            if typ == "Integer" and tag in MASK_TABLES:
                table = MASK_TABLES[tag]
                same = mask_bits(ev, table) == mask_bits(av, table)
            elif typ == "Integer" and tag == "AttributeValue" and isinstance(ev, str) \
                    and not re.match(r"^(0x[0-9a-fA-F]+|[+-]?\d+)$", ev.strip()):
                # A KMIP 1.x Cryptographic Usage Mask as an AttributeValue: bits by name.
                same = mask_bits(ev) == mask_bits(av)
            elif typ == "Integer":
                same = _to_int(ev, 32) == _to_int(av, 32)
            elif typ == "LongInteger":
                same = _to_int(ev, 64) == _to_int(av, 64)
            elif typ == "BigInteger":
                same = _to_int(ev, None) == _to_int(av, None)
            elif typ == "Interval":
                same = _to_int(ev, None) == _to_int(av, None)
            elif typ == "Boolean":
                same = _to_bool(ev) == _to_bool(av)
            elif typ == "ByteString":
                same = isinstance(av, str) and ev.strip().lower() == av.strip().lower()
            elif typ in ("DateTime", "DateTimeExtended"):
                same = _to_instant(ev) == _to_instant(av)
            elif typ == "Enumeration":
                same = ev == av
                if not same:
                    try:  # both numeric forms: compare the numbers
                        same = _to_int(ev, None) == _to_int(av, None)
                    except ValueError:
                        same = False
            elif typ == "TextString":
                same = ev == av or self._prefixed_test_id(ev, av)
            else:
                same = ev == av
        except ValueError as exc:
            raise Mismatch(f"{path}: expected {_show(ev)}, got {_show(av)} ({exc})") from None
        if not same:
            raise Mismatch(f"{path}: expected {_show(ev)}, got {_show(av)}")

    def _prefixed_test_id(self, ev: Any, av: Any) -> bool:
        """8.4.1: text values holding test identifiers may carry vendor/application
        prefixes."""
        return (isinstance(ev, str) and isinstance(av, str) and self.state.name in ev
                and av.endswith(ev))

    def bind(self, ph: str, av: Any, path: str, trial: Trial) -> None:
        known = trial.ids.get(ph, self.state.bindings.get(ph))
        if known is not None:
            if av != known:
                raise Mismatch(f"{path}: expected {ph} = {_show(known)}, got {_show(av)}")
            return
        if not isinstance(av, str) or not av:
            raise Mismatch(f"{path}: expected an identifier for {ph}, got {_show(av)}")
        for other, val in list(self.state.bindings.items()) + list(trial.ids.items()):
            if val == av and other != ph:
                raise Mismatch(f"{path}: {ph} got {_show(av)}, already the id of {other}")
        trial.ids[ph] = av


# ---------------------------------------------------------------------------------------------
# Replay
# ---------------------------------------------------------------------------------------------

class StepFailure(Exception):
    pass


def substitute_ids(node: Any, state: VectorState, trail: str = "") -> Any:
    """Copy of a request node with bound $UNIQUE_IDENTIFIER_n replaced by their ids."""
    if isinstance(node, dict):
        out = dict(node)
        v = node.get("value")
        here = f"{trail}/{node.get('tag')}"
        if isinstance(v, list):
            out["value"] = [substitute_ids(c, state, here) for c in v]
        elif _placeholder(v) is not None:
            if v not in state.bindings:
                raise StepFailure(f"request uses {v} at {here} before a response bound it")
            out["value"] = state.bindings[v]
        return out
    return node


def item_contexts(state: VectorState, req: dict, exp: dict) -> list[ItemContext]:
    """One context per batch item; updates `state` (generated objects, object types) item by
    item so that later items of the same message see earlier ones."""
    req_items = _children(req, "BatchItem")
    exp_items = _children(exp, "BatchItem")
    contexts: list[ItemContext] = []
    id_placeholder: str | None = None   # KMIP ID Placeholder, as a $UNIQUE_IDENTIFIER_n
    for n, exp_item in enumerate(exp_items):
        req_item = req_items[n] if n < len(req_items) else None
        op = _val(req_item, "Operation") or _val(exp_item, "Operation")
        rp = _child(req_item, "RequestPayload")
        ep = _child(exp_item, "ResponsePayload")
        obj = (_placeholder(_val(rp, "UniqueIdentifier"))
               or _placeholder(_val(ep, "UniqueIdentifier"))
               or (id_placeholder if _val(rp, "UniqueIdentifier") is None else None))
        contexts.append(ItemContext(state.name, op, rp, ep, obj, obj in state.generated,
                                    state.object_types.get(obj) if obj else None))
        if _val(exp_item, "ResultStatus") != "Success":
            continue
        new_ids: list[tuple[str, str | None]] = []
        if op == "CreateKeyPair":
            new_ids = [(_placeholder(_val(ep, "PrivateKeyUniqueIdentifier")), "PrivateKey"),
                       (_placeholder(_val(ep, "PublicKeyUniqueIdentifier")), "PublicKey")]
        elif op in GENERATING_OPS or op == "Register":
            new_ids = [(_placeholder(_val(ep, "UniqueIdentifier")),
                        _val(rp, "ObjectType") or _val(ep, "ObjectType"))]
        for ph, otype in new_ids:
            if ph is None:
                continue
            if op in GENERATING_OPS:
                state.generated.add(ph)
            if otype:
                state.object_types[ph] = otype
            # KMIP 2.1 section 6.1: the ID Placeholder becomes the new object's id; for
            # Create Key Pair, the private key's.
            if op != "CreateKeyPair" or otype == "PrivateKey":
                id_placeholder = ph
    return contexts


def compare_message(state: VectorState, contexts: list[ItemContext], exp: dict, act: Any,
                    verbose: bool) -> list[str]:
    """Raise StepFailure at the first difference; return verbose notes."""
    if not isinstance(act, dict) or act.get("tag") != "ResponseMessage":
        raise StepFailure(f"expected a ResponseMessage, got {_show(act)}")
    cmp = Comparer(state, verbose)
    trial = Trial()
    exp_header = _child(exp, "ResponseHeader")
    act_header = _child(act, "ResponseHeader")
    if exp_header is not None:
        if act_header is None:
            raise StepFailure("ResponseMessage/ResponseHeader: missing")
        try:
            cmp.node(exp_header, act_header, "ResponseHeader", ["ResponseMessage"], None, trial)
        except Mismatch as exc:
            raise StepFailure(str(exc)) from None
    exp_items = _children(exp, "BatchItem")
    act_items = _children(act, "BatchItem")
    if len(act_items) != len(exp_items):
        raise StepFailure(f"expected {len(exp_items)} BatchItem(s), got {len(act_items)}"
                          + _server_said(act_items[0] if act_items else None))
    for n, (ei, ai) in enumerate(zip(exp_items, act_items)):
        try:
            cmp.node(ei, ai, f"BatchItem[{n}]", ["ResponseMessage"], contexts[n], trial)
        except Mismatch as exc:
            raise StepFailure(str(exc) + _server_said(ai)) from None
    state.bindings.update(trial.ids)
    return trial.notes


def _server_said(item: Any) -> str:
    if _val(item, "ResultStatus") in (None, "Success"):
        return ""
    reason = _val(item, "ResultReason")
    msg = _val(item, "ResultMessage")
    return f" [server: {_val(item, 'ResultStatus')} {reason or ''}: {msg or ''}]"


class SocketClient:
    """One mTLS connection to kmsd's KMIP socket speaking framed binary TTLV (KMIP 1.4 and 2.1
    section 9.1: the 8-byte item header of the RequestMessage gives the length), kept for many
    messages. When the server has closed it (idle timeout, an error answer), the next message
    opens a new one: `events` records every such reconnection, for the run's report."""

    def __init__(self, port: int, context: ssl.SSLContext, timeout: float = 60.0):
        self.port, self.context, self.timeout = port, context, timeout
        self.sock: ssl.SSLSocket | None = None
        self.connections = 0
        self.events: list[str] = []
        self.where = "start"   # the last step served: named in reconnection reports

    def _connect(self) -> None:
        raw = socket.create_connection(("127.0.0.1", self.port), timeout=self.timeout)
        self.sock = self.context.wrap_socket(raw, server_hostname="localhost")
        self.connections += 1

    def close(self) -> None:
        if self.sock is not None:
            try:
                self.sock.close()
            except OSError:
                pass
            self.sock = None

    def _closed_by_server(self) -> bool:
        """True when the server closed the connection while it was idle (EOF or reset)."""
        assert self.sock is not None
        if self.sock.pending():
            return False
        readable, _, _ = select.select([self.sock], [], [], 0)
        if not readable:
            return False
        try:
            self.sock.setblocking(False)
            try:
                data = self.sock.recv(1)
            finally:
                self.sock.setblocking(True)
                self.sock.settimeout(self.timeout)
        except ssl.SSLWantReadError:
            return False  # TLS bytes without application data (a session ticket)
        except (ConnectionError, ssl.SSLError, OSError):
            return True
        if data:
            raise StepFailure(f"kmsd sent {data!r} with no request pending (after {self.where})")
        return True

    def _read_exactly(self, n: int) -> bytes:
        assert self.sock is not None
        out = bytearray()
        while len(out) < n:
            chunk = self.sock.recv(n - len(out))
            if not chunk:
                raise EOFError(f"kmsd closed the connection after {len(out)} of {n} bytes")
            out += chunk
        return bytes(out)

    def exchange(self, wire: bytes, where: str) -> bytes:
        """Send one framed message, return the framed answer. A connection the server closed
        between messages is replaced (and reported); one closed mid-exchange fails the step
        (the request may have been executed: it is not sent again)."""
        if self.sock is not None and self._closed_by_server():
            self.events.append(f"kmsd closed the connection after {self.where}; reconnected "
                               f"for {where}")
            self.close()
        if self.sock is None:
            self._connect()
        self.where = where
        try:
            self.sock.sendall(wire)
            head = self._read_exactly(8)
            length = struct.unpack(">I", head[4:8])[0]
            return head + self._read_exactly(length)
        except (OSError, EOFError) as exc:
            self.events.append(f"connection lost during {where} ({exc}); the next message "
                               f"opens a new one")
            self.close()
            raise


class Server:
    """Either a kmsd we started (restarted if it dies) or a URL given on the command line.

    transport "json": JSON TTLV to POST /kmip/2_1; "binary": binary TTLV to POST /kmip;
    "socket": binary TTLV over the KMIP socket (mutual TLS, one connection for the run)."""

    def __init__(self, binary: str | None, url: str | None, transport: str = "json"):
        self.kmsd: Kmsd | None = None
        self.transport = transport
        self.socket_client: SocketClient | None = None
        self.port: int
        self._tmp: Path | None = None
        if url:
            if transport == "socket":
                raise SystemExit("--socket starts its own kmsd (it makes the certificates): "
                                 "no --url")
            m = re.match(r"^http://([^:/]+):(\d+)/?$", url)
            if not m:
                raise SystemExit(f"--url must look like http://HOST:PORT, got {url}")
            self.host, self.port = m.group(1), int(m.group(2))
        elif transport == "socket":
            self._start_socket_kmsd(binary)
        else:
            self.kmsd = Kmsd(binary).__enter__()
            self.host, self.port = "127.0.0.1", self.kmsd.port

    def _start_socket_kmsd(self, binary: str | None) -> None:
        # The HTTP replays run without authentication, as kmsd's default user (SOCKET_USER);
        # over the socket the user is the client certificate's CN, so the certificate names
        # that same user: objects have the same owner and ownership checks the same outcome.
        self._tmp = Path(tempfile.mkdtemp(prefix="replay-socket-"))
        pki = Pki(self._tmp / "pki")
        cert, key = pki.server()
        context = pki.client_context(*pki.issue("client", f"/CN={SOCKET_USER}"))
        sport = free_port()
        self.kmsd = Kmsd(binary, extra_args=[
            "--tls-cert-file", str(cert), "--tls-key-file", str(key),
            "--clients-ca-cert-file", str(pki.ca_cert),
            "--socket-server-start", "true", "--socket-server-port", str(sport)],
            ssl_context=context).__enter__()
        self.host, self.port = "127.0.0.1", self.kmsd.port
        self.socket_client = SocketClient(sport, context)

    def post(self, body: dict, where: str = "") -> tuple[int, Any]:
        if self.transport == "socket":
            assert self.socket_client is not None
            answer = self.socket_client.exchange(ttlv_binary.encode(body), where)
            return 200, ttlv_binary.decode(answer)
        if self.transport == "binary":
            return self._post_binary(body)
        status, parsed, _ = http_request(self.port, "POST", ENDPOINT,
                                         json.dumps(body).encode(),
                                         {"Content-Type": "application/json"}, 60.0,
                                         host=self.host)
        return status, parsed

    def _post_binary(self, body: dict) -> tuple[int, Any]:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60.0)
        try:
            conn.request("POST", "/kmip", body=ttlv_binary.encode(body),
                         headers={"Content-Type": "application/octet-stream"})
            resp = conn.getresponse()
            data = resp.read()
        finally:
            conn.close()
        if resp.status != 200 or resp.getheader("Content-Type") != "application/octet-stream":
            return resp.status, data.decode(errors="replace")
        return resp.status, ttlv_binary.decode(data)

    def check_alive(self) -> str | None:
        """If our kmsd died, restart it (same data) and say so."""
        if self.kmsd is None or self.kmsd.alive():
            return None
        code = self.kmsd.proc.returncode if self.kmsd.proc else None
        tail = self.kmsd.log_tail(15)
        self.kmsd.stop()
        self.kmsd.start()
        return f"kmsd died (exit code {code}); restarted. Log tail:\n{tail}"

    def close(self) -> None:
        if self.socket_client is not None:
            self.socket_client.close()
        if self.kmsd is not None:
            self.kmsd.__exit__(None, None, None)
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)


def run_vector(server: Server, path: Path, verbose: bool) -> tuple[bool, str, list[str]]:
    """(passed, failure text, verbose notes)."""
    name = path.stem
    state = VectorState(name)
    notes: list[str] = []
    try:
        messages = list(xml_to_json.iter_messages(str(path)))
    except Exception as exc:  # noqa: BLE001 - unreadable vector: report it, go on
        return False, f"cannot read vector: {exc}", notes
    step = 0
    idx = 0
    while idx < len(messages):
        kind, _, req_xml = messages[idx]
        if kind != "RequestMessage" or idx + 1 >= len(messages) \
                or messages[idx + 1][0] != "ResponseMessage":
            return False, f"step {step}: vector is not Request/Response pairs", notes
        exp = messages[idx + 1][1]
        try:
            now = _dt.datetime.now(_dt.timezone.utc)
            req_template = xml_to_json.convert_element(req_xml, now)
            contexts = item_contexts(state, req_template, exp)
            req = substitute_ids(req_template, state)
            try:
                status, body = server.post(req, f"{name} step {step}")
            except (OSError, EOFError, http.client.HTTPException) as exc:
                died = server.check_alive()
                raise StepFailure(f"no answer from kmsd ({exc})"
                                  + (f"; {died}" if died else "")) from None
            if status != 200:
                raise StepFailure(f"HTTP {status}: {_show(body, 400)}")
            step_notes = compare_message(state, contexts, exp, body, verbose)
            notes += [f"step {step}: {n}" for n in step_notes]
        except StepFailure as exc:
            return False, f"step {step}: {exc}", notes
        except Exception as exc:  # noqa: BLE001 - a bug here must not hide other vectors
            return False, f"step {step}: replay error {type(exc).__name__}: {exc}", notes
        step += 1
        idx += 2
    return True, "", notes


def load_expected_failures(path: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    if not path.exists():
        return out
    for line in path.read_text().splitlines():
        name, _, reason = line.partition("#")
        name = name.strip()
        if name:
            out[name] = reason.strip() or "no reason given"
    return out


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kmsd", help="kmsd binary (default: $KMSD_BIN or build/core/kmsd)")
    ap.add_argument("--vectors", default=str(DEFAULT_VECTORS),
                    help=f"directory of XML vectors (default: {DEFAULT_VECTORS})")
    ap.add_argument("--expected-failures", default=str(DEFAULT_XFAIL))
    ap.add_argument("--binary", action="store_true",
                    help="send binary TTLV to POST /kmip (the 1.4 vectors) instead of JSON to /kmip/2_1")
    ap.add_argument("--socket", action="store_true",
                    help="send binary TTLV over kmsd's KMIP socket (mutual TLS, one connection) "
                         "instead of HTTP")
    ap.add_argument("--url", help="use a running server (http://HOST:PORT) instead of "
                                  "starting kmsd")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="list extra elements and values not compared")
    ap.add_argument("names", nargs="*", help="only these vectors (file stems)")
    args = ap.parse_args(argv)

    vectors_dir = Path(args.vectors)
    if not vectors_dir.is_dir():
        if os.environ.get("CI", "").lower() == "true":
            print(f"FAIL: vectors directory {vectors_dir} not found (CI=true)")
            return 1
        print(f"SKIP: vectors directory {vectors_dir} not found")
        return SKIP_EXIT
    files = sorted(vectors_dir.glob("*.xml"))
    if args.names:
        wanted = set(args.names)
        missing = wanted - {f.stem for f in files}
        if missing:
            print(f"FAIL: no such vector(s): {', '.join(sorted(missing))}")
            return 1
        files = [f for f in files if f.stem in wanted]
    if not files:
        print(f"FAIL: no *.xml vectors in {vectors_dir}")
        return 1
    xfail = load_expected_failures(Path(args.expected_failures))

    if args.kmsd:
        os.environ["KMSD_BIN"] = args.kmsd
    try:
        transport = "socket" if args.socket else "binary" if args.binary else "json"
        server = Server(None if args.url else default_binary(), args.url, transport)
    except (FileNotFoundError, RuntimeError) as exc:
        print(f"FAIL: cannot start kmsd: {exc}")
        print(f"conformance: 0 passed, {len(files)} failed")
        return 1

    passed = failed = xfailed = 0
    try:
        for f in files:
            ok, why, notes = run_vector(server, f, args.verbose)
            name = f.stem
            if name in xfail:
                if ok:
                    print(f"XPASS {name}: passes but is listed in expected_failures.txt "
                          f"({xfail[name]}); remove it from the list")
                    failed += 1
                else:
                    print(f"XFAIL {name}: {why}  # {xfail[name]}")
                    xfailed += 1
            elif ok:
                print(f"PASS {name}")
                passed += 1
            else:
                print(f"FAIL {name}: {why}")
                failed += 1
            if args.verbose:
                for n in notes:
                    print(f"    {n}")
            sys.stdout.flush()
        if not args.names:
            for name in sorted(set(xfail) - {f.stem for f in files}):
                print(f"FAIL {name}: listed in expected_failures.txt but no such vector")
                failed += 1
    finally:
        client = server.socket_client
        server.close()
    if client is not None:
        # Reconnections are reported, not failed: kmsd may close an idle connection (its
        # idle timeout) and does after an error answer; a vector that lost its answer failed.
        for event in client.events:
            print(f"NOTE socket: {event}")
        print(f"socket: {client.connections} connection(s), {len(client.events)} reconnection(s)")
    if xfailed:
        print(f"expected failures: {xfailed}")
    print(f"conformance: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
