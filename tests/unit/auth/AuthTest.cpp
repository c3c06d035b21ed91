#include <Poco/Base64Encoder.h>
#include <Poco/JWT/Signer.h>
#include <Poco/JWT/Token.h>
#include <doctest/doctest.h>
#include <malloc.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "kms/auth/AccessPolicy.hpp"
#include "kms/auth/ApiTokenAuthenticator.hpp"
#include "kms/auth/ApiTokens.hpp"
#include "kms/auth/AuthenticationError.hpp"
#include "kms/auth/AuthenticatorChain.hpp"
#include "kms/auth/JwtAuthenticator.hpp"
#include "kms/store/sqlite/SqliteStore.hpp"
#include "support/TempDir.hpp"

using kms::auth::AccessPolicy;
using kms::auth::ApiTokens;
using kms::auth::AuthenticationError;
using kms::auth::Credentials;
using kms::auth::JwtAuthenticator;

namespace {

using TempDirectory = kms::test::TempDir;

std::string base64url(const std::string& bytes) {
  std::ostringstream out;
  Poco::Base64Encoder encoder(out, Poco::BASE64_URL_ENCODING | Poco::BASE64_NO_PADDING);
  encoder << bytes;
  encoder.close();
  return out.str();
}

Credentials bearer(const std::string& token) {
  Credentials credentials;
  credentials.bearer = token;
  return credentials;
}

std::string hs256(const std::string& secret, const std::string& kid, const std::string& issuer, long lifetime,
                  const std::string& user = "alice@example.com") {
  Poco::JWT::Token token;
  token.setType("JWT");
  token.header().set("kid", kid);
  token.setIssuer(issuer);
  token.payload().set("email", user);
  token.payload().set("exp", static_cast<Poco::Int64>(Poco::Timestamp().epochTime() + lifetime));
  Poco::JWT::Signer signer(secret);
  return signer.sign(token, Poco::JWT::Signer::ALGO_HS256);
}

void writeJwks(const std::filesystem::path& path, const std::string& kid, const std::string& secret) {
  std::ofstream(path) << R"({"keys": [{"kty": "oct", "kid": ")" << kid << R"(", "k": ")" << base64url(secret)
                      << R"("}, {"kty": "RSA", "kid": "tiny", "n": "AQAB", "e": "AQAB"}]})";
}

}  // namespace

TEST_CASE("API tokens: issued once, verified by hash, revoked") {
  TempDirectory directory;
  kms::store::SqliteStore store(directory.path() / "db");
  ApiTokens tokens(store);
  const auto issued = tokens.issue("svc");
  CHECK(issued.token.starts_with("kms_" + issued.id + "."));
  CHECK(tokens.verify(issued.token) == "svc");

  kms::auth::ApiTokenAuthenticator authenticator(tokens);
  CHECK(authenticator.authenticate(bearer(issued.token)) == std::optional<std::string>("svc"));
  CHECK_FALSE(authenticator.authenticate(bearer("eyJhbGciOi.x.y")).has_value());  // a JWT: not ours
  CHECK_FALSE(authenticator.authenticate(Credentials{}).has_value());

  std::string wrong = issued.token;
  wrong.back() = wrong.back() == 'A' ? 'B' : 'A';
  CHECK_THROWS_AS((void)tokens.verify(wrong), AuthenticationError);
  CHECK_THROWS_AS((void)tokens.verify("kms_short"), AuthenticationError);
  const auto stored = store.findToken(issued.id);
  REQUIRE(stored.has_value());
  CHECK(stored->hash.size() == 32);

  CHECK(tokens.revoke(issued.id));
  CHECK_FALSE(tokens.revoke(issued.id));
  CHECK_THROWS_WITH_AS((void)tokens.verify(issued.token), ("revoked API token " + issued.id).c_str(),
                       AuthenticationError);
  REQUIRE(tokens.list().size() == 1);
  CHECK(tokens.list()[0].revokedMicros.has_value());
}

