#!/usr/bin/env python3
"""Unit tests of xml_to_json.py on hand-written XML snippets (no server needed)."""

import datetime as dt
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import xml_to_json as x  # noqa: E402


class ScalarTypes(unittest.TestCase):
    def conv(self, snippet, now=None):
        return x.convert_string(snippet, now)

    def test_integer_decimal_becomes_number(self):
        self.assertEqual(self.conv('<CryptographicLength type="Integer" value="256"/>'),
                         {"tag": "CryptographicLength", "type": "Integer", "value": 256})
        self.assertEqual(self.conv('<X type="Integer" value="-1"/>')["value"], -1)

    def test_integer_hex_unchanged(self):
        self.assertEqual(self.conv('<BatchCount type="Integer" value="0x0000000A"/>')["value"],
                         "0x0000000A")

    def test_mask_names_joined_with_pipe(self):
        n = self.conv('<CryptographicUsageMask type="Integer" value="Sign  Verify"/>')
        self.assertEqual(n["value"], "Sign|Verify")
        self.assertEqual(self.conv('<CryptographicUsageMask type="Integer" value="WrapKey"/>')
                         ["value"], "WrapKey")

    def test_mask_mixed_names_and_hex(self):
        n = self.conv('<CryptographicUsageMask type="Integer" value="MACGenerate 0x00000100"/>')
        self.assertEqual(n["value"], "MACGenerate|0x00000100")

    def test_bad_mask_component_rejected(self):
        with self.assertRaises(x.ConversionError):
            self.conv('<CryptographicUsageMask type="Integer" value="Encrypt 12abc"/>')

    def test_long_integer_to_hex(self):
        self.assertEqual(self.conv('<UsageLimitsCount type="LongInteger" value="4096"/>')
                         ["value"], "0x0000000000001000")
        self.assertEqual(self.conv('<Y type="LongInteger" value="-2"/>')["value"],
                         "0xFFFFFFFFFFFFFFFE")
        self.assertEqual(self.conv('<Y type="LongInteger" value="0x0000000000000007"/>')
                         ["value"], "0x0000000000000007")
        with self.assertRaises(x.ConversionError):
            self.conv('<Y type="LongInteger" value="99999999999999999999"/>')

    def test_big_integer_hexbinary_gets_prefix(self):
        self.assertEqual(self.conv('<Z type="BigInteger" value="00000000000000FF"/>')["value"],
                         "0x00000000000000FF")
        with self.assertRaises(x.ConversionError):
            self.conv('<Z type="BigInteger" value="0F0"/>')

    def test_enumeration_unchanged(self):
        self.assertEqual(self.conv('<ObjectType type="Enumeration" value="PrivateKey"/>'),
                         {"tag": "ObjectType", "type": "Enumeration", "value": "PrivateKey"})
        self.assertEqual(self.conv('<ObjectType type="Enumeration" value="0x00000004"/>')
                         ["value"], "0x00000004")

    def test_boolean(self):
        self.assertIs(self.conv('<B type="Boolean" value="false"/>')["value"], False)
        self.assertIs(self.conv('<B type="Boolean" value="1"/>')["value"], True)
        with self.assertRaises(x.ConversionError):
            self.conv('<B type="Boolean" value="yes"/>')

    def test_text_and_bytes_unchanged(self):
        self.assertEqual(self.conv('<NameValue type="TextString" value="a b &amp; c"/>')
                         ["value"], "a b & c")
        self.assertEqual(self.conv('<Data type="ByteString" value="DEADbeef"/>')["value"],
                         "DEADbeef")
        self.assertEqual(self.conv('<Data type="ByteString" value=""/>')["value"], "")

    def test_interval(self):
        self.assertEqual(self.conv('<Offset type="Interval" value="86400"/>'),
                         {"tag": "Offset", "type": "Interval", "value": 86400})

    def test_datetime_unchanged_without_now(self):
        n = self.conv('<ArchiveDate type="DateTime" value="2010-03-04T05:06:07+02:00"/>')
        self.assertEqual(n["value"], "2010-03-04T05:06:07+02:00")
        self.assertEqual(self.conv('<ArchiveDate type="DateTime" value="$NOW"/>')["value"],
                         "$NOW")

    def test_datetime_placeholders_with_now(self):
        now = dt.datetime(2024, 5, 1, 10, 0, 0, 123456, tzinfo=dt.timezone.utc)
        conv = lambda v: self.conv(f'<D type="DateTime" value="{v}"/>', now)["value"]
        self.assertEqual(conv("$NOW"), "2024-05-01T10:00:00Z")
        self.assertEqual(conv("$NOW-3600"), "2024-05-01T09:00:00Z")
        self.assertEqual(conv("$NOW+90"), "2024-05-01T10:01:30Z")
        self.assertEqual(conv("1999-12-31T23:59:59Z"), "1999-12-31T23:59:59Z")
        # placeholders of other kinds are left alone
        self.assertEqual(self.conv('<UniqueIdentifier type="TextString" value="$NOW"/>',
                                   now)["value"], "$NOW")

    def test_unknown_type_rejected(self):
        with self.assertRaises(x.ConversionError):
            self.conv('<Q type="Float" value="1.5"/>')


