#!/usr/bin/env python3
"""Unit tests of the response comparison in replay_vectors.py (no kmsd involved: the
"actual" answers are written by hand, or derived from the expected ones), of the binary TTLV
round trip of every vector, and of the socket transport's reconnection (against a small TLS
server of the test's own)."""

import copy
import datetime as dt
import os
import select
import shutil
import socket
import ssl
import struct
import sys
import tempfile
import threading
import unittest
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import replay_vectors as rv  # noqa: E402
import ttlv_binary  # noqa: E402  (tests/support, on the path through replay_vectors)
import xml_to_json as x  # noqa: E402
from credentials import Pki  # noqa: E402

HEADER_XML = """<ResponseHeader>
    <ProtocolVersion><ProtocolVersionMajor type="Integer" value="2"/>
      <ProtocolVersionMinor type="Integer" value="1"/></ProtocolVersion>
    <TimeStamp type="DateTime" value="$NOW"/>
    <ServerCorrelationValue type="TextString" value="abc-1"/>
    <BatchCount type="Integer" value="{n}"/></ResponseHeader>"""


def response(*items_xml):
    return x.convert_string("<ResponseMessage>" + HEADER_XML.format(n=len(items_xml))
                            + "".join(items_xml) + "</ResponseMessage>")


def request(*items_xml):
    return x.convert_string("<RequestMessage><RequestHeader><BatchCount type=\"Integer\" "
                            f"value=\"{len(items_xml)}\"/></RequestHeader>"
                            + "".join(items_xml) + "</RequestMessage>")


def actualize(node, ids, now="2024-05-01T10:00:00Z"):
    """The expected answer as a server would send it: placeholders filled in, no
    ServerCorrelationValue, types kept."""
    node = copy.deepcopy(node)

    def walk(n):
        v = n.get("value")
        if isinstance(v, list):
            n["value"] = [walk(c) for c in v if c.get("tag") != "ServerCorrelationValue"]
        elif isinstance(v, str) and rv.PLACEHOLDER_RE.match(v):
            n["value"] = ids.setdefault(v, f"uid-{len(ids)}")
        elif isinstance(v, str) and v.startswith("$NOW"):
            n["value"] = now
        return n
    return walk(node)


def find(node, *tags):
    for t in tags:
        node = next(c for c in node["value"] if c["tag"] == t)
    return node


def run(state, req, exp, act, verbose=False):
    ctx = rv.item_contexts(state, req, exp)
    return rv.compare_message(state, ctx, exp, act, verbose)


CREATE_REQ = """<BatchItem><Operation type="Enumeration" value="Create"/><RequestPayload>
  <ObjectType type="Enumeration" value="SymmetricKey"/><Attributes>
  <CryptographicUsageMask type="Integer" value="Encrypt Decrypt"/></Attributes>
  </RequestPayload></BatchItem>"""
CREATE_RESP = """<BatchItem><Operation type="Enumeration" value="Create"/>
  <ResultStatus type="Enumeration" value="Success"/><ResponsePayload>
  <ObjectType type="Enumeration" value="SymmetricKey"/>
  <UniqueIdentifier type="TextString" value="$UNIQUE_IDENTIFIER_0"/>
  </ResponsePayload></BatchItem>"""