TEST_CASE("JWT: issuer, signature, expiry; unknown kid refetches the JWKS") {
  TempDirectory directory;
  const auto jwksPath = directory.path() / "jwks.json";
  writeJwks(jwksPath, "k1", "first secret of thirty-two bytes!");
  kms::config::JwtProvider provider{"https://idp.test", jwksPath.string(), {}};
  JwtAuthenticator authenticator({provider}, "email", std::chrono::seconds(0));

  CHECK(authenticator.authenticate(bearer(hs256("first secret of thirty-two bytes!", "k1", "https://idp.test", 60))) ==
        std::optional<std::string>("alice@example.com"));
  CHECK_THROWS_AS(authenticator.authenticate(bearer(hs256("first secret of thirty-two bytes!", "k1", "https://x", 60))),
                  AuthenticationError);
  CHECK_THROWS_AS(
      authenticator.authenticate(bearer(hs256("first secret of thirty-two bytes!", "k1", "https://idp.test", -600))),
      AuthenticationError);
  CHECK_THROWS_AS(authenticator.authenticate(bearer(hs256("another secret", "k1", "https://idp.test", 60))),
                  AuthenticationError);
  CHECK_FALSE(authenticator.authenticate(bearer("kms_0123456789abcdef.x")).has_value());

  // The provider rotates: the new kid is not known yet, the set is fetched again.
  writeJwks(jwksPath, "k2", "second secret of thirty-two bytes");
  CHECK(authenticator.authenticate(bearer(hs256("second secret of thirty-two bytes", "k2", "https://idp.test", 60))) ==
        std::optional<std::string>("alice@example.com"));
}

// Found by tests/fuzz (fuzz_jwt): a NumericDate beyond int64 was converted with undefined
// behaviour; on x86 "nbf": 1e308 became INT64_MIN and a token not valid for ages was accepted.
TEST_CASE("JWT: NumericDates beyond any representable time are refused, not wrapped") {
  TempDirectory directory;
  const auto jwksPath = directory.path() / "jwks.json";
  const std::string secret = "first secret of thirty-two bytes!";
  writeJwks(jwksPath, "k1", secret);
  JwtAuthenticator authenticator({kms::config::JwtProvider{"https://idp.test", jwksPath.string(), {}}}, "email");
  const auto signedWith = [&](const std::string& claim, double value) {
    Poco::JWT::Token token;
    token.setIssuer("https://idp.test");
    token.payload().set("email", std::string("alice@example.com"));
    token.payload().set("exp", static_cast<Poco::Int64>(Poco::Timestamp().epochTime() + 60));
    token.payload().set(claim, value);
    return Poco::JWT::Signer(secret).sign(token, Poco::JWT::Signer::ALGO_HS256);
  };
  for (const double far : {1e308, 9.3e18, -1e308, -9.3e18}) {
    CAPTURE(far);
    CHECK_THROWS_AS(authenticator.authenticate(bearer(signedWith("nbf", far))), AuthenticationError);
    CHECK_THROWS_AS(authenticator.authenticate(bearer(signedWith("exp", far))), AuthenticationError);
  }
  CHECK(authenticator.authenticate(bearer(signedWith("nbf", 1e9))) == std::optional<std::string>("alice@example.com"));
}

