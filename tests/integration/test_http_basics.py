#!/usr/bin/env python3
"""HTTP and KMIP basics against a real kmsd:

    test_http_basics.py --kmsd BUILD/core/kmsd [-v]      (or KMSD_BIN=... test_http_basics.py)

Routes: POST /kmip/2_1 (JSON TTLV, bare operation or RequestMessage), GET /version,
GET /health. Key life cycle and result reasons as in KMIP 2.1.
"""

from __future__ import annotations

import json
import os
import re
import socket
import sys
import time
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))

from kmip_requests import (  # noqa: E402
    batch_item_of, call, create_aes, decrypt_gcm, encrypt_gcm, hexval, name_attribute, result_items, revoke,
    single_failure, uid_op)
from kmsd import Kmsd, default_binary, e, find, request_message, t, value  # noqa: E402
from servers import body_limit_flag, main  # noqa: E402

KMIP = "/kmip/2_1"


class ServerCase(unittest.TestCase):
    """One kmsd for the whole class."""
    kmsd: Kmsd
    extra_args: tuple = ()

    @classmethod
    def setUpClass(cls):
        cls.kmsd = Kmsd(default_binary(), extra_args=cls.extra_args).__enter__()

    @classmethod
    def tearDownClass(cls):
        if os.environ.get("KMSD_TEST_VERBOSE"):
            sys.stderr.write(f"--- {cls.__name__}: kmsd log tail ---\n{cls.kmsd.log_tail(30)}\n")
        cls.kmsd.__exit__(None, None, None)

    # -- helpers --------------------------------------------------------------------------

    def bare(self, node: dict) -> dict:
        """A bare operation; asserts HTTP 200 and the <Op>Response tag."""
        status, body = self.kmsd.post_json(KMIP, node)
        self.assertEqual(status, 200, f"{node['tag']}: HTTP {status}: {str(body)[:500]}")
        self.assertIsInstance(body, dict, body)
        self.assertEqual(body.get("tag"), node["tag"] + "Response", body)
        return body

    def op(self, node: dict) -> dict:
        """`node` in a one-item RequestMessage; asserts Success, returns the ResponsePayload
        (addressed like the bare answer: value(payload, "UniqueIdentifier"))."""
        return call(self.kmsd, node)

    def new_key(self, mask: str = "Encrypt|Decrypt", activate: bool = True) -> str:
        uid = value(self.op(create_aes(mask=mask, active=False)), "UniqueIdentifier")
        self.assertIsInstance(uid, str)
        self.assertTrue(uid)
        if activate:
            self.op(uid_op("Activate", uid))
        return uid

    def assert_alive(self):
        status, _ = self.kmsd.get("/health")
        self.assertEqual(status, 200, "kmsd no longer healthy; log:\n" + self.kmsd.log_tail())
        self.assertTrue(self.kmsd.alive())


