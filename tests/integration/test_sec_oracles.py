#!/usr/bin/env python3
"""Issue 22, finding 5: existence and timing oracles, against a real kmsd:

    test_sec_oracles.py --kmsd BUILD/core/kmsd --plugins-dir BUILD/plugins [-v]

Two JWT users: `owner` creates the objects, `mallory` holds no right on them. A user without a
right must learn nothing about an object:

- Answers: for every operation that names an object, mallory's answer for owner's object and
  for a UID that does not exist are the same bytes (HTTP status and body, the UID itself
  replaced), as a bare operation and inside a RequestMessage; Import of a taken UID answers the
  same whoever owns it (see Import below); hsm:: UIDs on an HSM slot mallory has no right on, on
  a slot or instance that does not exist, and of a key that does not exist answer alike.
- TIMING (classes whose name starts with Timing): the same answers also take the same time.
  Requests for the two cases alternate A B B A ... on one keep-alive connection, so that what
  the machine does meanwhile falls on both alike; the statistic is the median of the paired
  differences (and a 25%-trimmed mean), over KMSD_TIMING_PAIRS pairs (default 2000). Before the
  fix: Get of another user's object about 50 us slower than of a missing one, Locate by a tag
  another user's object carries about 220 us slower than by a tag nobody has; the threshold
  (KMSD_TIMING_THRESHOLD_US, default 12 us; three times that in a sanitizer build, whose
  requests take five times as long) fails those and passes equal work on a busy shared
  machine. A measurement beyond the threshold is repeated (up to 3 times): noise does not
  repeat, a real difference does.

Import: a UID is one namespace for every user, so a user who may create objects learns, by
trying, whether a UID of her choice is taken (she cannot be given it). That one bit is all she
learns: without ReplaceExisting a taken UID answers the same whether it is hers or someone
else's; with ReplaceExisting someone else's answers as a missing object does to any operation
she has no right for; the object is not changed.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
import unittest
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))

from credentials import JwtUsers, bearer  # noqa: E402
from kmip_requests import (AES_GCM, aes_object, create_aes, create_hsm_aes, get_clear, name_attribute,  # noqa: E402
                           revoke, uid_op)
from kmsd import (Kmsd, b, batch_item, bo, children, default_binary, e, find, http_request, i,  # noqa: E402
                  request_message, st, t, value)
from servers import hsm_args, main  # noqa: E402
from softhsm import SoftHsm  # noqa: E402

ISSUER = "https://idp.oracles.test"
AUDIENCE = "kmsd-oracles"
OWNER = "owner"
MALLORY = "mallory"
HSM_ADMIN = "hsmadmin"
VENDOR = "cosmian"
PAIRS = int(os.environ.get("KMSD_TIMING_PAIRS", "2000"))
# The threshold is in microseconds of the optimised build. Under ASan and UBSan a request takes
# about five times as long (Locate with 300 own objects: 800 us against 153 us) and differences
# of a few instructions grow with it (measured: +12 to +15 us there, +0.1 us optimised, for
# the same pair); there the threshold is three times as large, still below the slowdown, so a
# difference that grows with the work (the old Locate: +160 us optimised) still fails.
SANITIZER_SLOWDOWN = 3.0 if os.environ.get("KMS_TEST_SANITIZED") == "1" else 1.0
THRESHOLD_US = float(os.environ.get("KMSD_TIMING_THRESHOLD_US", "12")) * SANITIZER_SLOWDOWN
ATTEMPTS = 3


def tag_attribute(*tags: str) -> dict:
    return st("VendorAttribute", t("VendorIdentification", VENDOR), t("AttributeName", "tag"),
              t("AttributeValue", json.dumps(list(tags))))


def import_node(uid: str, replace: bool, key: bytes) -> dict:
    return st("Import", t("UniqueIdentifier", uid), e("ObjectType", "SymmetricKey"), bo("ReplaceExisting", replace),
              st("Attributes", e("CryptographicAlgorithm", "AES"), i("CryptographicLength", len(key) * 8)),
              aes_object(key, "Object"))


# Every operation that names an object: name -> payload builder.
OPERATIONS = {
    "Get": lambda u: uid_op("Get", u),
    "Get NotWrapped": lambda u: get_clear(u),
    "Export": lambda u: uid_op("Export", u),
    "GetAttributes": lambda u: uid_op("GetAttributes", u),
    "GetAttributes by reference": lambda u: uid_op("GetAttributes", u, e("AttributeReference", "State")),
    "GetAttributeList": lambda u: uid_op("GetAttributeList", u),
    "Encrypt": lambda u: uid_op("Encrypt", u, AES_GCM, b("Data", b"oracle")),
    "Decrypt": lambda u: uid_op("Decrypt", u, AES_GCM, b("Data", b"\x00" * 16), b("IVCounterNonce", b"\x00" * 12),
                            b("AuthenticatedEncryptionTag", b"\x00" * 16)),
    "Sign": lambda u: uid_op("Sign", u, b("Data", b"oracle")),
    "SignatureVerify": lambda u: uid_op("SignatureVerify", u, b("Data", b"oracle"), b("SignatureData", b"\x01" * 64)),
    "AddAttribute": lambda u: uid_op("AddAttribute", u, st("NewAttribute", t("ObjectGroup", "g"))),
    "SetAttribute": lambda u: uid_op("SetAttribute", u, st("NewAttribute", t("Comment", "c"))),
    "ModifyAttribute": lambda u: uid_op("ModifyAttribute", u, st("NewAttribute", t("Comment", "d"))),
    "DeleteAttribute": lambda u: uid_op("DeleteAttribute", u, e("AttributeReference", "Comment")),
    "Activate": lambda u: uid_op("Activate", u),
    "Revoke": lambda u: revoke(u),
    "Destroy": lambda u: uid_op("Destroy", u),
}


def normalized(answer: tuple[int, bytes], uid: str) -> tuple[int, bytes]:
    """(status, body) with `uid` (as it is and as a JSON string holds it) replaced by <UID>, and
    the ResponseHeader's TimeStamp by <TIME>: two requests may straddle a second (seen under
    AddressSanitizer), which says nothing about the object."""
    body = answer[1].replace(json.dumps(uid)[1:-1].encode(), b"<UID>").replace(uid.encode(), b"<UID>")
    body = re.sub(rb'("tag":\s*"TimeStamp",\s*"type":\s*"DateTime",\s*"value":\s*)"[^"]*"', rb'\1"<TIME>"', body)
    return answer[0], body


class Users:
    """A kmsd with JWT authentication and tokens for `users` (mixin of the test classes)."""

    tmp: Path
    srv: Kmsd
    tokens: dict[str, str]

    @classmethod
    def start(cls, users: tuple[str, ...], extra_args: list[str] = ()) -> None:
        cls.tmp = Path(tempfile.mkdtemp(prefix="kmsd-oracles-"))
        cls.users = JwtUsers(cls.tmp, "oracles", ISSUER, AUDIENCE, users, lifetime=7200)
        cls.tokens = cls.users.tokens
        cls.srv = Kmsd(default_binary(), extra_args=[*cls.users.args(), *extra_args]).__enter__()

    @classmethod
    def stop(cls) -> None:
        if os.environ.get("KMSD_TEST_VERBOSE"):
            sys.stderr.write(f"--- kmsd log tail ---\n{cls.srv.log_tail(10)}\n")
        cls.srv.__exit__(None, None, None)
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def raw(self, node: dict, user: str) -> tuple[int, bytes]:
        """(HTTP status, body bytes) of `node` posted to /kmip/2_1 as `user`."""
        conn = http.client.HTTPConnection("127.0.0.1", self.srv.port, timeout=30)
        try:
            conn.request("POST", "/kmip/2_1", json.dumps(node).encode(),
                         {"Content-Type": "application/json", **bearer(self.tokens[user])})
            resp = conn.getresponse()
            return resp.status, resp.read()
        finally:
            conn.close()

    def ok(self, node: dict, user: str = OWNER) -> dict:
        status, body = self.raw(node, user)
        self.assertEqual(status, 200, f"{node['tag']} as {user}: {body[:300]!r}")
        return json.loads(body)

    def grant(self, uid: str, user: str, rights: list[str], as_user: str = OWNER) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.srv.port, timeout=30)
        try:
            conn.request("POST", "/access/grant", json.dumps(
                {"unique_identifier": uid, "user_id": user, "operation_types": rights}).encode(),
                {"Content-Type": "application/json", **bearer(self.tokens[as_user])})
            resp = conn.getresponse()
            self.assertEqual(resp.status, 200, resp.read())
        finally:
            conn.close()

    def same_answer(self, label: str, node_of, existing: str, missing: str, user: str = MALLORY) -> bytes:
        """`node_of(existing)` and `node_of(missing)` answer the same bytes to `user`, bare and
        in a RequestMessage. Returns the bare answer's body."""
        bare_a = self.raw(node_of(existing), user)
        bare_b = self.raw(node_of(missing), user)
        self.assertNotEqual(bare_a[0], 200, f"{label}: {user} was allowed on {existing}: {bare_a[1][:200]!r}")
        self.assertEqual(normalized(bare_a, existing), normalized(bare_b, missing), f"{label}: bare answers differ")
        in_message = lambda uid: request_message(batch_item(node_of(uid)["tag"], node_of(uid)["value"]))  # noqa: E731
        msg_a = self.raw(in_message(existing), user)
        msg_b = self.raw(in_message(missing), user)
        self.assertEqual(normalized(msg_a, existing), normalized(msg_b, missing),
                         f"{label}: RequestMessage answers differ")
        return bare_a[1]


