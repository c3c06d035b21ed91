#include <doctest/doctest.h>

#include "TempFile.hpp"
#include "kms/config/ConfigError.hpp"
#include "kms/config/ConfigLoader.hpp"

using kms::config::ConfigError;
using kms::config::ConfigLoader;

namespace {

std::string errorOf(const std::vector<std::string>& arguments, const std::map<std::string, std::string>& env = {}) {
  try {
    ConfigLoader::load(arguments, env);
  } catch (const ConfigError& error) {
    return error.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("flag errors: one line naming the flag and the bad value") {
  CHECK(errorOf({"--prot", "1"}) == "unknown flag '--prot' (see --help)");
  CHECK(errorOf({"--prot=1"}) == "unknown flag '--prot' (see --help)");
  CHECK(errorOf({"--port"}) == "--port: missing value");
  CHECK(errorOf({"--port", "--hostname", "x"}) == "--port: missing value");
  CHECK(errorOf({"--config"}) == "--config: missing value");
  CHECK(errorOf({"--port", "abc"}) == "--port: 'abc' is not a valid port (expected 0-65535)");
  CHECK(errorOf({"--port", "65536"}) == "--port: '65536' is not a valid port (expected 0-65535)");
  CHECK(errorOf({"--port", "-1"}) == "--port: '-1' is not a valid port (expected 0-65535)");
  CHECK(errorOf({"--port="}) == "--port: '' is not a valid port (expected 0-65535)");
  CHECK(errorOf({"--database-type", "mysql"}) ==
        "--database-type: unknown database type 'mysql' (expected sqlite or postgresql)");
  CHECK(errorOf({"--max-body-size", "12XB"}) ==
        "--max-body-size: '12XB' is not a size in bytes (e.g. 67108864 or 64MiB)");
  CHECK(errorOf({"--max-body-size", "0"}) == "--max-body-size: 0 is out of range (expected 1 to 1073741824 bytes)");
  CHECK(errorOf({"--max-body-size", "2GiB"}) ==
        "--max-body-size: 2GiB is out of range (expected 1 to 1073741824 bytes)");
  CHECK(errorOf({"--max-body-size", "99999999999999999999999"}) ==
        "--max-body-size: '99999999999999999999999' is not a size in bytes (e.g. 67108864 or 64MiB)");
  CHECK(errorOf({"--threads", "0"}) == "--threads: 0 is out of range (expected 1-4096)");
  CHECK(errorOf({"--threads", "many"}) == "--threads: 'many' is not a number");
  CHECK(errorOf({"--log-level", "verbose"}) ==
        "--log-level: unknown log level 'verbose' (expected error, warning, info or debug)");
  CHECK(errorOf({"--help=yes"}) == "--help takes no value");
  CHECK(errorOf({"stray"}) == "unexpected argument #1 (flags start with --; see --help)");
  CHECK(errorOf({"--default-username", ""}) == "--default-username: must not be empty");
  CHECK(errorOf({"--sqlite-path="}) == "--sqlite-path: must not be empty");
}

TEST_CASE("environment errors name the variable") {
  CHECK(errorOf({}, {{"KMS_PORT", "http"}}) == "KMS_PORT: 'http' is not a valid port (expected 0-65535)");
  CHECK(errorOf({}, {{"KMS_DATABASE_TYPE", "redis-findex"}}) ==
        "KMS_DATABASE_TYPE: unknown database type 'redis-findex' (expected sqlite or postgresql)");
  CHECK(errorOf({}, {{"KMS_MAX_BODY_SIZE", "lots"}}) ==
        "KMS_MAX_BODY_SIZE: 'lots' is not a size in bytes (e.g. 67108864 or 64MiB)");
  CHECK(errorOf({}, {{"KMS_CONFIG", "/nonexistent/kms.toml"}}) ==
        "KMS_CONFIG: cannot read '/nonexistent/kms.toml': No such file or directory");
}

TEST_CASE("PostgreSQL without a URL is refused, naming where it was asked for") {
  const std::string needsUrl = "database_type postgresql needs database_url (postgresql://user@host:port/db)";
  CHECK(errorOf({"--database-type", "postgresql"}) == "--database-type: " + needsUrl);
  CHECK(errorOf({}, {{"KMS_DATABASE_TYPE", "postgresql"}}) == "KMS_DATABASE_TYPE: " + needsUrl);
  const kms::config::test::TempFile file("kms.toml", "[db]\ndatabase_type = 'postgresql'\n");
  CHECK(errorOf({"--config", file.path()}) == file.path() + ":2: db.database_type: " + needsUrl);
}

TEST_CASE("a database URL with SQLite is refused without ever showing it") {
  const std::string url = "postgresql://kms:s3cr3t@db.example:5432/kms";
  const std::string withSqlite = "database_url is set but database_type is sqlite; add --database-type postgresql";
  const auto flag = errorOf({"--database-url", url});
  CHECK(flag == "--database-url: " + withSqlite);
  const auto env = errorOf({}, {{"KMS_DATABASE_URL", url}});
  CHECK(env == "KMS_DATABASE_URL: " + withSqlite);
  const kms::config::test::TempFile file("kms.toml", "[db]\ndatabase_url = '" + url + "'\n");
  const auto fromFile = errorOf({"--config", file.path()});
  CHECK(fromFile.find("db.database_url: " + withSqlite) != std::string::npos);
  // A misspelt flag carrying the URL is named without its value.
  const auto typo = errorOf({"--databse-url=" + url});
  CHECK(typo == "unknown flag '--databse-url' (see --help)");
  for (const auto& message : {flag, env, fromFile, typo}) CHECK(message.find("s3cr3t") == std::string::npos);
}

TEST_CASE("control characters in values cannot split the message") {
  const auto message = errorOf({"--port", "1\n2"});
  CHECK(message == "--port: '1\\x0a2' is not a valid port (expected 0-65535)");
}

TEST_CASE("a --config that is a directory says so") {
  CHECK(errorOf({"--config", "/"}) == "--config: cannot read '/': Is a directory");
}

TEST_CASE("a missing --config file names the flag and the path") {
  CHECK(errorOf({"--config", "/nonexistent/kms.yaml"}) ==
        "--config: cannot read '/nonexistent/kms.yaml': No such file or directory");
}
