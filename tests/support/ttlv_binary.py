#!/usr/bin/env python3
"""Binary TTLV (KMIP 1.4 and 2.1 section 9.1) <-> the JSON TTLV nodes of kmsd.py and
xml_to_json.py: the conformance replay over binary and the 5696 socket tests use it. Tag and
enumeration numbers come from kmsd's own dictionary (core/kms/kmip/DictionaryData.cpp,
generated from the specifications), so both sides use the same names. A KMIP 1.x
AttributeValue takes its enumeration or mask from the sibling AttributeName ("Cryptographic
Algorithm" -> CryptographicAlgorithm).

    from ttlv_binary import encode, decode
    wire = encode(request_message(batch_item("Create", ...)))
    answer = decode(wire_answer)
"""

from __future__ import annotations

import datetime as _dt
import re
import struct
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
TYPES = {"Structure": 1, "Integer": 2, "LongInteger": 3, "BigInteger": 4, "Enumeration": 5,
         "Boolean": 6, "TextString": 7, "ByteString": 8, "DateTime": 9, "Interval": 10,
         "DateTimeExtended": 11}
TYPE_NAMES = {v: k for k, v in TYPES.items()}


def _load() -> tuple[dict, dict, dict, dict, dict]:
    text = (REPO / "core" / "kms" / "kmip" / "DictionaryData.cpp").read_text()
    tags = {m[0]: int(m[1], 16) for m in re.findall(r'\{"(\w+)", (0x42[0-9A-Fa-f]{4})\}', text)}
    enum_part, _, rest = text.partition("kTagEnumArray[]")
    mask_part = rest.partition("kMaskArray[]")[2]
    enums = {(m[0], m[1]): int(m[2], 16)
             for m in re.findall(r'\{"(\w+)", "(\w+)", (0x[0-9A-Fa-f]{8})\}', enum_part)}
    tag_enums = dict(re.findall(r'\{"(\w+)", "(\w+)"\}', rest.partition("kMaskArray[]")[0]))
    masks = {(m[0], m[1]): int(m[2], 16)
             for m in re.findall(r'\{"(\w+)", "(\w+)", (0x[0-9A-Fa-f]{8})\}', mask_part)}
    return tags, {v: k for k, v in tags.items()}, enums, tag_enums, masks


TAGS, TAG_NAMES, ENUMS, TAG_ENUMS, MASKS = _load()
ENUM_NAMES = {(e, v): n for (e, n), v in ENUMS.items()}


def attribute_tag(name: str) -> str:
    """The 2.1 tag of a 1.x attribute name (enough for the enumerations and masks)."""
    return name.replace(" ", "")


def _enum_table(tag: str) -> str:
    return TAG_ENUMS.get(tag, tag)


def _context_tag(node: dict, siblings: list | None) -> str:
    tag = node["tag"]
    if tag == "AttributeValue" and siblings:
        for s in siblings:
            if s.get("tag") == "AttributeName":
                return attribute_tag(str(s.get("value")))
    return tag


def _int(v: Any, tag: str) -> int:
    if isinstance(v, bool):
        raise ValueError(f"{tag}: boolean where a number was expected")
    if isinstance(v, int):
        return v
    s = str(v).strip()
    if re.match(r"^0x[0-9a-fA-F]+$", s):
        return int(s, 16)
    if re.match(r"^[+-]?\d+$", s):
        return int(s)
    bits = 0
    for part in re.split(r"[|\s]+", s):
        if not part:
            continue
        if part.lower().startswith("0x"):
            bits |= int(part, 16)
        elif (tag, part) in MASKS:
            bits |= MASKS[(tag, part)]
        else:
            raise ValueError(f"{tag}: unknown mask bit {part!r}")
    return bits


def _datetime(v: Any) -> int:
    if isinstance(v, int):
        return v
    s = str(v).strip()
    if s.lower().startswith("0x"):
        return int(s, 16)
    d = _dt.datetime.fromisoformat(s.replace("Z", "+00:00"))
    if d.tzinfo is None:
        d = d.replace(tzinfo=_dt.timezone.utc)
    return int(d.timestamp())