// Found by tests/fuzz (fuzz_jwt): Poco leaks an ECDSA_SIG for every ES256 signature shorter
// than two bytes, so unauthenticated tokens would hold memory for good. mallinfo2 sees the
// leak in the plain build; in the ASan build (where it reads nothing) LeakSanitizer does.
TEST_CASE("JWT: an ES256 token with a truncated signature is refused and holds no memory") {
  TempDirectory directory;
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey(EVP_EC_gen("P-256"), &EVP_PKEY_free);
  REQUIRE(pkey);
  const auto coordinate = [&](const char* name) {
    BIGNUM* value = nullptr;
    REQUIRE(EVP_PKEY_get_bn_param(pkey.get(), name, &value) == 1);
    std::string bytes(32, '\0');
    BN_bn2binpad(value, reinterpret_cast<unsigned char*>(bytes.data()), 32);
    BN_free(value);
    return base64url(bytes);
  };
  const auto jwksPath = directory.path() / "jwks.json";
  std::ofstream(jwksPath) << R"({"keys": [{"kty": "EC", "kid": "ec", "crv": "P-256", "x": ")"
                          << coordinate(OSSL_PKEY_PARAM_EC_PUB_X) << R"(", "y": ")"
                          << coordinate(OSSL_PKEY_PARAM_EC_PUB_Y) << R"("}]})";
  JwtAuthenticator authenticator({kms::config::JwtProvider{"https://idp.test", jwksPath.string(), {}}}, "email");

  Poco::JWT::Token token;
  token.header().set("kid", std::string("ec"));
  token.setIssuer("https://idp.test");
  token.payload().set("email", std::string("alice@example.com"));
  token.payload().set("exp", static_cast<Poco::Int64>(Poco::Timestamp().epochTime() + 60));
  Poco::JWT::Signer signer(
      Poco::SharedPtr<Poco::Crypto::ECKey>(new Poco::Crypto::ECKey(Poco::Crypto::EVPPKey(pkey.get()))));
  const std::string valid = signer.sign(token, Poco::JWT::Signer::ALGO_ES256);
  CHECK(authenticator.authenticate(bearer(valid)) == std::optional<std::string>("alice@example.com"));

  const std::string unsignedPart = valid.substr(0, valid.rfind('.') + 1);
  for (const std::string& signature : {std::string(), std::string("AA"), std::string("AAA"), std::string(84, 'A'),
                                       std::string(88, 'A'), valid.substr(valid.rfind('.') + 1) + "."}) {
    CAPTURE(signature);
    CHECK_THROWS_AS(authenticator.authenticate(bearer(unsignedPart + signature)), AuthenticationError);
  }

  const auto inUse = [] { return mallinfo2().uordblks; };
  const std::size_t before = inUse();
  for (int n = 0; n < 20'000; ++n) {
    try {
      (void)authenticator.authenticate(bearer(unsignedPart + "AA"));
    } catch (const AuthenticationError&) {
    }
  }
  CHECK(inUse() <= before + 64 * 1024);  // the leak held 20,000 x 32 bytes
}

TEST_CASE("JWKS: keys of unsupported kinds are skipped, weak RSA refused") {
  const auto keys = kms::auth::JwksCache::parse(
      R"({"keys": [{"kty": "oct", "kid": "a", "k": "c2VjcmV0"}, {"kty": "RSA", "kid": "b", "n": "AQAB", "e": "AQAB"},
                   {"kty": "OKP", "kid": "c"}, {"kty": "EC", "kid": "d", "crv": "P-384", "x": "AA", "y": "AA"}]})");
  REQUIRE(keys.size() == 1);
  CHECK(keys[0]->kid() == "a");
  CHECK(keys[0]->algorithm() == "HS256");
  CHECK_THROWS(kms::auth::JwksCache::parse(R"({"nokeys": []})"));
}

