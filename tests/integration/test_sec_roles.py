#!/usr/bin/env python3
"""Issue 22, finding 9 (roles by name), each attack performed against a real kmsd with real
SoftHSM2 tokens, JWT users and API tokens:

    test_sec_roles.py --kmsd BUILD/core/kmsd --plugins-dir BUILD/plugins [-v]

- A privileged user (token administrator) who is no HSM admin mints an API token for "admin"
  (the documented default hsm_admin) and uses it to create keys in the HSM and to use an HSM
  key: refused at the issue, so neither works. More generally a token is only issued for a user
  whose roles (privileged, hsm_admin of each HSM, default user) the issuer holds all of.
- Token administration is configuration: "admin" by name administers nothing, and API tokens
  without privileged_users are a configuration error.
- The default user is unreachable once authentication is configured (force_default_username
  refused, no credentials = 401 everywhere).
- /hsm/status and /metrics are refused to users without an operator role, unless listed in
  hsm_status_readers / metrics_readers; metrics_loopback_unauthenticated opens /metrics to
  loopback peers only.
- HSM Create/CreateKeyPair and POST /admin/rewrap answer a real instance or slot the caller does
  not administer exactly like an unknown one.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))

from kmip_requests import create_hsm_aes, create_hsm_rsa, uid_op  # noqa: E402
from servers import ARGS, main, non_loopback_address, rest_as  # noqa: E402
from credentials import JwtUsers, bearer  # noqa: E402
from kmsd import Kmsd, b, default_binary, http_request, st, t  # noqa: E402
from softhsm import SoftHsm  # noqa: E402

ISSUER = "https://idp.roles.test"
AUDIENCE = "kmsd-roles"
ADMIN = "admin"            # hsm_admin of the first instance by the documented default; the default user's name
TOKEN_ADMIN = "tokenadmin"  # privileged (administers API tokens), no HSM role
BOSS = "boss"              # privileged and hsm_admin of the second instance
OPS = "ops"                # hsm_admin of the second instance only
CAROL = "carol"            # no role at all
USERS = (ADMIN, TOKEN_ADMIN, BOSS, OPS, CAROL, "dave")
UNKNOWN_SLOT = 977

CONFIG = """
plugins_dir = "{plugins}"
api_token_auth = true
privileged_users = ["{token_admin}", "{boss}"]
{more}
[idp_auth]
jwt_auth_provider = ["{issuer},{jwks},{audience}"]

[[hsm_instances]]
hsm_model = "softhsm2"
hsm_slot = [{s0}]
hsm_password = ["{pin}"]

