#include <doctest/doctest.h>

#include <chrono>

#include "TempFile.hpp"
#include "kms/config/ConfigError.hpp"
#include "kms/config/ConfigLoader.hpp"

using kms::config::ConfigError;
using kms::config::ConfigLoader;
using kms::config::LoadedConfig;
using kms::config::test::TempFile;

namespace {

LoadedConfig loadFile(std::string_view name, std::string_view content) {
  const TempFile file(name, content);
  return ConfigLoader::load({"--config", file.path()}, {});
}

std::string errorOf(std::string_view name, std::string_view content) {
  const TempFile file(name, content);
  try {
    ConfigLoader::load({"--config", file.path()}, {});
  } catch (const ConfigError& error) {
    // Messages start with the file's path: keep what follows its directory.
    std::string message = error.what();
    const auto slash = message.find(std::string(name));
    return slash == std::string::npos ? message : message.substr(slash);
  }
  return "no error";
}

constexpr std::string_view kToml = R"(
default_username = "alice"
vendor_identification = "acme"

[http]
hostname = "127.0.0.1"
port = 9000
max_body_size = "2MiB"
threads = 12
max_queued = 34

[db]
database_type = "sqlite"
sqlite_path = "/data/kms"

[logging]
level = "debug"
)";

constexpr std::string_view kYaml = R"(
default_username: alice
vendor_identification: acme
http:
  hostname: 127.0.0.1
  port: 9000
  max_body_size: 2MiB
  threads: 12
  max_queued: 34
db:
  database_type: sqlite
  sqlite_path: /data/kms
logging:
  level: debug
)";

}  // namespace

TEST_CASE("TOML and YAML with the same keys give the same configuration") {
  for (const auto& [name, content] :
       {std::pair{"kms.toml", kToml}, std::pair{"kms.yaml", kYaml}, std::pair{"kms.yml", kYaml}}) {
    CAPTURE(name);
    const auto config = loadFile(name, content).config;
    CHECK(config.defaultUsername == "alice");
    CHECK(config.vendorIdentification == "acme");
    CHECK(config.http.hostname == "127.0.0.1");
    CHECK(config.http.port == 9000);
    CHECK(config.http.maxBodySize == 2u << 20);
    CHECK(config.http.threads == 12);
    CHECK(config.http.maxQueued == 34);
    CHECK(config.db.sqlitePath == "/data/kms");
    CHECK(config.logging.level == kms::config::LogLevel::Debug);
  }
}

TEST_CASE("empty files and empty sections leave the defaults") {
  CHECK(loadFile("kms.toml", "").config.http.port == 9998);
  CHECK(loadFile("kms.yaml", "").config.http.port == 9998);
  CHECK(loadFile("kms.yaml", "http:\n").config.http.port == 9998);
  CHECK(loadFile("kms.toml", "[http]\n[db]\n").config.http.port == 9998);
}

TEST_CASE("unknown keys are refused, naming the key and its line, in both formats") {
  CHECK(errorOf("kms.toml", "[http]\nprot = 1\n") == "kms.toml:2: unknown key 'http.prot'");
  CHECK(errorOf("kms.yaml", "http:\n  prot: 1\n") == "kms.yaml:2: unknown key 'http.prot'");
  CHECK(errorOf("kms.toml", "colour = 'blue'\n") == "kms.toml:1: unknown key 'colour'");
  CHECK(errorOf("kms.toml", "[http.extra]\nx = 1\n") == "kms.toml:1: unknown key 'http.extra'");
}

TEST_CASE("TOML values must have the setting's type; YAML scalars are text") {
  CHECK(errorOf("kms.toml", "[http]\nport = \"9000\"\n") == "kms.toml:2: http.port: expected an integer, not a string");
  CHECK(errorOf("kms.toml", "default_username = 7\n") ==
        "kms.toml:1: default_username: expected a string, not an integer");
  CHECK(errorOf("kms.toml", "http = 5\n") == "kms.toml:1: 'http' must be a table, not an integer");
  CHECK(errorOf("kms.yaml", "http:\n  port: [1, 2]\n") == "kms.yaml:2: http.port: expected an integer, not an array");
  CHECK(loadFile("kms.yaml", "http:\n  port: '9000'\n").config.http.port == 9000);
}

TEST_CASE("values are checked with the same messages as flags") {
  CHECK(errorOf("kms.toml", "[http]\nport = 70000\n") ==
        "kms.toml:2: http.port: '70000' is not a valid port (expected 0-65535)");
  CHECK(errorOf("kms.yaml", "http:\n  port: 70000\n") ==
        "kms.yaml:2: http.port: '70000' is not a valid port (expected 0-65535)");
  CHECK(errorOf("kms.toml", "[db]\ndatabase_type = 'mysql'\n") ==
        "kms.toml:2: db.database_type: unknown database type 'mysql' (expected sqlite or postgresql)");
}

