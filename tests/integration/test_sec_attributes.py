#!/usr/bin/env python3
"""Issue 22, finding 2: Sensitive and Extractable cannot be switched off, and attribute values
are type-checked, against a real kmsd on a real SoftHSM2 token:

    test_sec_attributes.py --kmsd BUILD/core/kmsd --plugins-dir BUILD/plugins [-v]

The attack: the owner (ADMIN) creates a Sensitive AES key stored wrapped by an HSM key and grants
another user (BOB) get, setattribute, modifyattribute, deleteattribute and addattribute on it.
BOB tries every way of making Sensitive false (Boolean false, TextString "false", the KMIP 1.x
`Attribute {AttributeName, AttributeValue}` form, SetAttribute, ModifyAttribute, AddAttribute,
DeleteAttribute of the instance and of the reference), and after each one asks for the clear
key (Get with KeyWrapType NotWrapped, and Export). The key must never come back in clear.
Then: Sensitive false -> true and Extractable true -> false are allowed, the reverse refused;
AlwaysSensitive and NeverExtractable are the server's (no client sets, modifies or deletes them,
and a Create that states them is not believed); values of the wrong type (a BigInteger Comment,
a TextString Sensitive, a DateTime at the int64 extremes) are refused with InvalidField in
Create, Register, Import and every attribute edit.
"""

from __future__ import annotations

import json
import os
import sys
import unittest
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))

from kmip_requests import aes_object, create_aes, create_hsm_aes, get_clear, key_block  # noqa: E402
from kmsd import b, batch_item, bo, children, e, find, i, request_message, st, t, value  # noqa: E402
from servers import ADMIN, BOB, Server, main  # noqa: E402

INT64_MAX = 2**63 - 1
INT64_MIN = -(2**63)
EDIT_RIGHTS = ["get", "setattribute", "modifyattribute", "deleteattribute", "addattribute", "export"]


def attr(tag: str, typ: str, val) -> dict:
    return {"tag": tag, "type": typ, "value": val}


def legacy(name: str, val: dict, vendor: str | None = None) -> dict:
    """The KMIP 1.x form of a standard attribute."""
    return st("Attribute", t("VendorIdentification", vendor) if vendor is not None else None,
              t("AttributeName", name), dict(val, tag="AttributeValue"))


def edit(op: str, uid: str, new: dict | None = None, current: dict | None = None,
         reference: dict | None = None) -> dict:
    return st(op, t("UniqueIdentifier", uid), st("NewAttribute", new) if new is not None else None,
              st("CurrentAttribute", current) if current is not None else None, reference)


