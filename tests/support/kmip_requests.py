"""KMIP requests the integration tests send, and readers of the answers, built on the JSON TTLV
builders of kmsd.py (st, e, i, t, b, ...). One version of each: a test that needs another
shape passes keyword arguments or extra attribute nodes, it does not copy the builder.

A request here is a bare operation node {"tag": "Create", "value": [payload...]}: POST it to
/kmip/2_1 as it is, or wrap it with `batch_item_of` into a RequestMessage.

    create_aes()                          Active AES-256 key, Encrypt|Decrypt, of the KMS database
    create_aes(wrapping=kek)              the same, stored wrapped by `kek`
    create_hsm_aes("hsm::softhsm2::0::k") a key inside the HSM (no usage mask, no activation)
    uid_op("Destroy", uid)                any operation that names one object

Standard library only.
"""

from __future__ import annotations

import datetime as _dt
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from kmsd import Kmsd, b, bo, children, dt, e, find, i, request_message, st, t, value  # noqa: E402

PAST = _dt.datetime(2020, 1, 1, tzinfo=_dt.timezone.utc)  # an ActivationDate that makes a key Active
VENDOR = "cosmian"
WRAPPING_KEY_ID = "wrapping_key_id"

AES_GCM = st("CryptographicParameters", e("BlockCipherMode", "GCM"),
             e("CryptographicAlgorithm", "AES"), i("TagLength", 16))
PKCS1 = st("CryptographicParameters", e("PaddingMethod", "PKCS1V1_5"))


def oaep(hash_name: str) -> dict:
    return st("CryptographicParameters", e("PaddingMethod", "OAEP"), e("HashingAlgorithm", hash_name))


# ---------------------------------------------------------------------------------------------
# Attributes
# ---------------------------------------------------------------------------------------------

# Forms of the wrapping_key_id vendor attribute (contract: as for tags).
FORMS = ("VendorAttribute-text", "VendorAttributes-bytes", "Attribute-text")


def wrapping_attribute(uid: str, form: str = "VendorAttribute-text") -> dict:
    """The cosmian/wrapping_key_id vendor attribute naming `uid`, in one of FORMS."""
    kind, _, encoding = form.partition("-")
    val = b("AttributeValue", uid.encode()) if encoding == "bytes" else t("AttributeValue", uid)
    if kind == "VendorAttribute":
        return st("VendorAttribute", t("VendorIdentification", VENDOR), t("AttributeName", WRAPPING_KEY_ID), val)
    if kind == "VendorAttributes":
        return st("VendorAttributes", st("VendorAttribute", t("VendorIdentification", VENDOR),
                                         t("AttributeName", WRAPPING_KEY_ID), val))
    if kind == "Attribute":
        return st("Attribute", t("VendorIdentification", VENDOR), t("AttributeName", WRAPPING_KEY_ID), val)
    raise ValueError(form)


def name_attribute(text: str) -> dict:
    return st("Name", t("NameValue", text), e("NameType", "UninterpretedTextString"))


def aes_attributes(*more: Any, bits: int = 256, uid: str | None = None, mask: str | None = "Encrypt|Decrypt",
                   active: bool = True, sensitive: bool | None = None, name: str | None = None,
                   wrapping: str | None = None, form: str = "VendorAttribute-text") -> dict:
    """Attributes of an AES key: `bits` long, under `uid` (an hsm:: UID puts it in the HSM),
    usage `mask` (None: none), Active (ActivationDate in the past) unless `active` is False,
    Sensitive when given, named `name`, stored wrapped by `wrapping`; then `more` nodes."""
    return st("Attributes", e("CryptographicAlgorithm", "AES"), i("CryptographicLength", bits),
              t("UniqueIdentifier", uid) if uid is not None else None,
              i("CryptographicUsageMask", mask) if mask is not None else None,
              dt("ActivationDate", PAST) if active else None,
              bo("Sensitive", sensitive) if sensitive is not None else None,
              name_attribute(name) if name else None,
              wrapping_attribute(wrapping, form) if wrapping else None, *more)


# ---------------------------------------------------------------------------------------------
# Creating and registering keys
# ---------------------------------------------------------------------------------------------

def create_aes(*more: Any, **attributes: Any) -> dict:
    """Create of an AES key; `more` and `attributes` as for aes_attributes (by default an
    Active AES-256 key of the KMS database for Encrypt|Decrypt)."""
    return st("Create", e("ObjectType", "SymmetricKey"), aes_attributes(*more, **attributes))