TEST_CASE("syntax errors give the file, line and column") {
  const auto toml = errorOf("kms.toml", "[http\n");
  CHECK(toml.starts_with("kms.toml:1:"));
  CHECK(toml.find('\n') == std::string::npos);
  const auto yaml = errorOf("kms.yaml", "http: [1,\n");
  CHECK(yaml.starts_with("kms.yaml:"));
  CHECK(yaml.find('\n') == std::string::npos);
}

// Found by tests/fuzz (fuzz_config_yaml): an alias inside its own anchor makes yaml-cpp's tree
// a cycle, which YamlSource followed until the stack overflowed; aliases of aliases expand
// exponentially. Both are refused with one line.
TEST_CASE("YAML: a recursive alias and an alias bomb are refused, not followed") {
  const auto recursive = errorOf("kms.yaml", "http: &a\n  <<: *a\n");
  CHECK(recursive.starts_with("kms.yaml:"));
  CHECK(recursive.find("nested deeper") != std::string::npos);
  std::string bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int level = 1; level < 9; ++level) {
    bomb += "a" + std::to_string(level) + ": &a" + std::to_string(level) + " [";
    for (int n = 0; n < 10; ++n) bomb += (n > 0 ? ", *a" : "*a") + std::to_string(level - 1);
    bomb += "]\n";
  }
  const auto start = std::chrono::steady_clock::now();
  const auto expanded = errorOf("kms.yaml", bomb);  // 10^9 values once expanded
  CHECK(expanded.find("more than") != std::string::npos);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));
}

TEST_CASE("authentication keys use Cosmian's names") {
  const auto loaded =
      loadFile("kms.toml",
               "default_username = 'root'\n"
               "privileged_users = ['alice', 'bob']\n"
               "api_token_auth = true\n"
               "[idp_auth]\n"
               "jwt_auth_provider = ['https://a.test,https://a.test/jwks,aud1,aud2', 'https://b.test']\n"
               "jwt_user_claim = 'sub'\n");
  const auto& config = loaded.config;
  CHECK(config.defaultUsername == "root");
  CHECK(config.apiTokenAuth);
  CHECK(config.privilegedUsers == std::vector<std::string>{"alice", "bob"});
  REQUIRE(config.idp.providers.size() == 2);
  CHECK(config.idp.providers[0].issuer == "https://a.test");
  CHECK(config.idp.providers[0].jwksUri == "https://a.test/jwks");
  CHECK(config.idp.providers[0].audiences == std::vector<std::string>{"aud1", "aud2"});
  CHECK(config.idp.providers[1].jwksUri == "https://b.test/.well-known/jwks.json");
  CHECK(config.idp.providers[1].audiences.empty());
  CHECK(config.idp.userClaim == "sub");

  SUBCASE("a later source replaces a list, flags repeat, the environment splits") {
    const TempFile file("kms.toml", "privileged_users = ['alice']\n");
    auto fromEnv = ConfigLoader::load({"--config", file.path()}, {{"KMS_PRIVILEGED_USERS", "carol, dave"}});
    CHECK(fromEnv.config.privilegedUsers == std::vector<std::string>{"carol", "dave"});
    auto fromFlags = ConfigLoader::load({"--config", file.path(), "--privileged-users", "erin", "--privileged-users",
                                         "frank", "--force-default-username"},
                                        {{"KMS_PRIVILEGED_USERS", "carol"}});
    CHECK(fromFlags.config.privilegedUsers == std::vector<std::string>{"erin", "frank"});
    CHECK(fromFlags.config.forceDefaultUsername);  // harmless without authentication
  }
  SUBCASE("roles come from the configuration: no default user with authentication, no tokens without admins") {
    CHECK(errorOf("kms.toml", "force_default_username = true\n[idp_auth]\njwt_auth_provider = ['https://a.test']\n")
              .find("force_default_username: refused") != std::string::npos);
    CHECK(errorOf("kms.toml", "api_token_auth = true\n[idp_auth]\njwt_auth_provider = ['https://a.test']\n")
              .find("set privileged_users") != std::string::npos);
    const auto readers = loadFile("kms.toml",
                                  "hsm_status_readers = ['ops']\nmetrics_readers = ['*']\n"
                                  "metrics_loopback_unauthenticated = true\n");
    CHECK(readers.config.hsmStatusReaders == std::vector<std::string>{"ops"});
    CHECK(readers.config.metricsReaders == std::vector<std::string>{"*"});
    CHECK(readers.config.metricsLoopbackUnauthenticated);
  }
  SUBCASE("TLS needs its files, readable, and client CAs need TLS") {
    CHECK(errorOf("kms.toml", "[tls]\ntls_p12_password = 'secret'\n") ==
          "kms.toml:2: tls.tls_p12_password: given without tls_p12_file");
    CHECK(errorOf("kms.toml", "[tls]\ntls_cert_file = '/nonexistent/c.pem'\n").find("needs tls_key_file") !=
          std::string::npos);
    const auto unreadable = errorOf("kms.toml", "[tls]\ntls_p12_file = '/nonexistent/k.p12'\n");
    CHECK(unreadable.find("tls.tls_p12_file: cannot read '/nonexistent/k.p12'") != std::string::npos);
    CHECK(errorOf("kms.toml", "[tls]\nclients_ca_cert_file = '/etc/hostname'\n").find("need TLS") != std::string::npos);
    CHECK(errorOf("kms.toml", "[idp_auth]\njwt_auth_provider = [',x,y']\n").find("has no issuer") != std::string::npos);
    // One string is a list of one; anything else is refused.
    CHECK(loadFile("kms.toml", "privileged_users = 'alice'\n").config.privilegedUsers ==
          std::vector<std::string>{"alice"});
    CHECK(errorOf("kms.toml", "privileged_users = [1]\n") ==
          "kms.toml:1: privileged_users: expected an array of strings, not an array holding an integer");
  }
}