class Compare(unittest.TestCase):
    def setUp(self):
        self.state = rv.VectorState("T-M-1-21")

    def test_exact_answer_passes_and_binds(self):
        exp = response(CREATE_RESP)
        act = actualize(exp, {})
        run(self.state, request(CREATE_REQ), exp, act)
        self.assertEqual(self.state.bindings, {"$UNIQUE_IDENTIFIER_0": "uid-0"})
        self.assertIn("$UNIQUE_IDENTIFIER_0", self.state.generated)

    def test_bound_id_must_match_later(self):
        run(self.state, request(CREATE_REQ), response(CREATE_RESP),
            actualize(response(CREATE_RESP), {}))
        get_req = request('<BatchItem><Operation type="Enumeration" value="Destroy"/>'
                          '<RequestPayload><UniqueIdentifier type="TextString" '
                          'value="$UNIQUE_IDENTIFIER_0"/></RequestPayload></BatchItem>')
        exp = response('<BatchItem><Operation type="Enumeration" value="Destroy"/>'
                       '<ResultStatus type="Enumeration" value="Success"/><ResponsePayload>'
                       '<UniqueIdentifier type="TextString" value="$UNIQUE_IDENTIFIER_0"/>'
                       '</ResponsePayload></BatchItem>')
        act = actualize(exp, {"$UNIQUE_IDENTIFIER_0": "other"})
        with self.assertRaisesRegex(rv.StepFailure, r"UniqueIdentifier: expected "
                                    r"\$UNIQUE_IDENTIFIER_0 = 'uid-0', got 'other'"):
            run(self.state, get_req, exp, act)
        # the substitution of the request uses the binding
        sent = rv.substitute_ids(get_req, self.state)
        self.assertEqual(find(sent, "BatchItem", "RequestPayload", "UniqueIdentifier")["value"],
                         "uid-0")

    def test_unbound_placeholder_in_request_fails(self):
        req = request('<BatchItem><Operation type="Enumeration" value="Get"/><RequestPayload>'
                      '<UniqueIdentifier type="TextString" value="$UNIQUE_IDENTIFIER_3"/>'
                      '</RequestPayload></BatchItem>')
        with self.assertRaisesRegex(rv.StepFailure, "before a response bound it"):
            rv.substitute_ids(req, self.state)

    def test_status_and_reason_compared_message_not(self):
        exp = response('<BatchItem><Operation type="Enumeration" value="Destroy"/>'
                       '<ResultStatus type="Enumeration" value="OperationFailed"/>'
                       '<ResultReason type="Enumeration" value="WrongKeyLifecycleState"/>'
                       '<ResultMessage type="TextString" value="DENIED"/></BatchItem>')
        req = request('<BatchItem><Operation type="Enumeration" value="Destroy"/>'
                      '<RequestPayload/></BatchItem>')
        act = actualize(exp, {})
        find(act, "BatchItem", "ResultMessage")["value"] = "key is active"
        run(self.state, req, exp, act)
        find(act, "BatchItem", "ResultReason")["value"] = "PermissionDenied"
        with self.assertRaisesRegex(rv.StepFailure,
                                    r"BatchItem\[0\]/ResultReason: expected "
                                    r"'WrongKeyLifecycleState', got 'PermissionDenied'"):
            run(self.state, req, exp, act)

    def test_failure_instead_of_success_reports_server_message(self):
        exp = response(CREATE_RESP)
        act = response('<BatchItem><Operation type="Enumeration" value="Create"/>'
                       '<ResultStatus type="Enumeration" value="OperationFailed"/>'
                       '<ResultReason type="Enumeration" value="GeneralFailure"/>'
                       '<ResultMessage type="TextString" value="boom"/></BatchItem>')
        with self.assertRaisesRegex(rv.StepFailure, r"ResultStatus: expected 'Success', got "
                                    r"'OperationFailed' \[server: OperationFailed "
                                    r"GeneralFailure: boom\]"):
            run(self.state, request(CREATE_REQ), exp, act)

    def test_missing_element_and_extras(self):
        exp = response(CREATE_RESP)
        act = actualize(exp, {})
        payload = find(act, "BatchItem", "ResponsePayload")
        payload["value"] = [c for c in payload["value"] if c["tag"] != "ObjectType"]
        with self.assertRaisesRegex(rv.StepFailure, r"ResponsePayload/ObjectType: missing"):
            run(rv.VectorState("T"), request(CREATE_REQ), exp, act)
        act = actualize(exp, {})
        find(act, "BatchItem", "ResponsePayload")["value"].append(
            {"tag": "Extra", "type": "TextString", "value": "x"})
        notes = run(rv.VectorState("T"), request(CREATE_REQ), exp, act, verbose=True)
        self.assertTrue(any("extra: BatchItem[0]/ResponsePayload/Extra" in n for n in notes))

    def test_value_forms(self):
        exp = response('<BatchItem><Operation type="Enumeration" value="GetAttributes"/>'
                       '<ResultStatus type="Enumeration" value="Success"/><ResponsePayload>'
                       '<Attributes>'
                       '<CryptographicUsageMask type="Integer" value="Decrypt Encrypt"/>'
                       '<CryptographicLength type="Integer" value="256"/>'
                       '<UsageLimitsTotal type="LongInteger" value="1000"/>'
                       '<Digest><DigestValue type="ByteString" value="abcdef"/></Digest>'
                       '<ActivationDate type="DateTime" value="2000-02-02T00:00:00+10:00"/>'
                       '</Attributes></ResponsePayload></BatchItem>')
        req = request('<BatchItem><Operation type="Enumeration" value="GetAttributes"/>'
                      '<RequestPayload/></BatchItem>')
        act = copy.deepcopy(exp)
        attrs = find(act, "BatchItem", "ResponsePayload", "Attributes")
        for c in attrs["value"]:
            if c["tag"] == "CryptographicUsageMask":
                c["value"] = "Encrypt|Decrypt"
            elif c["tag"] == "CryptographicLength":
                c["value"] = "0x00000100"
            elif c["tag"] == "UsageLimitsTotal":
                c["value"] = 1000
            elif c["tag"] == "Digest":
                c["value"][0]["value"] = "ABCDEF"
            elif c["tag"] == "ActivationDate":
                c["value"] = "2000-02-01T14:00:00Z"
        hdr = find(act, "ResponseHeader", "TimeStamp")
        hdr["value"] = "2024-05-01T10:00:00Z"
        run(self.state, req, exp, act)
        for c in attrs["value"]:
            if c["tag"] == "CryptographicUsageMask":
                c["value"] = "Encrypt"
        with self.assertRaisesRegex(rv.StepFailure, "CryptographicUsageMask"):
            run(self.state, req, exp, act)

    def test_same_tag_siblings_in_order_with_extras_between(self):
        exp = response('<BatchItem><Operation type="Enumeration" value="Locate"/>'
                       '<ResultStatus type="Enumeration" value="Success"/><ResponsePayload>'
                       '<UniqueIdentifier type="TextString" value="$UNIQUE_IDENTIFIER_1"/>'
                       '<UniqueIdentifier type="TextString" value="$UNIQUE_IDENTIFIER_0"/>'
                       '</ResponsePayload></BatchItem>')
        req = request('<BatchItem><Operation type="Enumeration" value="Locate"/>'
                      '<RequestPayload/></BatchItem>')
        self.state.bindings = {"$UNIQUE_IDENTIFIER_0": "a", "$UNIQUE_IDENTIFIER_1": "b"}
        act = actualize(exp, dict(self.state.bindings))
        payload = find(act, "BatchItem", "ResponsePayload")
        payload["value"].insert(1, {"tag": "UniqueIdentifier", "type": "TextString",
                                    "value": "zzz"})
        run(self.state, req, exp, act)
        payload["value"].reverse()   # a, zzz, b: wrong order
        with self.assertRaises(rv.StepFailure):
            run(self.state, req, exp, act)

    def test_two_placeholders_cannot_bind_the_same_id(self):
        exp = response('<BatchItem><Operation type="Enumeration" value="CreateKeyPair"/>'
                       '<ResultStatus type="Enumeration" value="Success"/><ResponsePayload>'
                       '<PrivateKeyUniqueIdentifier type="TextString" '
                       'value="$UNIQUE_IDENTIFIER_0"/>'
                       '<PublicKeyUniqueIdentifier type="TextString" '
                       'value="$UNIQUE_IDENTIFIER_1"/></ResponsePayload></BatchItem>')
        req = request('<BatchItem><Operation type="Enumeration" value="CreateKeyPair"/>'
                      '<RequestPayload/></BatchItem>')
        act = actualize(exp, {"$UNIQUE_IDENTIFIER_0": "k", "$UNIQUE_IDENTIFIER_1": "k"})
        with self.assertRaisesRegex(rv.StepFailure, "already the id of"):
            run(self.state, req, exp, act)

    def test_random_outputs_of_generated_keys_not_compared(self):
        run(self.state, request(CREATE_REQ), response(CREATE_RESP),
            actualize(response(CREATE_RESP), {}))
        enc_req = request('<BatchItem><Operation type="Enumeration" value="Encrypt"/>'
                          '<RequestPayload><UniqueIdentifier type="TextString" '
                          'value="$UNIQUE_IDENTIFIER_0"/><Data type="ByteString" '
                          'value="00"/></RequestPayload></BatchItem>')
        exp = response('<BatchItem><Operation type="Enumeration" value="Encrypt"/>'
                       '<ResultStatus type="Enumeration" value="Success"/><ResponsePayload>'
                       '<UniqueIdentifier type="TextString" value="$UNIQUE_IDENTIFIER_0"/>'
                       '<Data type="ByteString" value="1111"/></ResponsePayload></BatchItem>')
        act = actualize(exp, dict(self.state.bindings))
        find(act, "BatchItem", "ResponsePayload", "Data")["value"] = "2222"
        notes = run(self.state, enc_req, exp, act, verbose=True)
        self.assertTrue(any("generated-key-crypto-output" in n for n in notes))
        # the element must still be there
        payload = find(act, "BatchItem", "ResponsePayload")
        payload["value"] = [c for c in payload["value"] if c["tag"] != "Data"]
        with self.assertRaisesRegex(rv.StepFailure, "Data: missing"):
            run(self.state, enc_req, exp, act)

    def test_known_answer_with_registered_key_is_compared(self):
        self.state.bindings = {"$UNIQUE_IDENTIFIER_0": "r"}
        self.state.object_types = {"$UNIQUE_IDENTIFIER_0": "SymmetricKey"}
        req = request('<BatchItem><Operation type="Enumeration" value="Encrypt"/>'
                      '<RequestPayload><UniqueIdentifier type="TextString" '
                      'value="$UNIQUE_IDENTIFIER_0"/><Data type="ByteString" value="00"/>'
                      '</RequestPayload></BatchItem>')
        exp = response('<BatchItem><Operation type="Enumeration" value="Encrypt"/>'
                       '<ResultStatus type="Enumeration" value="Success"/><ResponsePayload>'
                       '<UniqueIdentifier type="TextString" value="$UNIQUE_IDENTIFIER_0"/>'
                       '<Data type="ByteString" value="1111"/></ResponsePayload></BatchItem>')
        act = actualize(exp, dict(self.state.bindings))
        find(act, "BatchItem", "ResponsePayload", "Data")["value"] = "2222"
        with self.assertRaisesRegex(rv.StepFailure, r"ResponsePayload/Data: expected '1111', "
                                    r"got '2222'"):
            run(self.state, req, exp, act)

    def test_id_placeholder_item_inherits_generated_object(self):
        act_req = request(CREATE_REQ,
                          '<BatchItem><Operation type="Enumeration" value="Get"/>'
                          '<RequestPayload/></BatchItem>')
        exp = response(CREATE_RESP,
                       '<BatchItem><Operation type="Enumeration" value="Get"/>'
                       '<ResultStatus type="Enumeration" value="Success"/><ResponsePayload>'
                       '<SymmetricKey><KeyBlock><KeyFormatType type="Enumeration" '
                       'value="Raw"/><KeyValue><KeyMaterial type="ByteString" value="00"/>'
                       '</KeyValue></KeyBlock></SymmetricKey></ResponsePayload></BatchItem>')
        ctx = rv.item_contexts(self.state, act_req, exp)
        self.assertEqual(ctx[1].obj, "$UNIQUE_IDENTIFIER_0")
        self.assertTrue(ctx[1].generated)
        act = actualize(exp, {})
        items = [c for c in act["value"] if c["tag"] == "BatchItem"]
        find(items[1], "ResponsePayload", "SymmetricKey", "KeyBlock", "KeyValue",
             "KeyMaterial")["value"] = "ffff"
        find(items[1], "ResponsePayload", "SymmetricKey", "KeyBlock",
             "KeyFormatType")["value"] = "TransparentSymmetricKey"
        rv.compare_message(self.state, ctx, exp, act, False)