class Answers(Users, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.start((OWNER, MALLORY))

    @classmethod
    def tearDownClass(cls):
        cls.stop()

    def test_1_every_operation_answers_as_for_a_missing_object(self):
        secret_tag = "owner-only-" + uuid.uuid4().hex
        theirs = value(self.ok(create_aes(tag_attribute(secret_tag))), "UniqueIdentifier")
        pre_active = value(self.ok(create_aes(bits=128, mask=None, active=False)), "UniqueIdentifier")
        for uid in (theirs, pre_active):
            missing = str(uuid.uuid4())
            for name, node_of in OPERATIONS.items():
                with self.subTest(operation=name, object=uid):
                    self.same_answer(name, node_of, uid, missing)
        # A tag selector for owner's tag and for a tag nobody has.
        for name, node_of in (("Get", lambda u: uid_op("Get", u)), ("Encrypt", OPERATIONS["Encrypt"]),
                              ("SetAttribute", OPERATIONS["SetAttribute"])):
            with self.subTest(operation=f"{name} by tag"):
                self.same_answer(f"{name} by tag", node_of, json.dumps([secret_tag]),
                                 json.dumps(["nobody-" + uuid.uuid4().hex[:len(secret_tag) - 7]]))
        # Owner's objects are untouched.
        attrs = find(self.ok(uid_op("GetAttributes", theirs)), "Attributes")
        self.assertEqual(value(attrs, "State"), "Active")
        self.assertIsNone(find(attrs, "Comment"))
        # Locate shows mallory nothing of them.
        located = self.ok(st("Locate", st("Attributes", tag_attribute(secret_tag))), MALLORY)
        self.assertEqual(value(located, "LocatedItems"), 0, located)

    def test_2_import_of_a_taken_uid_answers_alike_whoever_owns_it(self):
        theirs = "oracle-" + uuid.uuid4().hex
        mine = "oracle-" + uuid.uuid4().hex
        original = os.urandom(32)
        self.ok(import_node(theirs, False, original), OWNER)
        self.ok(import_node(mine, False, os.urandom(32)), MALLORY)
        # Without ReplaceExisting: one answer for every taken UID, hers or not.
        own = normalized(self.raw(import_node(mine, False, b"\x22" * 32), MALLORY), mine)
        self.assertEqual(own[0], 409, own)
        other = normalized(self.raw(import_node(theirs, False, b"\x22" * 32), MALLORY), theirs)
        self.assertEqual(other, own, "another user's UID answers differently from one's own taken UID")
        # With it: the answer of a missing object to an operation she has no right for.
        missing = "oracle-" + uuid.uuid4().hex
        replaced = normalized(self.raw(import_node(theirs, True, b"\x22" * 32), MALLORY), theirs)
        self.assertEqual(replaced, normalized(self.raw(uid_op("Get", missing), MALLORY), missing))
        got = self.ok(uid_op("Get", theirs), OWNER)
        self.assertEqual(bytes.fromhex(value(got, "SymmetricKey/KeyBlock/KeyValue/KeyMaterial")), original)
        # With the right to replace, replacing works.
        self.grant(theirs, MALLORY, ["import"])
        self.ok(import_node(theirs, True, b"\x33" * 32), MALLORY)


# ---- timing ---------------------------------------------------------------------------------

class Timer:
    """Paired timings of two requests on one keep-alive connection."""

    def __init__(self, port: int, token: str):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.headers = {"Content-Type": "application/json", **bearer(token)}

    def close(self) -> None:
        self.conn.close()

    def once(self, body: bytes) -> tuple[int, bytes, int]:
        start = time.perf_counter_ns()
        self.conn.request("POST", "/kmip/2_1", body, self.headers)
        resp = self.conn.getresponse()
        data = resp.read()
        return resp.status, data, time.perf_counter_ns() - start

    def pairs(self, a: bytes, b: bytes, n: int) -> tuple[list[float], list[float]]:
        """n timings (us) of each, in the order A B B A A B B A ..."""
        ta, tb = [], []
        for k in range(n):
            for which in ((0, 1) if k % 2 == 0 else (1, 0)):
                _, _, ns = self.once(a if which == 0 else b)
                (ta if which == 0 else tb).append(ns / 1000.0)
        return ta, tb


def trimmed_mean(values: list[float], cut: float = 0.25) -> float:
    s = sorted(values)
    k = int(len(s) * cut)
    return statistics.fmean(s[k:len(s) - k])


class TimingMixin:
    def assert_same_time(self, label: str, a: bytes, b: bytes, user: str = MALLORY) -> None:
        timer = Timer(self.srv.port, self.tokens[user])
        try:
            timer.pairs(a, b, 200)  # warm up: caches, connection, branch predictors
            results = []
            for attempt in range(ATTEMPTS):
                ta, tb = timer.pairs(a, b, PAIRS)
                diffs = [x - y for x, y in zip(ta, tb)]
                median, trimmed = statistics.median(diffs), trimmed_mean(diffs)
                line = (f"{label}: A median {statistics.median(ta):.1f} us, B median {statistics.median(tb):.1f} us, "
                        f"paired difference median {median:+.1f} us, 25%-trimmed mean {trimmed:+.1f} us "
                        f"({PAIRS} pairs, attempt {attempt + 1})")
                sys.stderr.write("TIMING " + line + "\n")
                results.append(line)
                if abs(median) <= THRESHOLD_US and abs(trimmed) <= THRESHOLD_US:
                    return
            self.fail(f"{label}: a measurable difference (threshold {THRESHOLD_US} us):\n" + "\n".join(results))
        finally:
            timer.close()


class TimingDatabaseObjects(Users, TimingMixin, unittest.TestCase):
    """TIMING: Get and Locate on database objects (SQLite)."""

    @classmethod
    def setUpClass(cls):
        cls.start((OWNER, MALLORY))

    @classmethod
    def tearDownClass(cls):
        cls.stop()

    def test_1_get_of_another_users_object_and_of_a_missing_one(self):
        theirs = value(self.ok(create_aes()), "UniqueIdentifier")
        self.ok(uid_op("Get", theirs))  # owner's object in the server's cache, as in use
        missing = str(uuid.uuid4())
        a = json.dumps(uid_op("Get", theirs)).encode()
        b_ = json.dumps(uid_op("Get", missing)).encode()
        self.assertEqual(self.raw(uid_op("Get", theirs), MALLORY)[0], 404)
        self.assert_same_time("Get: another user's object vs a missing one", a, b_)

    def test_2_locate_by_a_tag_only_another_user_has(self):
        secret = "t" + uuid.uuid4().hex[:15]
        nobody = "n" + uuid.uuid4().hex[:15]
        self.ok(create_aes(tag_attribute(secret)))
        # mallory has an object of her own, as a real user would.
        self.ok(create_aes(tag_attribute("mallory-" + uuid.uuid4().hex)), MALLORY)
        a = json.dumps(st("Locate", st("Attributes", tag_attribute(secret)))).encode()
        b_ = json.dumps(st("Locate", st("Attributes", tag_attribute(nobody)))).encode()
        self.assertEqual(self.raw(json.loads(a), MALLORY)[1], self.raw(json.loads(b_), MALLORY)[1])
        self.assert_same_time("Locate: a tag on another user's object vs a tag nobody has", a, b_)


    def test_3_locate_by_a_name_only_another_user_has(self):
        secret = "s" + uuid.uuid4().hex[:15]
        nobody = "n" + uuid.uuid4().hex[:15]
        name = name_attribute
        self.ok(create_aes(name(secret)))
        a = json.dumps(st("Locate", st("Attributes", name(secret)))).encode()
        b_ = json.dumps(st("Locate", st("Attributes", name(nobody)))).encode()
        self.assertEqual(self.raw(json.loads(a), MALLORY)[1], self.raw(json.loads(b_), MALLORY)[1])
        self.assert_same_time("Locate: a name of another user's object vs a name nobody has", a, b_)


class TimingLocateManyVisible(Users, TimingMixin, unittest.TestCase):
    """TIMING: Locate by a tag or a name from a user who sees many objects: mallory owns 300
    (more than the 128 below which the store once let the user's own set drive the query) and
    holds grants on more, directly and through "*"; owner holds 2000 objects carrying the tag and
    the name asked for. Before the fix the name or tag index drove mallory's query, and each of
    owner's 2000 entries cost time (and the tag's count was probed first)."""

    OWN = 300
    THEIRS = 2000
    GRANTED = 20

    @classmethod
    def setUpClass(cls):
        cls.start((OWNER, MALLORY))
        cls.secret_tag = "t" + uuid.uuid4().hex[:15]
        cls.secret_name = "s" + uuid.uuid4().hex[:15]
        theirs = cls.create_many(OWNER, cls.THEIRS, lambda k: (tag_attribute(cls.secret_tag),
                                                                name_attribute(cls.secret_name)))
        cls.create_many(MALLORY, cls.OWN, lambda k: (tag_attribute(f"mine-{k % 7}"), name_attribute(f"mine-{k}")))
        # Grants, so that the grants' part of the plan has work too: owner's objects without the
        # secret tag or name, to mallory and to everyone.
        plain = cls.create_many(OWNER, 2 * cls.GRANTED, lambda k: (tag_attribute("plain"),))
        for k, uid in enumerate(plain):
            status, body, _ = http_request(cls.srv.port, "POST", "/access/grant", json.dumps(
                {"unique_identifier": uid, "user_id": MALLORY if k % 2 == 0 else "*", "operation_types": ["get"]}
            ).encode(), {"Content-Type": "application/json", **bearer(cls.tokens[OWNER])})
            assert status == 200, body
        cls.theirs = theirs

    @classmethod
    def tearDownClass(cls):
        cls.stop()

    @classmethod
    def create_many(cls, user: str, count: int, extra) -> list[str]:
        """`count` AES keys of `user`, 100 to a RequestMessage; extra(k) gives key k's attributes."""
        uids: list[str] = []
        for start in range(0, count, 100):
            items = [batch_item("Create", *create_aes(*extra(k))["value"]) for k in range(start, min(count, start + 100))]
            status, body = cls.raw(cls, request_message(*items), user)
            assert status == 200, body[:300]
            answer = json.loads(body)
            found = [value(item, "ResponsePayload/UniqueIdentifier") for item in children(answer, "BatchItem")]
            assert len(found) == len(items) and all(found), body[:300]
            uids += found
        return uids

    def locate(self, *attributes: dict) -> bytes:
        return json.dumps(st("Locate", st("Attributes", *attributes))).encode()

    def check_pair(self, label: str, secret: dict, nobody: dict) -> None:
        a, b_ = self.locate(secret), self.locate(nobody)
        # Owner finds all of hers; mallory finds none of them, and the same answer for both.
        self.assertEqual(value(self.ok(json.loads(a), OWNER), "LocatedItems"), self.THEIRS)
        self.assertEqual(self.raw(json.loads(a), MALLORY), self.raw(json.loads(b_), MALLORY))
        self.assertEqual(value(self.ok(json.loads(a), MALLORY), "LocatedItems"), 0)
        self.assert_same_time(label, a, b_)

    def test_0_mallory_sees_her_own_and_granted_objects(self):
        # The plan that does not depend on others' rows still finds what she may see.
        self.assertEqual(value(self.ok(json.loads(self.locate(tag_attribute("mine-3"))), MALLORY), "LocatedItems"),
                         len([k for k in range(self.OWN) if k % 7 == 3]))
        self.assertEqual(value(self.ok(json.loads(self.locate(name_attribute("mine-42"))), MALLORY), "LocatedItems"),
                         1)
        self.assertEqual(value(self.ok(json.loads(self.locate(tag_attribute("plain"))), MALLORY), "LocatedItems"),
                         2 * self.GRANTED)

    def test_1_locate_by_a_tag_on_2000_objects_of_another_user(self):
        self.check_pair(f"Locate, {self.OWN} objects of one's own: a tag on {self.THEIRS} objects of another user "
                        "vs a tag nobody has", tag_attribute(self.secret_tag),
                        tag_attribute("n" + uuid.uuid4().hex[:15]))

    def test_2_locate_by_a_name_on_2000_objects_of_another_user(self):
        self.check_pair(f"Locate, {self.OWN} objects of one's own: a name on {self.THEIRS} objects of another user "
                        "vs a name nobody has", name_attribute(self.secret_name),
                        name_attribute("n" + uuid.uuid4().hex[:15]))


class HsmKeys(Users, TimingMixin, unittest.TestCase):
    """hsm:: UIDs: a key on a slot mallory has no right on, a missing key, an unknown slot, an
    unknown instance all answer alike (and, TIMING, take the same time)."""

    @classmethod
    def setUpClass(cls):
        cls.hsm = SoftHsm(tokens=1, label_prefix="oracles").start()
        token = cls.hsm.tokens[0]
        cls.slot = token.slot_id
        cls.pins_dir = Path(tempfile.mkdtemp(prefix="kmsd-oracles-pins-"))
        cls.start((HSM_ADMIN, MALLORY), hsm_args(cls.pins_dir, [cls.slot], token.pin, HSM_ADMIN))
        cls.key = f"hsm::softhsm2::{cls.slot}::oracle-key"
        status, body = cls.raw(cls, create_hsm_aes(cls.key), HSM_ADMIN)
        assert status == 200, body

    @classmethod
    def tearDownClass(cls):
        cls.stop()
        cls.hsm.stop()
        shutil.rmtree(cls.pins_dir, ignore_errors=True)

    def others(self) -> dict[str, str]:
        """UIDs of the same length as self.key naming nothing mallory may use."""
        width = len(self.key)

        def pad(prefix: str) -> str:
            return prefix + "x" * (width - len(prefix))

        return {
            "missing key": pad(f"hsm::softhsm2::{self.slot}::oracle-"),
            "unknown slot": pad(f"hsm::softhsm2::{self.slot + 1000}::oracle-"),
            "unknown instance": pad(f"hsm::softhsm3::{self.slot}::oracle-"),
        }

    def test_1_same_answers(self):
        for kind, uid in self.others().items():
            for name in ("Get", "Export", "GetAttributes", "Encrypt", "Decrypt", "Destroy"):
                with self.subTest(operation=name, other=kind):
                    self.same_answer(f"{name} on {kind}", OPERATIONS[name], self.key, uid)
        # The admin still sees the key.
        self.ok(uid_op("GetAttributes", self.key), HSM_ADMIN)

    def test_2_same_time(self):
        a = json.dumps(uid_op("GetAttributes", self.key)).encode()
        for kind, uid in self.others().items():
            with self.subTest(other=kind):
                self.assert_same_time(f"HSM GetAttributes: a key without right vs {kind}", a,
                                      json.dumps(uid_op("GetAttributes", uid)).encode())


if __name__ == "__main__":
    main()
