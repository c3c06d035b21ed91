#include <doctest/doctest.h>

#include "TempFile.hpp"
#include "kms/config/ConfigLoader.hpp"

using kms::config::ConfigLoader;
using kms::config::test::TempFile;

TEST_CASE("defaults < file < environment < flags") {
  const TempFile file("kms.toml",
                      "default_username = 'from-file'\n"
                      "vendor_identification = 'file-vendor'\n"
                      "[http]\nport = 1111\nhostname = '10.0.0.1'\nmax_body_size = 2048\n"
                      "[db]\nsqlite_path = '/file/db'\n");

  SUBCASE("file over defaults") {
    const auto config = ConfigLoader::load({"--config", file.path()}, {}).config;
    CHECK(config.http.port == 1111);
    CHECK(config.http.hostname == "10.0.0.1");
    CHECK(config.http.maxBodySize == 2048);
    CHECK(config.db.sqlitePath == "/file/db");
    CHECK(config.defaultUsername == "from-file");
    CHECK(config.vendorIdentification == "file-vendor");
    CHECK(config.http.threads == 64);  // untouched default
    CHECK(config.configFile == file.path());
  }
  SUBCASE("environment over file") {
    const auto config =
        ConfigLoader::load({"--config", file.path()}, {{"KMS_PORT", "2222"}, {"KMS_DEFAULT_USERNAME", "from-env"}})
            .config;
    CHECK(config.http.port == 2222);
    CHECK(config.defaultUsername == "from-env");
    CHECK(config.http.hostname == "10.0.0.1");  // only in the file
  }
  SUBCASE("flags over environment") {
    const auto config = ConfigLoader::load({"--config", file.path(), "--port", "3333"},
                                           {{"KMS_PORT", "2222"}, {"KMS_SQLITE_PATH", "/env/db"}})
                            .config;
    CHECK(config.http.port == 3333);
    CHECK(config.db.sqlitePath == "/env/db");
  }
  SUBCASE("KMS_CONFIG names the file") {
    const auto config = ConfigLoader::load({}, {{"KMS_CONFIG", file.path()}}).config;
    CHECK(config.http.port == 1111);
  }
  SUBCASE("--config wins over KMS_CONFIG") {
    const auto config = ConfigLoader::load({"--config", file.path()}, {{"KMS_CONFIG", "/nonexistent.toml"}}).config;
    CHECK(config.http.port == 1111);
  }
}

TEST_CASE("every environment variable is read") {
  const auto config = ConfigLoader::load({}, {{"KMS_HOSTNAME", "127.0.0.2"},
                                              {"KMS_PORT", "4444"},
                                              {"KMS_MAX_BODY_SIZE", "1MiB"},
                                              {"KMS_THREADS", "3"},
                                              {"KMS_MAX_QUEUED", "5"},
                                              {"KMS_DATABASE_TYPE", "sqlite"},
                                              {"KMS_SQLITE_PATH", "/env/db"},
                                              {"KMS_DEFAULT_USERNAME", "bob"},
                                              {"KMS_VENDOR_IDENTIFICATION", "v"},
                                              {"KMS_LOG_LEVEL", "warning"}})
                          .config;
  CHECK(config.http.hostname == "127.0.0.2");
  CHECK(config.http.port == 4444);
  CHECK(config.http.maxBodySize == 1u << 20);
  CHECK(config.http.threads == 3);
  CHECK(config.http.maxQueued == 5);
  CHECK(config.db.sqlitePath == "/env/db");
  CHECK(config.defaultUsername == "bob");
  CHECK(config.vendorIdentification == "v");
  CHECK(config.logging.level == kms::config::LogLevel::Warning);
}

TEST_CASE("unknown KMS_ variables are warned about, other variables ignored") {
  // The database password variables are read by the PostgreSQL store itself: no warning.
  const auto loaded = ConfigLoader::load({}, {{"KMS_PROT", "1"},
                                              {"HOME", "/root"},
                                              {"KMS_DATABASE_PASSWORD", "pw"},
                                              {"KMS_DATABASE_PASSWORD_FILE", "/run/secrets/pw"}});
  REQUIRE(loaded.warnings.size() == 1);
  CHECK(loaded.warnings[0] == "ignoring unknown environment variable KMS_PROT");
}