class VectorsAgainstThemselves(unittest.TestCase):
    """Each vector's expected answers, with placeholders filled in, must pass the comparison:
    guards the rules against rejecting exact answers (reads ../shared, skips if absent)."""

    def test_all_vectors(self):
        vdir = rv.DEFAULT_VECTORS
        if not vdir.is_dir():
            self.skipTest(f"{vdir} not found")
        for path in sorted(Path(vdir).glob("*.xml")):
            with self.subTest(vector=path.stem):
                state = rv.VectorState(path.stem)
                msgs = list(x.iter_messages(str(path)))
                ids: dict = {}
                for k in range(0, len(msgs), 2):
                    self.assertEqual(msgs[k][0], "RequestMessage")
                    req = x.convert_element(msgs[k][2], dt.datetime.now(dt.timezone.utc))
                    exp = msgs[k + 1][1]
                    ctx = rv.item_contexts(state, req, exp)
                    rv.substitute_ids(req, state)
                    rv.compare_message(state, ctx, exp, actualize(exp, ids), False)

    def test_all_vectors_through_binary_ttlv(self):
        """What --binary and --socket rely on: every message of the 2.1 and 1.4 vectors encodes
        as binary TTLV, and each expected answer, encoded and decoded, still matches itself."""
        vdir = rv.DEFAULT_VECTORS
        if not vdir.is_dir():
            self.skipTest(f"{vdir} not found")
        for d in (Path(vdir), Path(vdir).parent / "v1.4"):
            for path in sorted(d.glob("*.xml")):
                with self.subTest(vector=path.stem):
                    state = rv.VectorState(path.stem)
                    msgs = list(x.iter_messages(str(path)))
                    now = dt.datetime.now(dt.timezone.utc)
                    for k in range(0, len(msgs), 2):
                        req = x.convert_element(msgs[k][2], now)
                        ttlv_binary.decode(ttlv_binary.encode(req))
                        exp = x.convert_element(msgs[k + 1][2], now)
                        ctx = rv.item_contexts(state, req, exp)
                        wire = ttlv_binary.encode(exp)
                        rv.compare_message(state, ctx, exp, ttlv_binary.decode(wire), False)


