#include <doctest/doctest.h>

#include <string>

#include "kms/config/ConfigLoader.hpp"

using kms::config::ConfigLoader;

TEST_CASE("etc/kms.toml and etc/kms.yaml load without warnings and say the same thing") {
  const std::string etc = std::string(KMS_SOURCE_DIR) + "/etc/";
  const auto toml = ConfigLoader::load({"--config", etc + "kms.toml"}, {});
  const auto yaml = ConfigLoader::load({"--config", etc + "kms.yaml"}, {});
  CHECK(toml.warnings.empty());
  CHECK(yaml.warnings.empty());
  const auto& a = toml.config;
  const auto& b = yaml.config;
  CHECK(a.http.hostname == b.http.hostname);
  CHECK(a.http.port == b.http.port);
  CHECK(a.http.maxBodySize == b.http.maxBodySize);
  CHECK(a.http.threads == b.http.threads);
  CHECK(a.http.maxQueued == b.http.maxQueued);
  CHECK(a.db.type == b.db.type);
  CHECK(a.db.sqlitePath == b.db.sqlitePath);
  CHECK(a.defaultUsername == b.defaultUsername);
  CHECK(a.vendorIdentification == b.vendorIdentification);
  CHECK(a.logging.level == b.logging.level);
  CHECK(a.audit.logFile == b.audit.logFile);
  CHECK(a.http.hostname == "127.0.0.1");  // the samples keep the server local
}
