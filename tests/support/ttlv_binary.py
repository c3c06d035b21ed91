"""Test support: binary TTLV (KMIP 2.1 section 9.1) to and from the JSON TTLV nodes of kmsd.py.

Standard library only. Tag and enumeration names come from kmsd's own dictionary
(core/kms/kmip/DictionaryData.cpp), so the nodes built with kmsd.st/e/i/t/b encode as they
would post to /kmip/2_1, and decoded answers read with kmsd.find/value.

    from ttlv_binary import encode, decode
    wire = encode(request_message(batch_item("Create", ...)))
    answer = decode(wire_answer)
"""

from __future__ import annotations

import calendar
import re
import struct
import time
from pathlib import Path
from typing import Any

from kmsd import MASK_TABLES

_DATA = Path(__file__).resolve().parents[2] / "core" / "kms" / "kmip" / "DictionaryData.cpp"


def _dictionary():
    text = _DATA.read_text()
    tags = {m[0]: int(m[1], 16) for m in re.findall(r'\{"(\w+)", (0x42[0-9A-Fa-f]{4})\}', text)}
    enums = {(m[0], m[1]): int(m[2], 16)
             for m in re.findall(r'\{"(\w+)", "(\w+)", (0x[0-9A-Fa-f]{8})\}', text)}
    return tags, enums


TAGS, ENUMS = _dictionary()
TAG_NAMES = {code: name for name, code in TAGS.items()}
ENUM_NAMES = {(tag, code): name for (tag, name), code in ENUMS.items()}
TYPES = {"Structure": 1, "Integer": 2, "LongInteger": 3, "BigInteger": 4, "Enumeration": 5,
         "Boolean": 6, "TextString": 7, "ByteString": 8, "DateTime": 9, "Interval": 10,
         "DateTimeExtended": 11}
TYPE_NAMES = {code: name for name, code in TYPES.items()}


def item(tag: int, kind: int, body: bytes) -> bytes:
    """One raw item: tag code, type code and value (padded to 8 bytes)."""
    return tag.to_bytes(3, "big") + bytes([kind]) + struct.pack(">I", len(body)) + body + b"\0" * (-len(body) % 8)


def _number(node: dict) -> int:
    v = node["value"]
    if isinstance(v, int):
        return v
    if v.startswith("0x"):
        return int(v, 16)
    table = MASK_TABLES.get(node["tag"], {})
    return sum(table[bit] for bit in v.split("|"))


def encode(node: dict) -> bytes:
    tag = node["tag"]
    code = int(tag, 16) if tag.startswith("0x") else TAGS[tag]
    kind = node.get("type", "Structure")
    v = node["value"]
    if kind == "Structure":
        body = b"".join(encode(child) for child in v)
    elif kind == "Integer":
        body = struct.pack(">i", _number(node) if _number(node) < 2**31 else _number(node) - 2**32)
    elif kind in ("LongInteger", "DateTimeExtended"):
        body = struct.pack(">q", int(v, 16) - (2**64 if int(v, 16) >= 2**63 else 0) if isinstance(v, str) else v)
    elif kind == "BigInteger":
        body = bytes.fromhex(v[2:])
    elif kind == "Enumeration":
        body = struct.pack(">I", int(v, 16) if v.startswith("0x") else ENUMS[(tag, v)])
    elif kind == "Boolean":
        body = struct.pack(">Q", 1 if v else 0)
    elif kind == "TextString":
        body = v.encode()
    elif kind == "ByteString":
        body = bytes.fromhex(v)
    elif kind == "DateTime":
        body = struct.pack(">q", calendar.timegm(time.strptime(v, "%Y-%m-%dT%H:%M:%SZ")))
    elif kind == "Interval":
        body = struct.pack(">I", v)
    else:
        raise ValueError(kind)
    return item(code, TYPES[kind], body)


def decode(data: bytes) -> dict:
    """The one item `data` holds (trailing bytes refused)."""
    node, end = _decode(data, 0)
    if end != len(data):
        raise ValueError(f"{len(data) - end} bytes after the message")
    return node


def _decode(data: bytes, pos: int) -> tuple[dict, int]:
    if pos + 8 > len(data):
        raise ValueError("truncated item header")
    code = int.from_bytes(data[pos:pos + 3], "big")
    kind = TYPE_NAMES[data[pos + 3]]
    length = struct.unpack(">I", data[pos + 4:pos + 8])[0]
    body = data[pos + 8:pos + 8 + length]
    if len(body) != length:
        raise ValueError("truncated item")
    tag = TAG_NAMES.get(code, f"0x{code:06X}")
    end = pos + 8 + length + (-length % 8)
    if kind == "Structure":
        children, at = [], pos + 8
        while at < pos + 8 + length:
            child, at = _decode(data, at)
            children.append(child)
        return {"tag": tag, "value": children}, end
    value: Any
    if kind == "Integer":
        value = struct.unpack(">i", body)[0]
    elif kind in ("LongInteger", "DateTimeExtended"):
        value = struct.unpack(">q", body)[0]
    elif kind == "BigInteger":
        value = "0x" + body.hex().upper()
    elif kind == "Enumeration":
        number = struct.unpack(">I", body)[0]
        value = ENUM_NAMES.get((tag, number), f"0x{number:08X}")
    elif kind == "Boolean":
        value = struct.unpack(">Q", body)[0] != 0
    elif kind == "TextString":
        value = body.decode()
    elif kind == "ByteString":
        value = body.hex().upper()
    elif kind == "DateTime":
        value = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(struct.unpack(">q", body)[0]))
    else:
        value = struct.unpack(">I", body)[0]
    return {"tag": tag, "type": kind, "value": value}, end
