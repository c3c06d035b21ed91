#include <doctest/doctest.h>

#include <chrono>

#include "kms/config/ConfigLoader.hpp"

using kms::config::ConfigLoader;
using kms::config::DatabaseType;

namespace {

kms::config::Config load(const std::vector<std::string>& arguments) {
  return ConfigLoader::load(arguments, {}).config;
}

}  // namespace

TEST_CASE("defaults without any source") {
  const auto config = load({});
  // Without authentication every request is the default user: loopback unless told otherwise.
  CHECK(config.http.hostname == "127.0.0.1");
  CHECK_FALSE(config.http.hostnameExplicit);
  CHECK(config.http.port == 9998);
  CHECK(config.http.maxBodySize == 8u * 1024 * 1024);
  CHECK(config.http.requestTimeout == std::chrono::seconds(20));
  CHECK(config.http.maxInflightMemory == 256u * 1024 * 1024);
  CHECK(config.http.threads == 64);
  CHECK(config.db.type == DatabaseType::Sqlite);
  CHECK(config.db.sqlitePath == "./var/sqlite");
  CHECK(config.db.databaseUrl.empty());
  CHECK(config.defaultUsername == "admin");
  CHECK(config.vendorIdentification == "cosmian");
  CHECK(config.logging.level == kms::config::LogLevel::Info);
  CHECK(config.configFile.empty());
}

TEST_CASE("--flag value and --flag=value are equivalent") {
  const auto spaced = load({"--hostname",
                            "127.0.0.1",
                            "--port",
                            "8080",
                            "--sqlite-path",
                            "/tmp/a",
                            "--max-body-size",
                            "1024",
                            "--default-username",
                            "alice",
                            "--vendor-identification",
                            "acme",
                            "--threads",
                            "8",
                            "--max-queued",
                            "16",
                            "--database-type",
                            "sqlite",
                            "--log-level",
                            "debug"});
  const auto joined = load({"--hostname=127.0.0.1", "--port=8080", "--sqlite-path=/tmp/a", "--max-body-size=1024",
                            "--default-username=alice", "--vendor-identification=acme", "--threads=8",
                            "--max-queued=16", "--database-type=sqlite", "--log-level=debug"});
  for (const auto* config : {&spaced, &joined}) {
    CHECK(config->http.hostname == "127.0.0.1");
    CHECK(config->http.port == 8080);
    CHECK(config->db.sqlitePath == "/tmp/a");
    CHECK(config->http.maxBodySize == 1024);
    CHECK(config->defaultUsername == "alice");
    CHECK(config->vendorIdentification == "acme");
    CHECK(config->http.threads == 8);
    CHECK(config->http.maxQueued == 16);
    CHECK(config->logging.level == kms::config::LogLevel::Debug);
  }
}

TEST_CASE("--flag=value keeps everything after the first '='") {
  CHECK(load({"--default-username=a=b"}).defaultUsername == "a=b");
}

TEST_CASE("sizes take binary suffixes") {
  CHECK(load({"--max-body-size", "1KiB"}).http.maxBodySize == 1024);
  CHECK(load({"--max-body-size", "64MiB"}).http.maxBodySize == 64u << 20);
  CHECK(load({"--max-body-size", "1GiB"}).http.maxBodySize == 1u << 30);
}

TEST_CASE("port 0 asks for a free port") {
  CHECK(load({"--port", "0"}).http.port == 0);
}

TEST_CASE("--help and --version short-circuit every other source") {
  // The environment names a missing file: --help must still work.
  const auto help = ConfigLoader::load({"--help"}, {{"KMS_CONFIG", "/nonexistent/kms.toml"}});
  CHECK(help.helpRequested);
  const auto version = ConfigLoader::load({"--version"}, {{"KMS_PORT", "nope"}});
  CHECK(version.versionRequested);
}

TEST_CASE("a later flag wins over an earlier one") {
  CHECK(load({"--port", "1", "--port", "2"}).http.port == 2);
}

TEST_CASE("the listen address follows authentication unless given") {
  CHECK(load({"--jwt-auth-provider", "https://a.test"}).http.hostname == "0.0.0.0");
  const auto given = load({"--hostname", "0.0.0.0"});
  CHECK(given.http.hostname == "0.0.0.0");
  CHECK(given.http.hostnameExplicit);
  CHECK(ConfigLoader::load({}, {{"KMS_HOSTNAME", "0.0.0.0"}}).config.http.hostnameExplicit);
  CHECK(load({"--hostname", "127.0.0.2", "--jwt-auth-provider", "https://a.test"}).http.hostname == "127.0.0.2");
}