def create_hsm_aes(uid: str, bits: int = 256, sensitive: bool | None = None) -> dict:
    """Create of an AES key inside the HSM named by the hsm:: `uid` (the HSM sets its usage)."""
    return create_aes(uid=uid, bits=bits, sensitive=sensitive, mask=None, active=False)


def create_hsm_rsa(uid: str, bits: int = 2048, sensitive: bool | None = None) -> dict:
    """CreateKeyPair of an RSA pair inside the HSM; `uid` names the private key."""
    return st("CreateKeyPair",
              st("CommonAttributes", e("CryptographicAlgorithm", "RSA"), i("CryptographicLength", bits)),
              st("PrivateKeyAttributes", t("UniqueIdentifier", uid),
                 bo("Sensitive", sensitive) if sensitive is not None else None))


def create_rsa_pair(wrapping: str | None = None, bits: int = 2048, name: str | None = None) -> dict:
    """CreateKeyPair of an Active software RSA pair; wrapping_key_id and the Name `name` on the
    private side."""
    return st("CreateKeyPair",
              st("CommonAttributes", e("CryptographicAlgorithm", "RSA"), i("CryptographicLength", bits),
                 dt("ActivationDate", PAST)),
              st("PrivateKeyAttributes", i("CryptographicUsageMask", "Sign|Decrypt"),
                 wrapping_attribute(wrapping) if wrapping else None,
                 name_attribute(name) if name else None),
              st("PublicKeyAttributes", i("CryptographicUsageMask", "Verify|Encrypt")))


def aes_object(key: bytes, tag: str = "SymmetricKey") -> dict:
    return st(tag, st("KeyBlock", e("KeyFormatType", "Raw"), st("KeyValue", b("KeyMaterial", key)),
                      e("CryptographicAlgorithm", "AES"), i("CryptographicLength", len(key) * 8)))


def register_aes(key: bytes, wrapping: str | None = None, form: str = "VendorAttribute-text") -> dict:
    """Register of a clear AES key, Active, to be stored wrapped by `wrapping` when given."""
    return st("Register", e("ObjectType", "SymmetricKey"),
              aes_attributes(bits=len(key) * 8, wrapping=wrapping, form=form), aes_object(key))


def import_aes(uid: str, key: bytes, wrapping: str | None = None, form: str = "VendorAttribute-text") -> dict:
    """Import (Cosmian style) of a clear AES key under `uid`."""
    return st("Import", t("UniqueIdentifier", uid), e("ObjectType", "SymmetricKey"),
              bo("ReplaceExisting", False), aes_attributes(bits=len(key) * 8, wrapping=wrapping, form=form),
              aes_object(key, "Object"))


# ---------------------------------------------------------------------------------------------
# Operations on one object
# ---------------------------------------------------------------------------------------------

def uid_op(operation: str, uid: str | None, *more: Any) -> dict:
    """`operation` on the object `uid` (None: no UniqueIdentifier, the ID placeholder's)."""
    return st(operation, t("UniqueIdentifier", uid) if uid is not None else None, *more)


def get_clear(uid: str, fmt: str | None = None) -> dict:
    return uid_op("Get", uid, e("KeyWrapType", "NotWrapped"), e("KeyFormatType", fmt) if fmt else None)


def revoke(uid: str, reason: str = "Unspecified") -> dict:
    return uid_op("Revoke", uid, st("RevocationReason", e("RevocationReasonCode", reason)))


def encrypt(uid: str | None, data: bytes, params: dict | None = None) -> dict:
    return uid_op("Encrypt", uid, params, b("Data", data))


def decrypt(uid: str, data: bytes | str, iv: bytes | str | None = None, tag: bytes | str | None = None,
            params: dict | None = None) -> dict:
    """Decrypt of `data` (bytes or hex) with its IV and authentication tag when given."""
    return uid_op("Decrypt", uid, params, b("Data", data),
                  b("IVCounterNonce", iv) if iv is not None else None,
                  b("AuthenticatedEncryptionTag", tag) if tag is not None else None)


def encrypt_gcm(uid: str | None, data: bytes) -> dict:
    """Encrypt naming AES-GCM with a 16-byte tag in its parameters (not the key's defaults)."""
    return encrypt(uid, data, AES_GCM)