class KeyLifecycle(ServerCase):
    def test_bare_operations(self):
        """The README curl session: bare operations on /kmip/2_1 answered by <Op>Response."""
        uid = value(self.bare(create_aes(active=False)), "UniqueIdentifier")
        self.assertTrue(uid)
        self.assertEqual(value(self.bare(uid_op("Activate", uid)), "UniqueIdentifier"), uid)
        plain = os.urandom(64)
        enc = self.bare(encrypt_gcm(uid, plain))
        dec = self.bare(decrypt_gcm(uid, hexval(enc, "Data"), hexval(enc, "IVCounterNonce"),
                                    hexval(enc, "AuthenticatedEncryptionTag")))
        self.assertEqual(hexval(dec, "Data"), plain.hex())
        raw = self.bare(uid_op("Get", uid, e("KeyFormatType", "Raw")))
        self.assertEqual(len(hexval(raw, "SymmetricKey/KeyBlock/KeyValue/KeyMaterial")), 64)

    def test_create_as_request_message(self):
        uid = value(self.op(create_aes(active=False)), "UniqueIdentifier")
        self.assertTrue(uid)
        resp = self.kmsd.kmip(request_message(batch_item_of(create_aes(active=False))))
        items = result_items(resp)
        self.assertEqual(len(items), 1)
        self.assertEqual(value(items[0], "Operation"), "Create")
        self.assertEqual(value(items[0], "ResultStatus"), "Success", items[0])
        self.assertEqual(value(items[0], "ResponsePayload/ObjectType"), "SymmetricKey")
        uid2 = value(items[0], "ResponsePayload/UniqueIdentifier")
        self.assertTrue(uid2)
        self.assertNotEqual(uid, uid2)
        header = find(resp, "ResponseHeader")
        self.assertEqual(value(header, "ProtocolVersion/ProtocolVersionMajor"), 2)
        self.assertEqual(value(header, "ProtocolVersion/ProtocolVersionMinor"), 1)
        self.assertEqual(value(header, "BatchCount"), 1)
        self.assertIsNotNone(value(header, "TimeStamp"), "TimeStamp is required (8.5)")

    def test_encrypt_decrypt_gcm_64_bytes(self):
        uid = self.new_key()
        plain = os.urandom(64)
        enc = self.op(encrypt_gcm(uid, plain))
        self.assertEqual(value(enc, "UniqueIdentifier"), uid)
        ct, iv, tag = (hexval(enc, "Data"), hexval(enc, "IVCounterNonce"),
                       hexval(enc, "AuthenticatedEncryptionTag"))
        self.assertEqual(len(ct), 128)
        self.assertEqual(len(iv), 24, "GCM IV should be 12 bytes")
        self.assertEqual(len(tag), 32, "TagLength 16 asked")
        self.assertNotEqual(ct, plain.hex())
        dec = self.op(decrypt_gcm(uid, ct, iv, tag))
        self.assertEqual(hexval(dec, "Data"), plain.hex())
        # a second encryption of the same data draws a new IV
        enc2 = self.op(encrypt_gcm(uid, plain))
        self.assertNotEqual(hexval(enc2, "IVCounterNonce"), iv)
        # a tampered tag is a CryptographicFailure
        bad_tag = ("00" if tag[:2] != "00" else "11") + tag[2:]
        status, reason, _ = single_failure(self.kmsd, decrypt_gcm(uid, ct, iv, bad_tag))
        self.assertEqual((status, reason), ("OperationFailed", "CryptographicFailure"))

    def test_get_raw_and_transparent(self):
        uid = self.new_key()
        raw = self.op(uid_op("Get", uid, e("KeyFormatType", "Raw")))
        self.assertEqual(value(raw, "ObjectType"), "SymmetricKey")
        self.assertEqual(value(raw, "UniqueIdentifier"), uid)
        self.assertEqual(value(raw, "SymmetricKey/KeyBlock/KeyFormatType"), "Raw")
        self.assertEqual(value(raw, "SymmetricKey/KeyBlock/CryptographicAlgorithm"), "AES")
        self.assertEqual(value(raw, "SymmetricKey/KeyBlock/CryptographicLength"), 256)
        material = hexval(raw, "SymmetricKey/KeyBlock/KeyValue/KeyMaterial")
        self.assertEqual(len(material), 64)
        tr = self.op(uid_op("Get", uid, e("KeyFormatType", "TransparentSymmetricKey")))
        self.assertEqual(value(tr, "SymmetricKey/KeyBlock/KeyFormatType"),
                         "TransparentSymmetricKey")
        self.assertEqual(hexval(tr, "SymmetricKey/KeyBlock/KeyValue/KeyMaterial/Key"),
                         material)

    def test_encrypt_without_encrypt_usage(self):
        uid = self.new_key(mask="Decrypt")
        status, reason, message = single_failure(self.kmsd, encrypt_gcm(uid, b"x" * 16))
        self.assertEqual(status, "OperationFailed")
        # KMIP 2.1 6.1.20.1 lists it among the Encrypt errors; 11.46 defines it.
        self.assertEqual(reason, "IncompatibleCryptographicUsageMask", message)

    def test_encrypt_with_preactive_key(self):
        uid = self.new_key(activate=False)
        state = self.op(uid_op("GetAttributes", uid, e("AttributeReference", "State")))
        self.assertEqual(value(state, "Attributes/State"), "PreActive")
        status, reason, message = single_failure(self.kmsd, encrypt_gcm(uid, b"x" * 16))
        self.assertEqual((status, reason), ("OperationFailed", "WrongKeyLifecycleState"),
                         message)

    def test_destroy_active_refused_then_revoke_destroy(self):
        uid = self.new_key()
        status, reason, message = single_failure(self.kmsd, uid_op("Destroy", uid))
        self.assertEqual((status, reason), ("OperationFailed", "WrongKeyLifecycleState"),
                         message)
        self.assertTrue(message, "a failure should carry a ResultMessage")
        self.assertEqual(value(self.op(revoke(uid)), "UniqueIdentifier"), uid)
        self.assertEqual(value(self.op(uid_op("Destroy", uid)), "UniqueIdentifier"), uid)
        status, _, _ = single_failure(self.kmsd, encrypt_gcm(uid, b"x" * 16))
        self.assertEqual(status, "OperationFailed")

    def test_batch_of_three_with_id_placeholder(self):
        plain = os.urandom(32)
        req = request_message(
            batch_item_of(create_aes(active=False), b"\x01"),
            batch_item_of(uid_op("Activate", None), b"\x02"),
            batch_item_of(encrypt_gcm(None, plain), b"\x03"),
            correlation="it-batch-3")
        resp = self.kmsd.kmip(req)
        items = result_items(resp)
        self.assertEqual(len(items), 3, resp)
        self.assertEqual(value(resp, "ResponseHeader/BatchCount"), 3)
        for n, (item, op) in enumerate(zip(items, ["Create", "Activate", "Encrypt"])):
            self.assertEqual(value(item, "Operation"), op)
            self.assertEqual(value(item, "ResultStatus"), "Success", item)
            # KMIP 2.1 8.6: Unique Batch Item ID REQUIRED in the answer if in the request
            self.assertEqual(str(value(item, "UniqueBatchItemID")).lower(), f"{n + 1:02x}")
        uid = value(items[0], "ResponsePayload/UniqueIdentifier")
        self.assertEqual(value(items[1], "ResponsePayload/UniqueIdentifier"), uid)
        self.assertEqual(value(items[2], "ResponsePayload/UniqueIdentifier"), uid)
        self.assertEqual(len(hexval(items[2], "ResponsePayload/Data")), 64)
        # KMIP 2.1 9.9: for client-to-server operations the Client Correlation Value is in
        # the request; the server need not echo it, but if it does it must be the same.
        echoed = value(resp, "ResponseHeader/ClientCorrelationValue")
        if echoed is not None:
            self.assertEqual(echoed, "it-batch-3")
        # the ID placeholder does not survive the batch (KMIP 2.1 6.1)
        status, _, _ = single_failure(self.kmsd, uid_op("Activate", None))
        self.assertEqual(status, "OperationFailed")

    def test_failing_batch_item(self):
        req = request_message(batch_item_of(create_aes(active=False)),
                              batch_item_of(uid_op("Get", "no-such-object-42")))
        items = result_items(self.kmsd.kmip(req))
        self.assertEqual(len(items), 2)
        self.assertEqual(value(items[0], "ResultStatus"), "Success")
        self.assertEqual(value(items[1], "Operation"), "Get")
        self.assertEqual(value(items[1], "ResultStatus"), "OperationFailed")
        self.assertIn(value(items[1], "ResultReason"), ("ItemNotFound", "ObjectNotFound"))
        self.assertTrue(value(items[1], "ResultMessage"))


