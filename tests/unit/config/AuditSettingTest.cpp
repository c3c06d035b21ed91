// [audit] (issue 24 item 7): the audit log settings from each source.
#include <doctest/doctest.h>

#include <string>

#include "TempFile.hpp"
#include "kms/config/ConfigError.hpp"
#include "kms/config/ConfigLoader.hpp"

using kms::config::AuditFlush;
using kms::config::ConfigError;
using kms::config::ConfigLoader;
using kms::config::test::TempFile;

TEST_CASE("[audit]: off by default; file keys, flags and KMS_ variables set it") {
  const auto defaults = ConfigLoader::load({}, {}).config.audit;
  CHECK(defaults.logFile.empty());
  CHECK(defaults.flush == AuditFlush::Event);
  {
    const TempFile file("kms.toml",
                        "[audit]\naudit_log_file = \"/var/log/a.log\"\naudit_hmac_key_file = \"/etc/k\"\n"
                        "audit_flush = \"interval\"\naudit_flush_interval = \"200ms\"\naudit_rotate_size = \"1MiB\"\n"
                        "audit_syslog = true\n");
    const auto loaded = ConfigLoader::load({"--config", file.path()}, {});
    CHECK(loaded.warnings.empty());
    const auto& audit = loaded.config.audit;
    CHECK(audit.logFile == "/var/log/a.log");
    CHECK(audit.hmacKeyFile == "/etc/k");
    CHECK(audit.flush == AuditFlush::Interval);
    CHECK(audit.flushInterval == std::chrono::milliseconds(200));
    CHECK(audit.rotateSize == std::size_t{1} << 20);
    CHECK(audit.syslog);
  }
  {
    const TempFile file("kms.yaml", "audit:\n  audit_log_file: /tmp/y.log\n");
    CHECK(ConfigLoader::load({"--config", file.path()}, {}).config.audit.logFile == "/tmp/y.log");
  }
  CHECK(ConfigLoader::load({"--audit-log-file", "f.log"}, {}).config.audit.logFile == "f.log");
  CHECK(ConfigLoader::load({}, {{"KMS_AUDIT_LOG_FILE", "e.log"}}).config.audit.logFile == "e.log");
  CHECK_THROWS_AS(ConfigLoader::load({"--audit-flush", "sometimes"}, {}), ConfigError);
}