def decrypt_gcm(uid: str, data_hex: str, iv_hex: str, tag_hex: str) -> dict:
    return decrypt(uid, data_hex, iv_hex, tag_hex, AES_GCM)

def decrypt_encrypted(uid: str, encrypt_answer: Any) -> dict:
    """Decrypt of what an Encrypt answered (its Data, IVCounterNonce, AuthenticatedEncryptionTag)."""
    return decrypt(uid, value(encrypt_answer, "Data"), value(encrypt_answer, "IVCounterNonce"),
                   value(encrypt_answer, "AuthenticatedEncryptionTag"))


def locate_by_name(name: str) -> dict:
    return st("Locate", st("Attributes", name_attribute(name)))


# ---------------------------------------------------------------------------------------------
# Messages
# ---------------------------------------------------------------------------------------------

def batch_item_of(operation: dict, batch_id: bytes | None = None) -> dict:
    """A request BatchItem from a bare operation node {"tag": Op, "value": payload}."""
    return st("BatchItem", e("Operation", operation["tag"]),
              b("UniqueBatchItemID", batch_id) if batch_id is not None else None,
              st("RequestPayload", operation["value"]))


def result_items(resp: dict) -> list[dict]:
    assert isinstance(resp, dict) and resp.get("tag") == "ResponseMessage", \
        f"expected a ResponseMessage, got {str(resp)[:500]}"
    return children(resp, "BatchItem")


def single_failure(k: Kmsd, operation: dict) -> tuple[str, str, str]:
    """Send `operation` in a one-item RequestMessage that must fail: (status, reason, message)."""
    resp = k.kmip(request_message(batch_item_of(operation)))
    items = result_items(resp)
    assert len(items) == 1, f"expected 1 batch item, got {resp}"
    return (value(items[0], "ResultStatus"), value(items[0], "ResultReason"),
            value(items[0], "ResultMessage"))


def call(k: Kmsd, operation: dict) -> dict:
    """Send `operation` in a one-item RequestMessage that must succeed; its ResponsePayload."""
    resp = k.kmip(request_message(batch_item_of(operation)))
    items = result_items(resp)
    assert len(items) == 1, f"expected 1 batch item, got {resp}"
    status = value(items[0], "ResultStatus")
    assert status == "Success", (
        f"{operation['tag']}: {status} {value(items[0], 'ResultReason')}: "
        f"{value(items[0], 'ResultMessage')}")
    payload = find(items[0], "ResponsePayload")
    assert payload is not None, f"{operation['tag']}: Success without ResponsePayload: {resp}"
    return payload


# ---------------------------------------------------------------------------------------------
# Answers
# ---------------------------------------------------------------------------------------------

def hexval(node: Any, path: str) -> str:
    v = value(node, path)
    assert isinstance(v, str), f"{path}: expected a hex ByteString, got {v!r} in {node!r}"
    return v.lower()


def uids_of(body: Any) -> list[str]:
    """The UniqueIdentifier children of a Locate (or any) answer."""
    return [c["value"] for c in (body.get("value", []) if isinstance(body, dict) else [])
            if isinstance(c, dict) and c.get("tag") == "UniqueIdentifier"]


KEY_OBJECT_TAGS = ("SymmetricKey", "PrivateKey", "PublicKey", "SecretData", "Object")


def key_block(get_response: Any) -> dict | None:
    """The KeyBlock of a Get/Export answer, whatever the object's tag."""
    for tag in KEY_OBJECT_TAGS:
        block = find(get_response, f"{tag}/KeyBlock")
        if block is not None:
            return block
    return None


def vendor_attribute(attributes: Any, name: str, vendor: str = VENDOR) -> Any:
    """The value of vendor/name among Attribute / VendorAttribute / VendorAttributes nodes found
    anywhere below `attributes` (TextString as text, ByteString decoded as UTF-8); None if absent."""
    stack = [attributes]
    while stack:
        node = stack.pop()
        if not isinstance(node, dict):
            continue
        if node.get("tag") in ("Attribute", "VendorAttribute") and value(node, "AttributeName") == name \
                and value(node, "VendorIdentification") == vendor:
            v = find(node, "AttributeValue")
            if v is None:
                return None
            if v.get("type") == "ByteString":
                return bytes.fromhex(v["value"]).decode("utf-8", errors="replace")
            return v.get("value")
        stack.extend(children(node))
    return None
