// [google_cse_config] and kms_public_url (issue 21): Cosmian's names from each source, the
// checks that keep a KACLS from starting half-configured, and the keys kmsd does not take.
#include <doctest/doctest.h>

#include <string>

#include "TempFile.hpp"
#include "kms/config/ConfigError.hpp"
#include "kms/config/ConfigLoader.hpp"

using kms::config::ConfigError;
using kms::config::ConfigLoader;
using kms::config::test::TempFile;

namespace {
const char* const kProvider = "https://idp.test,/etc/kms/jwks.json,kmsd";
}

TEST_CASE("[google_cse_config]: off by default; file keys, flags and KMS_ variables set it") {
  const auto defaults = ConfigLoader::load({}, {}).config;
  CHECK_FALSE(defaults.googleCse.enable);
  CHECK(defaults.googleCse.keyId == "google_cse");
  CHECK(defaults.publicUrl.empty());
  {
    const TempFile file("kms.toml",
                        "kms_public_url = \"https://kms.example.com/\"\n"
                        "[idp_auth]\njwt_auth_provider = [\"https://idp.test,/etc/kms/jwks.json,kmsd\"]\n"
                        "[google_cse_config]\ngoogle_cse_enable = true\ngoogle_cse_key_id = \"hsm::softhsm2::1::cse\"\n"
                        "google_cse_authorization_issuers = [\"a@example.com\", \"b@example.com\"]\n"
                        "google_cse_authorization_jwks_uri = [\"/etc/kms/a.json\", \"/etc/kms/b.json\"]\n"
                        "google_cse_privileged_users = [\"admin@example.com\"]\n");
    const auto loaded = ConfigLoader::load({"--config", file.path()}, {});
    CHECK(loaded.warnings.empty());
    const auto& cse = loaded.config.googleCse;
    CHECK(cse.enable);
    CHECK(cse.keyId == "hsm::softhsm2::1::cse");
    CHECK(cse.authorizationIssuers == std::vector<std::string>{"a@example.com", "b@example.com"});
    CHECK(cse.authorizationJwksUris.size() == 2);
    CHECK(cse.privilegedUsers == std::vector<std::string>{"admin@example.com"});
    CHECK(loaded.config.publicUrl == "https://kms.example.com/");
  }
  const auto flags = ConfigLoader::load({"--google-cse-enable", "true", "--kms-public-url", "https://k.test",
                                         "--jwt-auth-provider", kProvider, "--google-cse-key-id", "k1"},
                                        {})
                         .config;
  CHECK(flags.googleCse.enable);
  CHECK(flags.googleCse.keyId == "k1");
  const auto env = ConfigLoader::load({}, {{"KMS_GOOGLE_CSE_ENABLE", "true"},
                                           {"KMS_PUBLIC_URL", "https://k.test"},
                                           {"KMS_JWT_AUTH_PROVIDER", kProvider},
                                           {"KMS_GOOGLE_CSE_KEY_ID", "k2"}})
                       .config;
  CHECK(env.googleCse.keyId == "k2");
}

TEST_CASE("[google_cse_config]: a KACLS that could never verify a call does not start") {
  // Google's tokens name the KACLS URL: without kms_public_url there is nothing to compare.
  CHECK_THROWS_WITH_AS(ConfigLoader::load({"--google-cse-enable", "true", "--jwt-auth-provider", kProvider}, {}),
                       doctest::Contains("kms_public_url"), ConfigError);
  // The users' tokens come from a jwt_auth_provider.
  CHECK_THROWS_WITH_AS(ConfigLoader::load({"--google-cse-enable", "true", "--kms-public-url", "https://k.test"}, {}),
                       doctest::Contains("jwt_auth_provider"), ConfigError);
  // Two JWKS for Google's five issuers pair up with none.
  CHECK_THROWS_WITH_AS(
      ConfigLoader::load({"--google-cse-enable", "true", "--kms-public-url", "https://k.test", "--jwt-auth-provider",
                          kProvider, "--google-cse-authorization-jwks-uri", "/a.json,/b.json"},
                         {}),
      doctest::Contains("one per issuer"), ConfigError);
  CHECK_THROWS_AS(ConfigLoader::load({"--kms-public-url", "kms.example.com"}, {}), ConfigError);
}

TEST_CASE("[google_cse_config]: Cosmian keys kmsd does not take are warned about, not obeyed") {
  const TempFile file("kms.toml",
                      "[google_cse_config]\ngoogle_cse_disable_tokens_validation = true\n"
                      "google_cse_incoming_url_whitelist = [\"https://other.test\"]\n");
  const auto loaded = ConfigLoader::load({"--config", file.path()}, {});
  std::string all;
  for (const auto& warning : loaded.warnings) all += warning + "\n";
  CHECK(all.find("google_cse_disable_tokens_validation") != std::string::npos);
  CHECK(all.find("google_cse_incoming_url_whitelist") != std::string::npos);
}