class HttpRoutes(ServerCase):
    def test_version(self):
        status, body = self.kmsd.get("/version")
        self.assertEqual(status, 200)
        self.assertRegex(json.dumps(body) if not isinstance(body, str) else body,
                         r"\d+\.\d+\.\d+")

    def test_health(self):
        status, _ = self.kmsd.get("/health")
        self.assertEqual(status, 200)

    def test_malformed_json(self):
        status, body = self.kmsd.post_raw(KMIP, b'{"tag": "Create", "value": [')
        self.assertEqual(status, 400, body)
        self.assertTrue(str(body).strip(), "a 400 should say what is wrong")
        status, body = self.kmsd.post_raw(KMIP, b"\xff\xfe not json")
        self.assertEqual(status, 400, body)
        self.assert_alive()

    def test_not_ttlv(self):
        for doc in ([], {"tag": 5}, {"tag": "Create", "value": 3},
                    {"tag": "Create", "value": [{"tag": "ObjectType", "type": "Enumeration",
                                                  "value": "NoSuchObjectType"}]},
                    {"tag": "Create", "value": [{"tag": "ObjectType", "type": "Float",
                                                  "value": 1}]}):
            with self.subTest(doc=doc):
                status, body = self.kmsd.post_json(KMIP, doc)
                self.assert_kmip_error_or_400(status, body)
        self.assert_alive()

    def test_unknown_tag(self):
        status, body = self.kmsd.post_json(KMIP, {"tag": "NoSuchOperation", "value": []})
        self.assert_kmip_error_or_400(status, body)
        inner = create_aes(active=False)
        inner["value"].append(t("NoSuchTag", "x"))
        status, body = self.kmsd.post_json(KMIP, request_message(batch_item_of(inner)))
        self.assert_kmip_error_or_400(status, body)
        self.assert_alive()

    def assert_kmip_error_or_400(self, status, body):
        if status == 400:
            self.assertTrue(str(body).strip())
            return
        self.assertEqual(status, 200, f"expected 400 or a KMIP error, got HTTP {status}: "
                                      f"{str(body)[:300]}")
        text = json.dumps(body)
        self.assertIn("OperationFailed", text, f"HTTP 200 without a KMIP error: {text[:300]}")

    def test_deep_nesting(self):
        for depth in (1000, 100000):
            with self.subTest(depth=depth):
                doc = ('{"tag":"Create","value":[' + '{"tag":"Attributes","value":[' * depth
                       + "]}" * depth + "]}")
                status, body = self.kmsd.post_raw(KMIP, doc.encode())
                self.assertEqual(status, 400, str(body)[:300])
                self.assert_alive()
        uid = value(self.op(create_aes(active=False)), "UniqueIdentifier")
        self.assertTrue(uid)

    def test_wrong_method_and_path(self):
        status, _ = self.kmsd.get(KMIP)
        self.assertIn(status, (404, 405))
        status, _ = self.kmsd.post_json("/no/such/route", {})
        self.assertEqual(status, 404)
        self.assert_alive()

    def test_oversized_announced_body_default_limit(self):
        """Content-Length above the default limit (8 MiB): 413, even before the upload ends."""
        status = send_big_body(self.kmsd.port, 65 * 1024 * 1024)
        self.assertEqual(status, 413)
        self.assert_alive()