TEST_CASE("access policy") {
  const AccessPolicy open;
  CHECK(open.mayCreate("anyone"));
  CHECK(open.mayGrant("alice", "alice"));
  CHECK_FALSE(open.mayGrant("bob", "alice"));
  // Token administration is configured, never a name: the default user's name is no role.
  CHECK_FALSE(open.isAdministrator("admin"));
  CHECK_FALSE(open.isAdministrator("alice"));

  const AccessPolicy restricted({"boss"}, "admin");
  CHECK(restricted.mayCreate("boss"));
  CHECK_FALSE(restricted.mayCreate("alice"));
  CHECK_FALSE(restricted.mayGrant("alice", "alice"));
  CHECK(restricted.mayGrant("boss", "boss"));
  CHECK(restricted.isAdministrator("boss"));
  CHECK_FALSE(restricted.isAdministrator("admin"));

  AccessPolicy::Settings settings;
  settings.privilegedUsers = {"boss", "chief"};
  settings.authenticationConfigured = true;
  settings.hsmAdmins = {{"hsm::softhsm2", {"admin"}}, {"hsm::softhsm2_1", {"ops", "chief"}}};
  settings.metricsReaders = {"prometheus"};
  const AccessPolicy roles(settings);
  CHECK(roles.rolesOf("admin") == std::set<std::string>{"default_username", "hsm_admin of hsm::softhsm2"});
  CHECK(roles.rolesOf("chief") == std::set<std::string>{"hsm_admin of hsm::softhsm2_1", "privileged_users"});
  CHECK(roles.rolesOf("svc").empty());
  // A privileged user who is no HSM admin may issue tokens for role-less and privileged users,
  // never for an HSM admin or the default user; an HSM admin for admins of the same HSM only.
  CHECK(roles.rolesBeyond("svc", "boss").empty());
  CHECK(roles.rolesBeyond("chief", "chief").empty());
  CHECK(roles.rolesBeyond("boss", "chief").empty());
  CHECK(roles.rolesBeyond("admin", "boss") ==
        std::vector<std::string>{"default_username", "hsm_admin of hsm::softhsm2"});
  CHECK(roles.rolesBeyond("ops", "boss") == std::vector<std::string>{"hsm_admin of hsm::softhsm2_1"});
  CHECK(roles.rolesBeyond("ops", "chief").empty());
  CHECK(roles.rolesBeyond("chief", "ops") == std::vector<std::string>{"privileged_users"});
  CHECK(roles.rolesBeyond("admin", "chief") ==
        std::vector<std::string>{"default_username", "hsm_admin of hsm::softhsm2"});
  // Operator routes: privileged users and HSM admins, plus the listed readers.
  CHECK(roles.mayReadHsmStatus("boss"));
  CHECK(roles.mayReadHsmStatus("ops"));
  CHECK_FALSE(roles.mayReadHsmStatus("svc"));
  CHECK_FALSE(roles.mayReadHsmStatus("prometheus"));
  CHECK(roles.mayReadMetrics("prometheus"));
  CHECK_FALSE(roles.mayReadMetrics("svc"));
  settings.hsmStatusReaders = {"*"};
  CHECK(AccessPolicy(settings).mayReadHsmStatus("svc"));
  // Without authentication the default user is every request and reads both.
  settings.authenticationConfigured = false;
  settings.hsmAdmins.clear();
  settings.privilegedUsers.clear();
  CHECK(AccessPolicy(settings).mayReadMetrics("admin"));
  CHECK(AccessPolicy(settings).mayReadHsmStatus("admin"));

  CHECK(AccessPolicy::allows({"get"}, "getattributes"));
  CHECK(AccessPolicy::allows({"get"}, "getattributelist"));
  CHECK_FALSE(AccessPolicy::allows({"getattributes"}, "get"));
  CHECK_FALSE(AccessPolicy::allows({"encrypt"}, "decrypt"));
  CHECK(AccessPolicy::isRightName("signatureverify"));
  CHECK_FALSE(AccessPolicy::isRightName("SignatureVerify"));
}

TEST_CASE("authenticator chain") {
  const kms::auth::AuthenticatorChain none({}, "admin");
  CHECK(none.authenticate(bearer("anything")) == "admin");

  TempDirectory directory;
  kms::store::SqliteStore store(directory.path() / "db");
  ApiTokens tokens(store);
  const auto issued = tokens.issue("svc");
  std::vector<std::unique_ptr<kms::auth::Authenticator>> methods;
  methods.push_back(std::make_unique<kms::auth::ApiTokenAuthenticator>(tokens));
  const kms::auth::AuthenticatorChain chain(std::move(methods), "admin");
  CHECK(chain.authenticate(bearer(issued.token)) == "svc");
  CHECK_THROWS_WITH_AS((void)chain.authenticate(Credentials{}), "no credentials", AuthenticationError);
  CHECK_THROWS_AS((void)chain.authenticate(bearer("eyJ.a.b")), AuthenticationError);
  Credentials basic;
  basic.otherAuthorization = true;
  CHECK_THROWS_AS((void)chain.authenticate(basic), AuthenticationError);
  // A token issued for the default user's name is that name, nothing more (no fallback).
  const auto named = tokens.issue("admin");
  CHECK(chain.authenticate(bearer(named.token)) == "admin");
}