[[hsm_instances]]
hsm_model = "softhsm2"
hsm_admin = ["{ops}", "{boss}"]
hsm_slot = [{s1}]
hsm_password = ["{pin}"]
"""


class Roles(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = Path(tempfile.mkdtemp(prefix="kmsd-sec-roles-"))
        cls.hsm = SoftHsm(tokens=2, label_prefix="roles").start()
        cls.s0, cls.s1 = (tok.slot_id for tok in cls.hsm.tokens)
        cls.users = JwtUsers(cls.tmp, "roles", ISSUER, AUDIENCE, USERS)
        cls.jwts = cls.users.tokens
        cls.kmsd = Kmsd(default_binary(), config_text=cls.config()).__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.kmsd.__exit__(None, None, None)
        cls.hsm.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    @classmethod
    def config(cls, more: str = "") -> str:
        return CONFIG.format(plugins=ARGS.plugins_dir, token_admin=TOKEN_ADMIN, boss=BOSS, ops=OPS, more=more,
                             issuer=ISSUER, jwks=cls.users.jwks_path, audience=AUDIENCE, s0=cls.s0, s1=cls.s1,
                             pin=cls.hsm.tokens[0].pin)

    # -- requests --------------------------------------------------------------------------

    def auth(self, who: str) -> dict:
        """Authorization header of a JWT user (a name in USERS) or of an API token (kms_...)."""
        return bearer(who if who.startswith("kms_") else self.jwts[who])

    def rest(self, who: str | None, method: str, path: str, obj=None, k: Kmsd | None = None):
        return rest_as(k or self.kmsd, method, path, obj, self.auth(who) if who is not None else {})[:2]

    def call(self, who: str, node: dict, k: Kmsd | None = None):
        return self.rest(who, "POST", "/kmip/2_1", node, k)

    def issue(self, issuer: str, user: str):
        return self.rest(issuer, "POST", "/tokens", {"user": user})

    # -- attacks ---------------------------------------------------------------------------

    def test_token_admin_cannot_mint_a_token_for_the_hsm_admin(self):
        # The HSM admin's key the attacker is after.
        target = f"hsm::softhsm2::{self.s0}::admins-key"
        status, body = self.call(ADMIN, create_hsm_aes(target))
        self.assertEqual(status, 200, body)
        self.addCleanup(self.call, ADMIN, uid_op("Destroy", target))
        # The attack: a token administrator who is no HSM admin mints a token for "admin".
        status, issued = self.issue(TOKEN_ADMIN, ADMIN)
        if status == 200:
            stolen = issued["token"]
            created, body = self.call(stolen, create_hsm_aes(f"hsm::softhsm2::{self.s0}::by-stolen-token"))
            used, _ = self.call(stolen, st("Encrypt", t("UniqueIdentifier", target), b("Data", b"x" * 16)))
            self.fail(f"a token administrator minted a token for the HSM admin: HSM Create with it -> "
                      f"{created}, Encrypt with the admin's HSM key -> {used}")
        self.assertEqual(status, 403, issued)
        self.assertTrue(str(issued).startswith("permission_denied:"), issued)
        self.assertIn("hsm_admin of hsm::softhsm2", str(issued))
        # Nor does the attacker reach the key or the HSM directly.
        self.assertEqual(self.call(TOKEN_ADMIN, st("Encrypt", t("UniqueIdentifier", target),
                                                   b("Data", b"x" * 16)))[0], 404)
        self.assertEqual(self.call(TOKEN_ADMIN, create_hsm_aes(f"hsm::softhsm2::{self.s0}::by-tokenadmin"))[0], 403)
        self.assertIn(f"refused an API token for {ADMIN}", self.kmsd.log_text())

    def test_tokens_only_for_users_with_no_role_beyond_the_issuer(self):
        # (issuer, user, issued?): roles are privileged_users, hsm_admin per HSM, default_username.
        cases = [
            (TOKEN_ADMIN, "svc", True),          # no role
            (TOKEN_ADMIN, CAROL, True),
            (TOKEN_ADMIN, TOKEN_ADMIN, True),    # oneself
            (TOKEN_ADMIN, OPS, False),           # hsm_admin of hsm::softhsm2_1
            (TOKEN_ADMIN, BOSS, False),          # privileged too, but also hsm_admin of hsm::softhsm2_1
            (TOKEN_ADMIN, ADMIN, False),         # hsm_admin of hsm::softhsm2, default user
            (BOSS, OPS, True),                   # same HSM role, and more
            (BOSS, TOKEN_ADMIN, True),           # both privileged
            (BOSS, ADMIN, False),                # another HSM's admin
            (OPS, "svc", False),                 # not privileged: no token administration at all
            (ADMIN, "svc", False),               # "admin" by name administers nothing
        ]
        tokens = {}
        for issuer, user, allowed in cases:
            with self.subTest(issuer=issuer, user=user):
                status, body = self.issue(issuer, user)
                self.assertEqual(status, 200 if allowed else 403, body)
                if allowed:
                    tokens[(issuer, user)] = body["token"]
        # The tokens act as their users, no more: ops's token (from boss) creates on ops's HSM only.
        ops_token = tokens[(BOSS, OPS)]
        mine = f"hsm::softhsm2_1::{self.s1}::by-ops-token"
        status, body = self.call(ops_token, create_hsm_aes(mine))
        self.assertEqual(status, 200, body)
        self.call(ops_token, uid_op("Destroy", mine))
        self.assertEqual(self.call(ops_token, create_hsm_aes(f"hsm::softhsm2::{self.s0}::by-ops-token"))[0], 403)
        status, me = self.rest(tokens[(TOKEN_ADMIN, "svc")], "GET", "/me")
        self.assertEqual((status, me["user_id"], me["is_token_admin"]), (200, "svc", False))

    def test_admin_by_name_administers_no_tokens(self):
        status, me = self.rest(ADMIN, "GET", "/me")
        self.assertEqual((status, me["user_id"], me["is_token_admin"]), (200, ADMIN, False))
        self.assertEqual(self.rest(ADMIN, "GET", "/tokens")[0], 403)
        # Without privileged_users, old kmsd made whoever is *named* like the default user the
        # token administrator. Now nobody would be one: the configuration is refused.
        config = (f'api_token_auth = true\n[idp_auth]\njwt_auth_provider = '
                  f'["{ISSUER},{self.tmp / "jwks.json"},{AUDIENCE}"]\n')
        k = Kmsd(default_binary(), config_text=config)
        try:
            k.start()
        except RuntimeError:
            pass
        else:
            status, _ = self.rest(ADMIN, "POST", "/tokens", {"user": "svc"}, k)
            k.cleanup()
            self.fail(f"kmsd started with API tokens and no privileged_users; 'admin' issuing a token -> {status}")
        text = k.log_text()
        k.cleanup()
        self.assertIn("set privileged_users", text)

    def test_default_user_is_unreachable_with_authentication(self):
        # No credential, or a credential of no enabled kind, never falls back to the default user.
        for path, method in (("/me", "GET"), ("/hsm/status", "GET"), ("/metrics", "GET"), ("/tokens", "GET")):
            with self.subTest(path=path):
                self.assertEqual(self.rest(None, method, path)[0], 401)
                status, _, _ = self.kmsd.request(method, path, None, {"Authorization": "Basic YWRtaW46"})
                self.assertEqual(status, 401)
        status, _, _ = self.kmsd.request("POST", "/kmip/2_1",
                                         json.dumps(create_hsm_aes(f"hsm::softhsm2::{self.s0}::anon")).encode())
        self.assertEqual(status, 401)
        # force_default_username would make every authenticated user "admin", the HSM admin.
        k = Kmsd(default_binary(), config_text=self.config("force_default_username = true"))
        try:
            k.start()
        except RuntimeError:
            pass
        else:
            status, me = self.rest(CAROL, "GET", "/me", k=k)
            created, _ = self.call(CAROL, create_hsm_aes(f"hsm::softhsm2::{self.s0}::carol-as-admin"), k)
            if created == 200:
                self.call(CAROL, uid_op("Destroy", f"hsm::softhsm2::{self.s0}::carol-as-admin"), k)
            k.cleanup()
            self.fail(f"kmsd started with force_default_username and authentication: carol is {me}, "
                      f"HSM Create as carol -> {created}")
        text = k.log_text()
        k.cleanup()
        self.assertIn("force_default_username: refused", text)

    def test_status_and_metrics_need_an_operator_role(self):
        svc_status, issued = self.issue(TOKEN_ADMIN, "svc-reader")
        self.assertEqual(svc_status, 200, issued)
        for who in (CAROL, issued["token"]):
            for path in ("/hsm/status", "/metrics"):
                with self.subTest(who=who[:12], path=path):
                    status, body = self.rest(who, "GET", path)
                    self.assertEqual(status, 403, f"{path} read without a role: {str(body)[:200]}")
                    self.assertTrue(str(body).startswith("permission_denied:"), body)
                    self.assertNotIn(str(self.s0), str(body))
        for who in (TOKEN_ADMIN, ADMIN, OPS):
            with self.subTest(who=who):
                status, body = self.rest(who, "GET", "/hsm/status")
                self.assertEqual(status, 200, body)
                self.assertEqual([x["prefix"] for x in body], ["hsm::softhsm2", "hsm::softhsm2_1"])
                status, body = self.rest(who, "GET", "/metrics")
                self.assertEqual(status, 200, body)
                self.assertIn("kms_key_cache_hits_total", body)

    def test_readers_are_settings(self):
        more = 'hsm_status_readers = ["carol"]\nmetrics_readers = ["*"]'
        with Kmsd(default_binary(), config_text=self.config(more)) as k:
            self.assertEqual(self.rest(CAROL, "GET", "/hsm/status", k=k)[0], 200)
            self.assertEqual(self.rest("dave", "GET", "/hsm/status", k=k)[0], 403)
            self.assertEqual(self.rest("dave", "GET", "/metrics", k=k)[0], 200)
            self.assertEqual(self.rest(None, "GET", "/metrics", k=k)[0], 401)  # "*" is authenticated users

    def test_metrics_for_loopback_scrapers_without_credentials(self):
        # Listening on every interface, so that a non-loopback address of this machine can try too.
        k = Kmsd(default_binary(), config_text=self.config("metrics_loopback_unauthenticated = true"),
                 extra_args=["--hostname", "0.0.0.0"])
        with k:
            status, body = self.rest(None, "GET", "/metrics", k=k)
            self.assertEqual(status, 200, body)
            self.assertIn("kms_key_cache_entries", body)
            self.assertEqual(self.rest(None, "GET", "/hsm/status", k=k)[0], 401)   # only /metrics
            self.assertEqual(self.rest(CAROL, "GET", "/hsm/status", k=k)[0], 403)
            address = non_loopback_address()
            if address is not None:
                status, _, _ = http_request(k.port, "GET", "/metrics", host=address)
                self.assertEqual(status, 401, f"/metrics from {address} (not loopback) answered without credentials")

    def test_hsm_create_unknown_and_forbidden_answer_alike(self):
        # For a caller who does not administer it, a real instance and slot must read exactly
        # like an unknown slot or an unknown instance (the text quotes only the UID as sent).
        def answer(who: str, uid: str, pair: bool) -> tuple[int, str]:
            status, body = self.call(who, create_hsm_rsa(uid) if pair else create_hsm_aes(uid))
            return status, str(body).replace(uid, "<uid>")

        for who, real in ((TOKEN_ADMIN, f"hsm::softhsm2::{self.s0}::probe"),
                          (OPS, f"hsm::softhsm2::{self.s0}::probe"),
                          (CAROL, f"hsm::softhsm2_1::{self.s1}::probe")):
            prefix = real.rsplit("::", 2)[0]
            unknown = [f"{prefix}::{UNKNOWN_SLOT}::probe",           # unknown slot of a real instance
                       f"hsm::nosuch::{self.s0}::probe",              # unknown instance
                       f"hsm::softhsm2_7::{self.s0}::probe"]
            for pair in (False, True):
                with self.subTest(who=who, pair=pair):
                    expected = answer(who, real, pair)
                    self.assertEqual(expected[0], 403, expected)
                    for uid in unknown:
                        self.assertEqual(answer(who, uid, pair), expected, uid)
        # The admin of an instance does learn of an unknown slot on it.
        self.assertEqual(self.call(OPS, create_hsm_aes(f"hsm::softhsm2_1::{UNKNOWN_SLOT}::probe"))[0], 404)

    def test_rewrap_unknown_and_forbidden_answer_alike(self):
        def answer(who: str, source: str, dest: str) -> tuple[int, str]:
            status, body = self.rest(who, "POST", "/admin/rewrap", {"from": source, "to": dest})
            return status, str(body)

        real = (f"hsm::softhsm2::{self.s0}::kek", f"hsm::softhsm2::{self.s0}::kek-2")
        unknown = [(f"hsm::softhsm2::{UNKNOWN_SLOT}::kek", f"hsm::softhsm2::{UNKNOWN_SLOT}::kek-2"),
                   ("hsm::nosuch::0::kek", "hsm::nosuch::0::kek-2")]
        for who in (TOKEN_ADMIN, CAROL):
            with self.subTest(who=who):
                expected = answer(who, *real)
                self.assertEqual(expected[0], 403, expected)
                for pair in unknown:
                    self.assertEqual(answer(who, *pair), expected, pair)
        # ops administers the second HSM, not the first: "to" on the first reads like "to" nowhere.
        mine = f"hsm::softhsm2_1::{self.s1}::kek"
        expected = answer(OPS, mine, real[0])
        self.assertEqual(expected[0], 403, expected)
        self.assertEqual(answer(OPS, mine, "hsm::nosuch::0::kek"), expected)
        self.assertEqual(answer(OPS, mine, f"hsm::softhsm2::{UNKNOWN_SLOT}::kek"), expected)


if __name__ == "__main__":
    main()
