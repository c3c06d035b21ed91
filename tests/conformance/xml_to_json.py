#!/usr/bin/env python3
"""Convert the KMIP XML encoding (KMIP Additional Message Encodings v1.0, section 6) into the
JSON TTLV kmsd speaks (Cosmian-compatible; same document, section 4).

XML                                         JSON
<Tag type="Integer" value="128"/>           {"tag":"Tag","type":"Integer","value":128}
  mask: value="Encrypt Decrypt"             "value":"Encrypt|Decrypt"
  hex:  value="0x0000000c"                  "value":"0x0000000c"  (unchanged)
<Tag type="LongInteger" value="-2"/>        "value":"0xFFFFFFFFFFFFFFFE" (64-bit two's complement)
<Tag type="BigInteger" value="00ff..."/>    "value":"0x00ff..."   (xsd:hexBinary, 0x added)
<Tag type="Enumeration" value="AES"/>       "value":"AES"         (name or hex, unchanged)
<Tag type="Boolean" value="true"/>          "value":true
<Tag type="TextString" value="s"/>          "value":"s"
<Tag type="ByteString" value="c50f77"/>     "value":"c50f77"      (unchanged)
<Tag type="DateTime" value="..."/>          "value":"..."         (unchanged, except $NOW[+-N])
<Tag type="Interval" value="27"/>           "value":27
<Tag> ...children... </Tag>                 {"tag":"Tag","value":[...]}   (type omitted)
<TTLV tag="0x420001" name="N" type=...>     tag = name if given, else the hex tag

Placeholders: with `now` given, DateTime values `$NOW`, `$NOW-3600`, `$NOW+60` become RFC 3339
UTC times; everything else (e.g. `$UNIQUE_IDENTIFIER_0`) is left for the caller.

Usage: xml_to_json.py [--now] FILE.xml   prints a JSON array of {"kind", "message"} objects.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
import sys
import xml.etree.ElementTree as ET
from typing import Any, Iterator

XMLNS = "{urn:oasis:tc:kmip:xmlns}"
NOW_RE = re.compile(r"^\$NOW(?:\s*([+-])\s*(\d+))?$")
DECIMAL_RE = re.compile(r"^[+-]?\d+$")
HEX_RE = re.compile(r"^0[xX][0-9a-fA-F]+$")

TYPES = {"Structure", "Integer", "LongInteger", "BigInteger", "Enumeration", "Boolean",
         "TextString", "ByteString", "DateTime", "Interval", "DateTimeExtended"}


class ConversionError(ValueError):
    pass


def rfc3339(when: _dt.datetime) -> str:
    return when.astimezone(_dt.timezone.utc).replace(microsecond=0).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


def substitute_now(text: str, now: _dt.datetime) -> str:
    """`$NOW`, `$NOW-3600`, `$NOW+60` -> RFC 3339 UTC; other text unchanged."""
    m = NOW_RE.match(text.strip())
    if not m:
        return text
    offset = int(m.group(2) or 0) * (-1 if m.group(1) == "-" else 1)
    return rfc3339(now + _dt.timedelta(seconds=offset))


def _tag_of(elem: ET.Element) -> str:
    name = elem.tag
    if name.startswith(XMLNS):
        name = name[len(XMLNS):]
    elif name.startswith("{"):
        name = name.split("}", 1)[1]
    if name == "TTLV":
        tag = elem.get("name") or elem.get("tag")
        if not tag:
            raise ConversionError("<TTLV> element without tag or name attribute")
        return tag
    return name


def _int_value(tag: str, raw: str) -> int | str:
    """Integer: decimal -> number; single hex -> unchanged; mask names -> 'A|B'."""
    v = raw.strip()
    if DECIMAL_RE.match(v):
        return int(v)
    if HEX_RE.match(v):
        return v
    parts = v.split()
    if not parts:
        raise ConversionError(f"{tag}: empty Integer value")
    for p in parts:
        if not (HEX_RE.match(p) or re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", p)):
            raise ConversionError(f"{tag}: bad Integer mask component {p!r}")
    return "|".join(parts)


def _long_value(tag: str, raw: str) -> str:
    v = raw.strip()
    if HEX_RE.match(v):
        return v
    if not DECIMAL_RE.match(v):
        raise ConversionError(f"{tag}: bad LongInteger {raw!r}")
    n = int(v)
    if not -(2**63) <= n < 2**63:
        raise ConversionError(f"{tag}: LongInteger out of range {raw!r}")
    return "0x%016X" % (n & (2**64 - 1))


def _big_value(tag: str, raw: str) -> str:
    v = raw.strip()
    if HEX_RE.match(v):
        return v
    if not re.match(r"^[0-9a-fA-F]*$", v) or len(v) % 2:
        raise ConversionError(f"{tag}: bad BigInteger hexBinary {raw!r}")
    return "0x" + v


def _bool_value(tag: str, raw: str) -> bool | str:
    v = raw.strip()
    if v in ("true", "1"):
        return True
    if v in ("false", "0"):
        return False
    if HEX_RE.match(v):
        return v
    raise ConversionError(f"{tag}: bad Boolean {raw!r}")


def _interval_value(tag: str, raw: str) -> int | str:
    v = raw.strip()
    if DECIMAL_RE.match(v):
        n = int(v)
        if not 0 <= n < 2**32:
            raise ConversionError(f"{tag}: Interval out of range {raw!r}")
        return n
    if HEX_RE.match(v):
        return v
    raise ConversionError(f"{tag}: bad Interval {raw!r}")


def convert_element(elem: ET.Element, now: _dt.datetime | None = None) -> dict:
    """One XML element (and its subtree) -> JSON TTLV node."""
    tag = _tag_of(elem)
    typ = elem.get("type") or "Structure"
    if typ not in TYPES:
        raise ConversionError(f"{tag}: unknown type {typ!r}")
    if typ == "Structure":
        if elem.get("value") not in (None, ""):
            raise ConversionError(f"{tag}: Structure with a value attribute")
        return {"tag": tag, "value": [convert_element(c, now) for c in elem
                                      if isinstance(c.tag, str)]}
    raw = elem.get("value")
    if raw is None:
        raise ConversionError(f"{tag}: {typ} without a value attribute")
    if len(elem):
        raise ConversionError(f"{tag}: {typ} with child elements")
    value: Any
    if typ == "Integer":
        value = _int_value(tag, raw)
    elif typ == "LongInteger":
        value = _long_value(tag, raw)
    elif typ == "BigInteger":
        value = _big_value(tag, raw)
    elif typ == "Boolean":
        value = _bool_value(tag, raw)
    elif typ == "Interval":
        value = _interval_value(tag, raw)
    elif typ in ("DateTime", "DateTimeExtended"):
        value = substitute_now(raw, now) if now is not None else raw
    else:  # Enumeration, TextString, ByteString: unchanged
        value = raw
    return {"tag": tag, "type": typ, "value": value}


def iter_messages(path: str, now: _dt.datetime | None = None
                  ) -> Iterator[tuple[str, dict, ET.Element]]:
    """(kind, json, xml element) for each RequestMessage/ResponseMessage in a vector file,
    in document order. kind is "RequestMessage" or "ResponseMessage"."""
    root = ET.parse(path).getroot()
    elems = [root] if _tag_of(root) in ("RequestMessage", "ResponseMessage") else list(root)
    for el in elems:
        if not isinstance(el.tag, str):
            continue
        kind = _tag_of(el)
        if kind not in ("RequestMessage", "ResponseMessage"):
            raise ConversionError(f"{path}: unexpected top-level element <{kind}>")
        yield kind, convert_element(el, now), el


def convert_string(xml_text: str, now: _dt.datetime | None = None) -> dict:
    return convert_element(ET.fromstring(xml_text), now)


def main(argv: list[str]) -> int:
    args = [a for a in argv if a != "--now"]
    if len(args) != 1:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    now = _dt.datetime.now(_dt.timezone.utc) if "--now" in argv else None
    out = [{"kind": k, "message": m} for k, m, _ in iter_messages(args[0], now)]
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