class SecAttributes(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = Server.on_softhsm("sec-attrs")
        try:
            cls.slot = cls.srv.slot
            cls.kek = f"hsm::softhsm2::{cls.slot}::kek-aes"
            status, body = cls.srv.call(create_hsm_aes(cls.kek))
            assert status == 200, f"KEK: {status} {body}"
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.srv.close(15)

    # -- requests ---------------------------------------------------------------------------

    def item(self, node: dict, user: str = ADMIN) -> dict:
        """`node` in a one-item RequestMessage: the BatchItem of the answer."""
        message = request_message(batch_item(node["tag"], node["value"]))
        status, body = self.srv.call(message, user)
        self.assertEqual(status, 200, f"{node['tag']}: HTTP {status}: {body}")
        items = children(body, "BatchItem")
        self.assertEqual(len(items), 1, body)
        return items[0]

    def ok(self, node: dict, user: str = ADMIN) -> dict:
        answer = self.item(node, user)
        self.assertEqual(value(answer, "ResultStatus"), "Success",
                         f"{node['tag']} as {user}: {value(answer, 'ResultReason')}: {value(answer, 'ResultMessage')}")
        return find(answer, "ResponsePayload")

    def refused(self, node: dict, user: str = ADMIN, reason: str | None = None) -> str:
        answer = self.item(node, user)
        self.assertEqual(value(answer, "ResultStatus"), "OperationFailed",
                         f"{node['tag']} as {user} succeeded: {json.dumps(node)[:400]}")
        if reason is not None:
            self.assertEqual(value(answer, "ResultReason"), reason,
                             f"{node['tag']}: {value(answer, 'ResultMessage')}")
        return value(answer, "ResultReason")

    def grant(self, uid: str, user: str, rights: list[str]) -> None:
        status, body, _ = self.srv.rest("POST", "/access/grant",
                                        {"unique_identifier": uid, "user_id": user, "operation_types": rights})
        self.assertEqual(status, 200, body)

    def create(self, *extra: dict, wrapped: bool = True, user: str = ADMIN) -> str:
        node = create_aes(wrapping=self.kek if wrapped else None)
        attributes = find(node, "Attributes")
        attributes["value"].extend(extra)
        return value(self.ok(node, user), "UniqueIdentifier")

    def attributes(self, uid: str) -> dict:
        return find(self.ok(st("GetAttributes", t("UniqueIdentifier", uid))), "Attributes")

    def flag(self, uid: str, tag: str):
        node = find(self.attributes(uid), tag)
        self.assertIsNotNone(node, f"{uid} has no {tag}")
        return node["type"], node["value"]

    def assert_never_clear(self, uid: str, key_attempts: str) -> None:
        """Neither Get NotWrapped nor Export gives BOB (or the owner) the key in clear."""
        for user in (BOB, ADMIN):
            for node in (get_clear(uid), st("Export", t("UniqueIdentifier", uid), e("KeyWrapType", "NotWrapped")),
                         st("Get", t("UniqueIdentifier", uid))):
                answer = self.item(node, user)
                if value(answer, "ResultStatus") == "Success":
                    block = key_block(find(answer, "ResponsePayload"))
                    self.assertIsNotNone(block, answer)
                    self.assertIsNotNone(find(block, "KeyWrappingData"),
                                         f"after {key_attempts}: {node['tag']} as {user} returned the key in clear")
                else:
                    self.assertEqual(value(answer, "ResultReason"), "Sensitive",
                                     f"after {key_attempts}: {value(answer, 'ResultMessage')}")
        self.assertEqual(self.flag(uid, "Sensitive"), ("Boolean", True), key_attempts)
        self.assertEqual(self.flag(uid, "AlwaysSensitive"), ("Boolean", True), key_attempts)

    # -- the attack ---------------------------------------------------------------------------

    def test_1_sensitive_cannot_be_switched_off(self):
        for wrapped in (True, False):
            with self.subTest(wrapped=wrapped):
                uid = self.create(bo("Sensitive", True), wrapped=wrapped)
                self.grant(uid, BOB, EDIT_RIGHTS)
                self.assert_never_clear(uid, "creation")
                false_forms = {
                    "Boolean false": bo("Sensitive", False),
                    "TextString false": t("Sensitive", "false"),
                    "Integer 0": i("Sensitive", 0),
                    "1.x form": legacy("Sensitive", bo("x", False)),
                    "1.x form, empty vendor": legacy("Sensitive", bo("x", False), vendor=""),
                    "1.x form, TextString": legacy("Sensitive", t("x", "false")),
                }
                for name, new in false_forms.items():
                    for op in ("SetAttribute", "ModifyAttribute", "AddAttribute"):
                        attempt = f"{op} Sensitive {name}"
                        with self.subTest(attempt=attempt):
                            self.refused(edit(op, uid, new), BOB)
                            self.assert_never_clear(uid, attempt)
                    with self.subTest(attempt=f"ModifyAttribute with CurrentAttribute, {name}"):
                        self.refused(edit("ModifyAttribute", uid, new, current=bo("Sensitive", True)), BOB)
                        self.assert_never_clear(uid, f"ModifyAttribute with CurrentAttribute, {name}")
                deletes = {
                    "CurrentAttribute": edit("DeleteAttribute", uid, current=bo("Sensitive", True)),
                    "CurrentAttribute 1.x": edit("DeleteAttribute", uid, current=legacy("Sensitive", bo("x", True))),
                    "AttributeReference enum": edit("DeleteAttribute", uid,
                                                    reference=e("AttributeReference", "Sensitive")),
                    "AttributeReference name": edit("DeleteAttribute", uid, reference=st(
                        "AttributeReference", t("VendorIdentification", ""), t("AttributeName", "Sensitive"))),
                }
                for name, node in deletes.items():
                    with self.subTest(attempt=f"DeleteAttribute {name}"):
                        self.refused(node, BOB)
                        self.refused(node, ADMIN)  # not even the owner: an absent Sensitive reads false
                        self.assert_never_clear(uid, f"DeleteAttribute {name}")
                # The owner is bound by the same rule.
                self.refused(edit("SetAttribute", uid, bo("Sensitive", False)), ADMIN, "AttributeReadOnly")
                self.assert_never_clear(uid, "the owner's SetAttribute")
                # Setting it to what it is stays allowed.
                self.ok(edit("SetAttribute", uid, bo("Sensitive", True)), BOB)
                self.assert_never_clear(uid, "SetAttribute Sensitive true")

    def test_2_sensitive_only_to_true_extractable_only_to_false(self):
        uid = self.create(wrapped=False)
        self.grant(uid, BOB, EDIT_RIGHTS)
        self.assertEqual(self.flag(uid, "Sensitive"), ("Boolean", False))
        self.ok(get_clear(uid), BOB)  # not sensitive yet
        self.ok(edit("SetAttribute", uid, bo("Sensitive", True)), BOB)
        self.assertEqual(self.refused(get_clear(uid), BOB), "Sensitive")
        self.assertEqual(self.flag(uid, "AlwaysSensitive"), ("Boolean", False))  # it has been false
        self.refused(edit("ModifyAttribute", uid, bo("Sensitive", False)), BOB, "AttributeReadOnly")
        self.assertEqual(self.refused(get_clear(uid), BOB), "Sensitive")

        uid = self.create(wrapped=False)
        self.grant(uid, BOB, EDIT_RIGHTS)
        self.assertEqual(self.flag(uid, "Extractable"), ("Boolean", True))
        self.assertEqual(self.flag(uid, "NeverExtractable"), ("Boolean", False))
        self.ok(edit("SetAttribute", uid, bo("Extractable", False)), BOB)
        self.assertEqual(self.refused(st("Get", t("UniqueIdentifier", uid)), BOB), "NotExtractable")
        for op in ("SetAttribute", "ModifyAttribute"):
            self.refused(edit(op, uid, bo("Extractable", True)), BOB, "AttributeReadOnly")
            self.refused(edit(op, uid, bo("Extractable", True)), ADMIN, "AttributeReadOnly")
        self.refused(edit(op, uid, t("Extractable", "true")), BOB, "InvalidField")
        self.refused(edit("DeleteAttribute", uid, reference=e("AttributeReference", "Extractable")), ADMIN)
        self.assertEqual(self.refused(st("Get", t("UniqueIdentifier", uid)), BOB), "NotExtractable")
        self.assertEqual(self.flag(uid, "NeverExtractable"), ("Boolean", False))  # it has been true

        uid = self.create(bo("Extractable", False), wrapped=False)
        self.assertEqual(self.flag(uid, "NeverExtractable"), ("Boolean", True))
        self.refused(edit("SetAttribute", uid, bo("Extractable", True)), ADMIN, "AttributeReadOnly")
        self.ok(edit("SetAttribute", uid, bo("Extractable", False)), ADMIN)
        self.assertEqual(self.refused(st("Get", t("UniqueIdentifier", uid))), "NotExtractable")
        self.assertEqual(self.flag(uid, "NeverExtractable"), ("Boolean", True))

    def test_3_always_sensitive_never_extractable_are_the_servers(self):
        uid = self.create(wrapped=False)
        self.grant(uid, BOB, EDIT_RIGHTS)
        for user in (ADMIN, BOB):
            for tag in ("AlwaysSensitive", "NeverExtractable"):
                for v in (True, False):
                    for op in ("SetAttribute", "ModifyAttribute", "AddAttribute"):
                        with self.subTest(user=user, op=op, tag=tag, value=v):
                            self.refused(edit(op, uid, bo(tag, v)), user, "AttributeReadOnly")
                with self.subTest(user=user, op="DeleteAttribute", tag=tag):
                    self.refused(edit("DeleteAttribute", uid, reference=e("AttributeReference", tag)), user,
                                 "AttributeReadOnly")
                    self.refused(edit("DeleteAttribute", uid, current=find(self.attributes(uid), tag)), user,
                                 "AttributeReadOnly")
        # A creation that states them is not believed: the server says what happened.
        uid = self.create(bo("AlwaysSensitive", True), bo("NeverExtractable", True), wrapped=False)
        self.assertEqual(self.flag(uid, "AlwaysSensitive"), ("Boolean", False))
        self.assertEqual(self.flag(uid, "NeverExtractable"), ("Boolean", False))
        imported = "sec-attrs-" + uuid.uuid4().hex
        self.ok(st("Import", t("UniqueIdentifier", imported), e("ObjectType", "SymmetricKey"),
                   bo("ReplaceExisting", False), st("Attributes", e("CryptographicAlgorithm", "AES"),
                                                    i("CryptographicLength", 128), bo("AlwaysSensitive", True),
                                                    bo("NeverExtractable", True)),
                   aes_object(os.urandom(16), "Object")))
        self.assertEqual(self.flag(imported, "AlwaysSensitive"), ("Boolean", False))
        self.assertEqual(self.flag(imported, "NeverExtractable"), ("Boolean", False))
        self.ok(get_clear(imported))

    def test_4_types_are_checked(self):
        uid = self.create(wrapped=False)
        self.grant(uid, BOB, EDIT_RIGHTS)
        wrong = {
            "BigInteger Comment": attr("Comment", "BigInteger", "0x0102030405060708"),
            "Integer Comment": i("Comment", 5),
            "TextString Sensitive": t("Sensitive", "true"),
            "Integer Extractable": i("Extractable", 0),
            "TextString ContactInformation as ByteString": b("ContactInformation", b"ops"),
            "DateTime max": attr("DeactivationDate", "DateTime", INT64_MAX),
            "DateTime min": attr("DeactivationDate", "DateTime", INT64_MIN),
            "DateTime year 10000": attr("DeactivationDate", "DateTime", 253402300800),
            "DateTimeExtended date": attr("DeactivationDate", "DateTimeExtended", INT64_MAX),
            "TextString date": t("DeactivationDate", "2030-01-01T00:00:00Z"),
            "Integer Name": i("Name", 3),
            "1.x BigInteger Comment": legacy("Comment", attr("x", "BigInteger", "0x01")),
        }
        for name, node in wrong.items():
            for op in ("SetAttribute", "AddAttribute", "ModifyAttribute"):
                with self.subTest(op=op, value=name):
                    self.refused(edit(op, uid, node), BOB, "InvalidField")
                    self.refused(edit(op, uid, node), ADMIN, "InvalidField")
            with self.subTest(op="Create", value=name):
                self.refused(st("Create", e("ObjectType", "SymmetricKey"),
                                st("Attributes", e("CryptographicAlgorithm", "AES"), i("CryptographicLength", 256),
                                   node)), ADMIN, "InvalidField")
            with self.subTest(op="Register", value=name):
                self.refused(st("Register", e("ObjectType", "SymmetricKey"),
                                st("Attributes", e("CryptographicAlgorithm", "AES"), i("CryptographicLength", 128),
                                   node), aes_object(os.urandom(16))), ADMIN, "InvalidField")
            with self.subTest(op="Import", value=name):
                self.refused(st("Import", t("UniqueIdentifier", "sec-attrs-" + uuid.uuid4().hex),
                                e("ObjectType", "SymmetricKey"), bo("ReplaceExisting", False),
                                st("Attributes", e("CryptographicAlgorithm", "AES"), i("CryptographicLength", 128),
                                   node), aes_object(os.urandom(16), "Object")), ADMIN, "InvalidField")
            with self.subTest(op="CreateKeyPair", value=name):
                self.refused(st("CreateKeyPair", st("CommonAttributes", e("CryptographicAlgorithm", "RSA"),
                                                    i("CryptographicLength", 2048)),
                                st("PrivateKeyAttributes", node)), ADMIN, "InvalidField")
        # The object is as it was; well-typed values pass.
        attrs = self.attributes(uid)
        self.assertIsNone(find(attrs, "Comment"), attrs)
        self.assertIsNone(find(attrs, "DeactivationDate"), attrs)
        self.ok(edit("SetAttribute", uid, t("Comment", "a comment")), BOB)
        self.ok(edit("SetAttribute", uid, attr("DeactivationDate", "DateTime", "9999-12-31T23:59:59Z")), BOB)
        self.ok(edit("ModifyAttribute", uid, legacy("Comment", t("x", "via 1.x"))), BOB)
        self.assertEqual(value(self.attributes(uid), "Comment"), "via 1.x")


if __name__ == "__main__":
    main()