def send_big_body(port: int, size: int, chunk: int = 1 << 20) -> int | None:
    """POST `size` bytes to /kmip/2_1, stopping early if the server answers or closes;
    returns the HTTP status read (None if no answer)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    try:
        s.sendall((f"POST {KMIP} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json"
                   f"\r\nContent-Length: {size}\r\n\r\n").encode())
        sent = 0
        block = b" " * chunk
        s.setblocking(False)
        answer = b""
        while sent < size:
            try:
                answer += s.recv(65536)
                if answer:
                    break
            except BlockingIOError:
                pass
            except OSError:
                break
            try:
                sent += s.send(block[: min(chunk, size - sent)])
            except BlockingIOError:
                time.sleep(0.005)
            except OSError:
                break
        s.setblocking(True)
        s.settimeout(30)
        try:
            while b"\r\n" not in answer:
                data = s.recv(65536)
                if not data:
                    break
                answer += data
        except OSError:
            pass
        m = re.match(rb"HTTP/1\.[01] (\d{3})", answer)
        return int(m.group(1)) if m else None
    finally:
        s.close()


class BodyLimit(ServerCase):
    LIMIT = 4096

    @classmethod
    def setUpClass(cls):
        cls.flag = body_limit_flag(default_binary())
        cls.extra_args = (cls.flag, str(cls.LIMIT))
        super().setUpClass()

    def test_over_limit_is_413(self):
        pad = "p" * (2 * self.LIMIT)
        doc = create_aes(name_attribute(pad), active=False)
        status, body = self.kmsd.post_json(KMIP, request_message(batch_item_of(doc)))
        self.assertEqual(status, 413, f"{self.flag} {self.LIMIT}: {str(body)[:300]}")
        self.assert_alive()

    def test_under_limit_is_served(self):
        self.op(create_aes(active=False))

    def test_announced_over_limit(self):
        self.assertEqual(send_big_body(self.kmsd.port, 10 * self.LIMIT), 413)
        self.assert_alive()


class Persistence(unittest.TestCase):
    def test_decrypt_after_restart(self):
        with Kmsd(default_binary()) as k:
            uid = value(call(k, create_aes(active=False)), "UniqueIdentifier")
            call(k, uid_op("Activate", uid))
            plain = os.urandom(64)
            enc = call(k, encrypt_gcm(uid, plain))
            port = k.port
            self.assertEqual(k.stop(), 0, "kmsd should exit 0 after SIGTERM (clean stop)")
            k.start()
            self.assertEqual(k.port, port)
            dec = call(k, decrypt_gcm(uid, hexval(enc, "Data"), hexval(enc, "IVCounterNonce"),
                                      hexval(enc, "AuthenticatedEncryptionTag")))
            self.assertEqual(hexval(dec, "Data"), plain.hex())
            attrs = call(k, uid_op("GetAttributes", uid, e("AttributeReference", "State")))
            self.assertEqual(value(attrs, "Attributes/State"), "Active")


if __name__ == "__main__":
    main()