def read_exactly(conn, n: int) -> bytes:
    out = b""
    while len(out) < n:
        chunk = conn.recv(n - len(out))
        if not chunk:
            raise EOFError
        out += chunk
    return out


class SocketReconnects(unittest.TestCase):
    """SocketClient against a TLS server that answers each framed message with itself and
    closes the connection after every `per_connection` messages."""

    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="replay-socket-test-"))
        self.addCleanup(shutil.rmtree, self.tmp, True)
        pki = Pki(self.tmp)
        cert, key = pki.server()
        self.client_context = pki.client_context(*pki.issue("client", "/CN=admin"))
        self.server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.server_context.load_cert_chain(str(cert), str(key))
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.addCleanup(self.listener.close)
        self.port = self.listener.getsockname()[1]

    def serve(self, per_connection: int, connections: int, cut_mid_answer: bool = False):
        self.closed = threading.Event()  # set when the server has closed its first connection

        def run():
            for _ in range(connections):
                raw, _ = self.listener.accept()
                with self.server_context.wrap_socket(raw, server_side=True) as conn:
                    for _ in range(per_connection):
                        head = read_exactly(conn, 8)
                        body = read_exactly(conn, struct.unpack(">I", head[4:])[0])
                        conn.sendall((head + body)[:6] if cut_mid_answer else head + body)
                self.closed.set()
        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        self.addCleanup(thread.join, 10)

    def message(self, n: int) -> bytes:
        return ttlv_binary.encode({"tag": "RequestMessage", "value": [
            {"tag": "BatchCount", "type": "Integer", "value": n}]})

    def test_reconnects_when_the_server_closed_and_reports_it(self):
        self.serve(per_connection=2, connections=2)
        client = rv.SocketClient(self.port, self.client_context, timeout=10)
        self.addCleanup(client.close)
        for n in range(4):
            if n == 2:
                # The close must have reached the client before it looks: otherwise the step
                # goes out on the closing connection, which is the mid-exchange case below.
                self.assertTrue(self.closed.wait(10))
                select.select([client.sock], [], [], 10)
            self.assertEqual(client.exchange(self.message(n), f"step {n}"), self.message(n))
        self.assertEqual(client.connections, 2)
        self.assertEqual(len(client.events), 1, client.events)
        self.assertIn("closed the connection after step 1; reconnected for step 2", client.events[0])

    def test_answer_cut_short_fails_the_step_and_is_not_resent(self):
        self.serve(per_connection=1, connections=2, cut_mid_answer=True)
        client = rv.SocketClient(self.port, self.client_context, timeout=10)
        self.addCleanup(client.close)
        with self.assertRaises(EOFError):
            client.exchange(self.message(1), "step 0")
        self.assertIn("connection lost during step 0", client.events[0])
        self.assertIsNone(client.sock)
        with self.assertRaises(EOFError):  # the next message goes on a new connection
            client.exchange(self.message(2), "step 1")
        self.assertEqual(client.connections, 2)


if __name__ == "__main__":
    unittest.main()