def encode(node: dict, siblings: list | None = None) -> bytes:
    tag = node["tag"]
    if tag not in TAGS:
        raise ValueError(f"no tag code for {tag}")
    typ = node.get("type") or "Structure"
    v = node.get("value")
    ctx = _context_tag(node, siblings)
    if typ == "Structure":
        children = v or []
        body = b"".join(encode(c, children) for c in children)
    elif typ == "Integer":
        body = struct.pack(">i", _int(v, ctx) - (1 << 32) if _int(v, ctx) >= 1 << 31 else _int(v, ctx))
    elif typ == "LongInteger":
        body = struct.pack(">Q", _int(v, ctx) & (2**64 - 1))
    elif typ == "BigInteger":
        n = _int(v, ctx)
        s = str(v)
        length = max(8, (len(s) - 2 + 1) // 2 if s.startswith("0x") else 8)
        length += -length % 8
        body = (n & ((1 << (8 * length)) - 1)).to_bytes(length, "big")
    elif typ == "Enumeration":
        if isinstance(v, int) or str(v).lower().startswith("0x"):
            number = _int(v, ctx)
        elif ctx == "AttributeReference":  # 2.1 section 7.1: its values are tag codes
            if str(v) not in TAGS:
                raise ValueError(f"{ctx}: unknown tag {v!r}")
            number = TAGS[str(v)]
        else:
            key = (_enum_table(ctx), str(v))
            if key not in ENUMS:
                raise ValueError(f"{ctx}: unknown enumeration value {v!r}")
            number = ENUMS[key]
        body = struct.pack(">I", number)
    elif typ == "Boolean":
        truth = v if isinstance(v, bool) else int(str(v), 16) != 0
        body = struct.pack(">Q", 1 if truth else 0)
    elif typ == "TextString":
        body = str(v).encode()
    elif typ == "ByteString":
        body = bytes.fromhex(str(v))
    elif typ == "DateTime":
        body = struct.pack(">q", _datetime(v))
    elif typ == "Interval":
        body = struct.pack(">I", _int(v, ctx))
    elif typ == "DateTimeExtended":
        body = struct.pack(">q", _datetime(v) * 1_000_000)
    else:
        raise ValueError(f"{tag}: type {typ}")
    head = TAGS[tag].to_bytes(3, "big") + bytes([TYPES[typ]]) + struct.pack(">I", len(body))
    return head + body + b"\0" * (-len(body) % 8)


def _items(data: bytes) -> list[tuple[str, str, bytes]]:
    out, pos = [], 0
    while pos < len(data):
        if pos + 8 > len(data):
            raise ValueError("truncated TTLV header")
        code = int.from_bytes(data[pos:pos + 3], "big")
        typ = TYPE_NAMES.get(data[pos + 3])
        length = struct.unpack(">I", data[pos + 4:pos + 8])[0]
        if typ is None or pos + 8 + length > len(data):
            raise ValueError(f"bad TTLV item at {pos}")
        tag = TAG_NAMES.get(code, "0x%06X" % code)
        out.append((tag, typ, data[pos + 8:pos + 8 + length]))
        pos += 8 + length + (-length % 8 if typ not in ("Structure",) else 0)
    return out


def decode(data: bytes) -> dict:
    items = _items(data)
    if len(items) != 1:
        raise ValueError(f"expected one top-level item, got {len(items)}")
    return _node(*items[0], None)


def _node(tag: str, typ: str, body: bytes, siblings: list | None) -> dict:
    if typ == "Structure":
        raw = _items(body)
        # AttributeName first, so that AttributeValue can be decoded in its context.
        names = [{"tag": t, "type": ty, "value": b.decode()} for t, ty, b in raw
                 if t == "AttributeName" and ty == "TextString"]
        return {"tag": tag, "value": [_node(t, ty, b, names) for t, ty, b in raw]}
    ctx = _context_tag({"tag": tag}, siblings)
    if typ == "Integer":
        value: Any = struct.unpack(">i", body)[0]
        if ctx in {e for e, _ in MASKS} and value >= 0:
            value = "|".join(n for (e, n), bit in MASKS.items() if e == ctx and value & bit) or 0
    elif typ == "LongInteger":
        value = struct.unpack(">q", body)[0]
    elif typ == "BigInteger":
        value = "0x" + body.hex().upper()
    elif typ == "Enumeration":
        number = struct.unpack(">I", body)[0]
        if ctx == "AttributeReference":
            value = TAG_NAMES.get(number, "0x%08X" % number)
        else:
            value = ENUM_NAMES.get((_enum_table(ctx), number), "0x%08X" % number)
    elif typ == "Boolean":
        value = struct.unpack(">Q", body)[0] != 0
    elif typ == "TextString":
        value = body.decode()
    elif typ == "ByteString":
        value = body.hex()
    elif typ in ("DateTime", "DateTimeExtended"):
        seconds = struct.unpack(">q", body)[0]
        if typ == "DateTimeExtended":
            seconds //= 1_000_000
        value = _dt.datetime.fromtimestamp(seconds, _dt.timezone.utc).isoformat()
    elif typ == "Interval":
        value = struct.unpack(">I", body)[0]
    else:
        raise ValueError(typ)
    return {"tag": tag, "type": typ, "value": value}