TEST_CASE("key encryption key, unwrapped-key cache and database pool settings") {
  const auto loaded = loadFile("kms.toml",
                               "key_encryption_key = 'hsm::softhsm2::0::kek'\n"
                               "[db]\nunwrapped_cache_max_age = 15\n"
                               "unwrapped_cache_max_lifetime = '90s'\n"
                               "unwrapped_cache_size = 0\n"
                               "database_pool_size = 3\n"
                               "database_connect_timeout = 2\n"
                               "database_statement_timeout = '1500ms'\n");
  CHECK(loaded.warnings.empty());
  CHECK(loaded.config.keyEncryptionKey == "hsm::softhsm2::0::kek");
  CHECK(loaded.config.db.unwrappedCacheMaxAge == std::chrono::minutes(15));  // Cosmian counts minutes
  CHECK(loaded.config.db.unwrappedCacheMaxLifetime == std::chrono::seconds(90));
  CHECK(loaded.config.db.unwrappedCacheSize == 0);
  CHECK(loaded.config.db.poolSize == 3);
  CHECK(loaded.config.db.connectTimeout == std::chrono::seconds(2));
  CHECK(loaded.config.db.statementTimeout == std::chrono::milliseconds(1500));
  CHECK(errorOf("kms.toml", "[db]\nunwrapped_cache_max_age = '5 parsecs'\n").find("unknown unit") != std::string::npos);
  CHECK(errorOf("kms.toml", "[db]\nunwrapped_cache_max_age = '0s'\n").find("out of range") != std::string::npos);
  CHECK(errorOf("kms.toml", "[db]\ndatabase_pool_size = 0\n").find("out of range") != std::string::npos);
}

TEST_CASE("Cosmian keys kmsd does not implement yet") {
  SUBCASE("feature keys are ignored with one warning listing them") {
    const auto loaded = loadFile("kms.toml",
                                 "info = true\n"
                                 "[db]\nclear_database = true\n"
                                 "[logging]\nrust_log = 'info'\n"
                                 "[ui_config.ui_oidc_auth]\n");
    REQUIRE(loaded.warnings.size() == 1);
    CHECK(loaded.warnings[0].ends_with(
        "kms.toml: ignoring settings kmsd does not support yet: db.clear_database, info, logging.rust_log"));
  }
  SUBCASE("values that change nothing are accepted silently") {
    const auto loaded = loadFile("kms.toml",
                                 "force_default_username = false\n"
                                 "[db]\nclear_database = false\n"
                                 "[tls]\n"
                                 "[idp_auth]\n"
                                 "[roles]\ncrypto_officer_require_ceremony = false\n"
                                 "[kmip.allowlists]\n"
                                 "[http]\ncors_allowed_origins = []\n");
    CHECK(loaded.warnings.empty());
  }
  SUBCASE("keys whose absence would weaken the server are refused") {
    CHECK(errorOf("kms.yaml", "http:\n  api_token_id: tok\n") ==
          "kms.yaml:2: 'http.api_token_id' is not supported by this build yet; refusing to start without it");
    const auto roles = errorOf("kms.toml", "[roles]\nadmins = ['pin']\n");
    CHECK(roles.find("'roles.admins' is not supported by this build yet") != std::string::npos);
    CHECK(roles.find("pin") == std::string::npos);
  }
}