class Structures(unittest.TestCase):
    def test_nested_structure_type_omitted(self):
        snippet = """
        <KeyBlock>
          <KeyFormatType type="Enumeration" value="Raw"/>
          <KeyValue type="Structure">
            <KeyMaterial type="ByteString" value="00112233"/>
          </KeyValue>
          <!-- a comment is ignored -->
        </KeyBlock>"""
        self.assertEqual(x.convert_string(snippet), {
            "tag": "KeyBlock", "value": [
                {"tag": "KeyFormatType", "type": "Enumeration", "value": "Raw"},
                {"tag": "KeyValue", "value": [
                    {"tag": "KeyMaterial", "type": "ByteString", "value": "00112233"}]}]})

    def test_empty_structure(self):
        self.assertEqual(x.convert_string("<ResponsePayload/>"),
                         {"tag": "ResponsePayload", "value": []})

    def test_generic_ttlv_form(self):
        self.assertEqual(x.convert_string(
            '<TTLV tag="0x420001" name="ActivationDate" type="DateTime" value="$NOW"/>'),
            {"tag": "ActivationDate", "type": "DateTime", "value": "$NOW"})
        self.assertEqual(x.convert_string(
            '<TTLV tag="0x540002" type="TextString" value="ext"/>'),
            {"tag": "0x540002", "type": "TextString", "value": "ext"})

    def test_namespace_stripped(self):
        n = x.convert_string('<Attributes xmlns="urn:oasis:tc:kmip:xmlns">'
                             '<State type="Enumeration" value="Active"/></Attributes>')
        self.assertEqual(n, {"tag": "Attributes", "value": [
            {"tag": "State", "type": "Enumeration", "value": "Active"}]})

    def test_scalar_without_value_rejected(self):
        with self.assertRaises(x.ConversionError):
            x.convert_string('<Data type="ByteString"/>')


class Files(unittest.TestCase):
    def test_iter_messages_in_order(self):
        doc = """<KMIP>
          <!-- header comment -->
          <RequestMessage>
            <RequestHeader><BatchCount type="Integer" value="1"/></RequestHeader>
            <BatchItem>
              <Operation type="Enumeration" value="Query"/>
              <RequestPayload><QueryFunction type="Enumeration" value="QueryOperations"/>
              </RequestPayload>
            </BatchItem>
          </RequestMessage>
          <ResponseMessage>
            <ResponseHeader><TimeStamp type="DateTime" value="$NOW"/></ResponseHeader>
          </ResponseMessage>
        </KMIP>"""
        with tempfile.NamedTemporaryFile("w", suffix=".xml", delete=False) as f:
            f.write(doc)
        try:
            msgs = list(x.iter_messages(f.name))
        finally:
            os.unlink(f.name)
        self.assertEqual([k for k, _, _ in msgs], ["RequestMessage", "ResponseMessage"])
        req = msgs[0][1]
        self.assertEqual(req["value"][1]["value"][1]["value"][0],
                         {"tag": "QueryFunction", "type": "Enumeration",
                          "value": "QueryOperations"})
        json.dumps(req)  # serialisable

    def test_cli(self):
        import io
        import contextlib
        doc = '<KMIP><RequestMessage><BatchCount type="Integer" value="1"/></RequestMessage></KMIP>'
        with tempfile.NamedTemporaryFile("w", suffix=".xml", delete=False) as f:
            f.write(doc)
        out = io.StringIO()
        try:
            with contextlib.redirect_stdout(out):
                rc = x.main([f.name])
        finally:
            os.unlink(f.name)
        self.assertEqual(rc, 0)
        self.assertEqual(json.loads(out.getvalue())[0]["message"]["value"][0]["value"], 1)


if __name__ == "__main__":
    unittest.main()
