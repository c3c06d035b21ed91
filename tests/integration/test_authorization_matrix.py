#!/usr/bin/env python3
"""Authorization matrix against a real kmsd:

    test_authorization_matrix.py --kmsd BUILD/core/kmsd [-v]

Four users authenticate with JWTs (HS256, JWKS from a file):
  owner     creates every object, and may do everything with it;
  grantee   holds GRANTEE_RIGHTS directly (and, like everyone, the "*" rights);
  anyone    holds only the rights granted to "*" (STAR_RIGHTS);
  stranger  works on objects whose owner granted nothing to "*": holds nothing.
Every KMIP operation that names an object x every kind of object (AES key, RSA private key,
RSA public key) x every user is one cell: an allowed cell must not answer "not found"; a
refused cell must answer exactly what a missing object answers (same status, same text), so
that a user without the right learns nothing. Locate must return only what the user may see.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import unittest
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
from credentials import HmacJwtKey, JwtUsers, bearer, claims, jwks  # noqa: E402
from kmip_requests import AES_GCM, PAST, create_aes, name_attribute, revoke, uid_op  # noqa: E402
from kmsd import Kmsd, b, default_binary, dt, e, i, st, t, value  # noqa: E402
from servers import kmip_as, main, rest_as  # noqa: E402

ISSUER = "https://idp.matrix.test"
AUDIENCE = "kmsd-matrix"
USERS = ("owner", "grantee", "anyone", "stranger")
GRANTEE_RIGHTS = {"get", "encrypt", "sign", "addattribute", "revoke", "destroy"}
STAR_RIGHTS = {"export", "decrypt", "signatureverify", "activate", "setattribute"}
RSA_PARAMS = st("CryptographicParameters", e("PaddingMethod", "PSS"),
                e("HashingAlgorithm", "SHA_256"), e("CryptographicAlgorithm", "RSA"))


# operation -> (right it needs, payload builder, mutates the object)
OPERATIONS = {
    "Get": ("get", lambda uid: uid_op("Get", uid), False),
    "Export": ("export", lambda uid: uid_op("Export", uid), False),
    "GetAttributes": ("getattributes", lambda uid: uid_op("GetAttributes", uid), False),
    "GetAttributeList": ("getattributes", lambda uid: uid_op("GetAttributeList", uid), False),
    "Encrypt": ("encrypt", lambda uid: uid_op("Encrypt", uid, AES_GCM, b("Data", b"matrix")), False),
    "Decrypt": ("decrypt", lambda uid: uid_op("Decrypt", uid, AES_GCM, b("Data", b"\x00" * 16),
                                              b("IVCounterNonce", b"\x00" * 12),
                                              b("AuthenticatedEncryptionTag", b"\x00" * 16)), False),
    "Sign": ("sign", lambda uid: uid_op("Sign", uid, RSA_PARAMS, b("Data", b"matrix")), False),
    "SignatureVerify": ("signatureverify", lambda uid: uid_op(
        "SignatureVerify", uid, RSA_PARAMS, b("Data", b"matrix"), b("SignatureData", b"\x01" * 256)), False),
    "AddAttribute": ("addattribute", lambda uid: uid_op(
        "AddAttribute", uid, st("NewAttribute", name_attribute("added-" + uuid.uuid4().hex))), True),
    "SetAttribute": ("setattribute", lambda uid: uid_op(
        "SetAttribute", uid, st("NewAttribute", t("ContactInformation", "ops@example.com"))), True),
    "ModifyAttribute": ("modifyattribute", lambda uid: uid_op(
        "ModifyAttribute", uid, st("NewAttribute", t("ContactInformation", "new@example.com"))), True),
    "DeleteAttribute": ("deleteattribute", lambda uid: uid_op(
        "DeleteAttribute", uid, st("CurrentAttribute", t("ContactInformation", "x@example.com"))), True),
    "Activate": ("activate", lambda uid: uid_op("Activate", uid), True),
    "Revoke": ("revoke", lambda uid: revoke(uid), True),
    "Destroy": ("destroy", lambda uid: uid_op("Destroy", uid), True),
}
KINDS = ("aes", "rsa-private", "rsa-public")


def allowed(user: str, right: str) -> bool:
    held = {"owner": None, "grantee": GRANTEE_RIGHTS | STAR_RIGHTS, "anyone": STAR_RIGHTS,
            "stranger": set()}[user]
    if held is None:
        return True
    return right in held or (right == "getattributes" and "get" in held)


class AuthorizationMatrix(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = Path(tempfile.mkdtemp(prefix="kmsd-matrix-"))
        cls.users = JwtUsers(cls.tmp, "matrix", ISSUER, AUDIENCE, USERS)
        cls.kmsd = Kmsd(default_binary(), extra_args=cls.users.args()).__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.kmsd.__exit__(None, None, None)
        shutil.rmtree(cls.tmp, ignore_errors=True)

    # -- requests --------------------------------------------------------------------------

    def call(self, user: str, node: dict) -> tuple[int, object]:
        return kmip_as(self.kmsd, node, self.users.headers(user))

    def rest(self, user: str, method: str, path: str, obj: object | None = None):
        return rest_as(self.kmsd, method, path, obj, self.users.headers(user))[:2]

    def ok(self, user: str, node: dict) -> dict:
        status, body = self.call(user, node)
        self.assertEqual(status, 200, f"{node['tag']} as {user}: {body}")
        return body

    def new_objects(self, star: bool) -> dict[str, str]:
        """One object of each kind, owned by `owner`, with the grants of the matrix."""
        aes = value(self.ok("owner", create_aes(t("ContactInformation", "x@example.com"))), "UniqueIdentifier")
        pair = self.ok("owner", st(
            "CreateKeyPair",
            st("CommonAttributes", e("CryptographicAlgorithm", "RSA"), i("CryptographicLength", 2048),
               dt("ActivationDate", PAST), t("ContactInformation", "x@example.com")),
            st("PrivateKeyAttributes", i("CryptographicUsageMask", "Sign|Decrypt")),
            st("PublicKeyAttributes", i("CryptographicUsageMask", "Verify|Encrypt"))))
        uids = {"aes": aes, "rsa-private": value(pair, "PrivateKeyUniqueIdentifier"),
                "rsa-public": value(pair, "PublicKeyUniqueIdentifier")}
        for uid in uids.values():
            grants = [("grantee", GRANTEE_RIGHTS)] + ([("*", STAR_RIGHTS)] if star else [])
            for who, rights in grants:
                status, body = self.rest("owner", "POST", "/access/grant", {
                    "unique_identifier": uid, "user_id": who, "operation_types": sorted(rights)})
                self.assertEqual(status, 200, body)
        return uids

    def missing_answer(self, user: str, op: str) -> tuple[int, object]:
        """What `user` gets for `op` on an object that does not exist (uid placeholder X)."""
        ghost = str(uuid.uuid4())
        status, body = self.call(user, OPERATIONS[op][1](ghost))
        return status, str(body).replace(ghost, "X")

    # -- the matrix ------------------------------------------------------------------------

    def test_every_operation_kind_and_user(self):
        shared = {True: self.new_objects(star=True), False: self.new_objects(star=False)}
        cells = refused_cells = 0
        failures: list[str] = []
        for op, (right, build, mutates) in OPERATIONS.items():
            for user in USERS:
                with_star = user != "stranger"
                # A mutating operation allowed to one user must not change what the next sees.
                uids = self.new_objects(with_star) if mutates else shared[with_star]
                for kind in KINDS:
                    uid = uids[kind]
                    status, body = self.call(user, build(uid))
                    cells += 1
                    text = str(body).replace(uid, "X")
                    if allowed(user, right):
                        # Past the access check an operation may still fail for what the key
                        # is (usage mask, state): any answer but a refusal counts.
                        if status in (401, 404) or text.startswith("permission_denied"):
                            failures.append(f"{op} {kind} {user}: allowed but HTTP {status} {text[:120]}")
                    else:
                        refused_cells += 1
                        if status == 200:
                            failures.append(f"{op} {kind} {user}: UNAUTHORIZED SUCCESS")
                        elif (status, text) != self.missing_answer(user, op):
                            failures.append(f"{op} {kind} {user}: refusal differs from a missing "
                                            f"object: HTTP {status} {text[:120]}")
        self.assertEqual(failures, [], "\n".join(failures))
        self.assertEqual(cells, len(OPERATIONS) * len(KINDS) * len(USERS))
        self.assertGreater(refused_cells, 0)

    def test_owner_operations_succeed(self):
        """The owner's cells are real successes where the operation fits the kind."""
        uids = self.new_objects(star=True)
        self.ok("owner", OPERATIONS["Get"][1](uids["aes"]))
        self.ok("owner", OPERATIONS["Encrypt"][1](uids["aes"]))
        self.ok("owner", OPERATIONS["Sign"][1](uids["rsa-private"]))
        self.ok("owner", OPERATIONS["GetAttributes"][1](uids["rsa-public"]))
        # And the grantee's: get and encrypt were granted, "*" gave export.
        self.ok("grantee", OPERATIONS["Get"][1](uids["aes"]))
        self.ok("grantee", OPERATIONS["Encrypt"][1](uids["aes"]))
        self.ok("anyone", OPERATIONS["Export"][1](uids["aes"]))

    def test_locate_returns_only_visible_objects(self):
        tag = "matrix-" + uuid.uuid4().hex
        shared_uid = value(self.ok("owner", create_aes(bits=128, mask="Encrypt", active=False, name=tag)),
                           "UniqueIdentifier")
        private_uid = value(self.ok("owner", create_aes(bits=128, mask="Encrypt", active=False, name=tag)),
                            "UniqueIdentifier")
        self.assertEqual(self.rest("owner", "POST", "/access/grant", {
            "unique_identifier": shared_uid, "user_id": "grantee",
            "operation_types": ["encrypt"]})[0], 200)

        def located(user: str) -> set[str]:
            body = self.ok(user, st("Locate", st("Attributes", name_attribute(tag))))
            return {c["value"] for c in body["value"] if c["tag"] == "UniqueIdentifier"}

        self.assertEqual(located("owner"), {shared_uid, private_uid})
        self.assertEqual(located("grantee"), {shared_uid})
        self.assertEqual(located("stranger"), set())

    def test_access_routes(self):
        uids = self.new_objects(star=True)
        uid = uids["aes"]
        status, listing = self.rest("owner", "GET", f"/access/list/{uid}")
        self.assertEqual(status, 200)
        self.assertEqual({e_["user_id"]: set(e_["operations"]) for e_ in listing},
                         {"grantee": GRANTEE_RIGHTS, "*": STAR_RIGHTS})
        # Not the owner: the same 404 as a missing object, for every access route.
        ghost = str(uuid.uuid4())
        for user in ("grantee", "stranger"):
            s1, b1 = self.rest(user, "GET", f"/access/list/{uid}")
            s2, b2 = self.rest(user, "GET", f"/access/list/{ghost}")
            self.assertEqual((s1, str(b1).replace(uid, "X")), (s2, str(b2).replace(ghost, "X")))
            s3, b3 = self.rest(user, "POST", "/access/grant", {
                "unique_identifier": uid, "user_id": user, "operation_types": ["get"]})
            self.assertEqual((s3, str(b3).replace(uid, "X")), (s2, str(b2).replace(ghost, "X")))
        status, owned = self.rest("owner", "GET", "/access/owned")
        self.assertEqual(status, 200)
        self.assertIn(uid, {o["object_id"] for o in owned})
        status, obtained = self.rest("grantee", "GET", "/access/obtained")
        self.assertEqual(status, 200)
        mine = {o["object_id"]: o for o in obtained}
        self.assertEqual(set(mine[uid]["operations"]), GRANTEE_RIGHTS)
        self.assertEqual(mine[uid]["owner_id"], "owner")
        # Revoke removes the right at once.
        self.ok("grantee", OPERATIONS["Get"][1](uid))
        self.assertEqual(self.rest("owner", "POST", "/access/revoke", {
            "unique_identifier": uid, "user_id": "grantee", "operation_types": ["get"]})[0], 200)
        self.assertEqual(self.call("grantee", OPERATIONS["Get"][1](uid))[0], 404)
        # Unknown right names are refused.
        status, _ = self.rest("owner", "POST", "/access/grant", {
            "unique_identifier": uid, "user_id": "grantee", "operation_types": ["fly"]})
        self.assertEqual(status, 400)
        status, me = self.rest("stranger", "GET", "/me")
        self.assertEqual((status, me["user_id"]), (200, "stranger"))


class PrivilegedUsers(unittest.TestCase):
    def test_only_privileged_users_create_and_grant(self):
        tmp = Path(tempfile.mkdtemp(prefix="kmsd-priv-"))
        try:
            key = HmacJwtKey("priv")
            (tmp / "jwks.json").write_text(jwks(key))
            with Kmsd(default_binary(), extra_args=[
                    "--jwt-auth-provider", f"{ISSUER},{tmp / 'jwks.json'}",
                    "--privileged-users", "boss,deputy"]) as k:
                def call(user, node):
                    return kmip_as(k, node, bearer(key.token(claims(ISSUER, user))))
                create = create_aes(bits=128, mask="Encrypt", active=False)
                status, body = call("worker", create)
                self.assertEqual(status, 403, body)
                status, body = call("boss", create)
                self.assertEqual(status, 200, body)
                uid = value(body, "UniqueIdentifier")
                status, _, _ = k.request("POST", "/access/grant", json.dumps({
                    "unique_identifier": uid, "user_id": "worker", "operation_types": ["get"]}).encode(),
                    bearer(key.token(claims(ISSUER, "boss"))))
                self.assertEqual(status, 200)
                self.assertEqual(call("worker", uid_op("Get", uid))[0], 200)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
