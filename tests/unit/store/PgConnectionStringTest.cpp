#include <doctest/doctest.h>
#include <stdlib.h>

#include <fstream>

#include "StoreTestSupport.hpp"
#include "kms/Exception.hpp"
#include "kms/store/postgres/ConnectionString.hpp"

using kms::ErrorCode;
using kms::Exception;
using kms::store::postgres::ConnectionString;
using kms::store::test::TempDir;

namespace {

// Sets or clears an environment variable for the scope.
class EnvVar {
 public:
  EnvVar(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value != nullptr) {
      ::setenv(name, value, 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~EnvVar() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }
  EnvVar(const EnvVar&) = delete;
  EnvVar& operator=(const EnvVar&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

}  // namespace

TEST_CASE("redact masks the password of every URL form") {
  CHECK(ConnectionString::redact("postgresql://kms:s3cret@db:5432/kms") == "postgresql://kms:***@db:5432/kms");
  CHECK(ConnectionString::redact("postgres://kms:p%40ss@h1:5432,h2:5433/kms?target_session_attrs=read-write") ==
        "postgres://kms:***@h1:5432,h2:5433/kms?target_session_attrs=read-write");
  CHECK(ConnectionString::redact("postgresql://kms@db/kms") == "postgresql://kms@db/kms");
  CHECK(ConnectionString::redact("postgresql://db/kms?user=kms&password=s3cret&sslmode=require") ==
        "postgresql://db/kms?user=kms&password=***&sslmode=require");
  CHECK(ConnectionString::redact("host=db user=kms password=s3cret dbname=kms") ==
        "host=db user=kms password=*** dbname=kms");
  CHECK(ConnectionString::redact("host=db password = 'my \\' secret' dbname=kms") ==
        "host=db password = *** dbname=kms");
  CHECK(ConnectionString::redact("host=db password = 'my \\' secret' dbname=kms").find("secret") == std::string::npos);
}

TEST_CASE("a parsed URL prints its password only in str()") {
  ConnectionString url("postgresql://kms:s3cret@db.example:5433/kmsdb?sslmode=require");
  CHECK(url.get("password") == "s3cret");
  CHECK(url.get("host") == "db.example");
  CHECK(url.get("port") == "5433");
  CHECK(url.get("dbname") == "kmsdb");
  CHECK(url.get("sslmode") == "require");
  CHECK(url.str().find("s3cret") != std::string::npos);
  CHECK(url.redacted().find("s3cret") == std::string::npos);
  CHECK(url.redacted().find("password=***") != std::string::npos);
  CHECK(url.scrub("login failed with s3cret for kms") == "login failed with *** for kms");
  // The keyword/value form round-trips through libpq's parser, quotes and all.
  url.set("password", "it's a \\ pass");
  ConnectionString again(url.str());
  CHECK(again.get("password") == "it's a \\ pass");
  CHECK(again.get("host") == "db.example");
}

TEST_CASE("set replaces and setDefault keeps what the URL chose") {
  ConnectionString url("host=db connect_timeout=30 application_name=mine");
  url.set("connect_timeout", "3");
  url.setDefault("application_name", "kmsd");
  url.setDefault("keepalives", "1");
  CHECK(url.get("connect_timeout") == "3");
  CHECK(url.get("application_name") == "mine");
  CHECK(url.get("keepalives") == "1");
}

TEST_CASE("a malformed URL is InvalidField without its password") {
  try {
    ConnectionString url("postgresql://kms:s3cret@db:notaport/kms?bogus_option=1");
    FAIL("expected InvalidField");
  } catch (const Exception& e) {
    CHECK(e.code() == ErrorCode::InvalidField);
    CHECK(std::string(e.what()).find("s3cret") == std::string::npos);
    CHECK(std::string(e.what()).find("kms:***@") != std::string::npos);
  }
}

TEST_CASE("the password may come from the environment or a file") {
  EnvVar clearDirect(ConnectionString::kPasswordVariable.data(), nullptr);
  EnvVar clearFile(ConnectionString::kPasswordFileVariable.data(), nullptr);
  SUBCASE("neither: the URL's password stays") {
    ConnectionString url("postgresql://kms:fromurl@db/kms");
    url.mergePasswordFromEnvironment();
    CHECK(url.get("password") == "fromurl");
  }
  SUBCASE("KMS_DATABASE_PASSWORD overrides the URL") {
    EnvVar direct(ConnectionString::kPasswordVariable.data(), "from env");
    ConnectionString url("postgresql://kms:fromurl@db/kms");
    url.mergePasswordFromEnvironment();
    CHECK(url.get("password") == "from env");
  }
  SUBCASE("KMS_DATABASE_PASSWORD_FILE, without its trailing newline") {
    TempDir tmp;
    const auto file = tmp.path() / "pw";
    std::ofstream(file) << "from file\n";
    EnvVar path(ConnectionString::kPasswordFileVariable.data(), file.c_str());
    ConnectionString url("postgresql://kms@db/kms");
    url.mergePasswordFromEnvironment();
    CHECK(url.get("password") == "from file");
  }
  SUBCASE("an unreadable file is InvalidField naming the file") {
    EnvVar path(ConnectionString::kPasswordFileVariable.data(), "/nonexistent/kms-pw");
    ConnectionString url("postgresql://kms@db/kms");
    try {
      url.mergePasswordFromEnvironment();
      FAIL("expected InvalidField");
    } catch (const Exception& e) {
      CHECK(e.code() == ErrorCode::InvalidField);
      CHECK(std::string(e.what()).find("/nonexistent/kms-pw") != std::string::npos);
    }
  }
  SUBCASE("both set is ambiguous") {
    EnvVar direct(ConnectionString::kPasswordVariable.data(), "a");
    EnvVar path(ConnectionString::kPasswordFileVariable.data(), "/tmp/x");
    ConnectionString url("postgresql://kms@db/kms");
    CHECK_THROWS_AS(url.mergePasswordFromEnvironment(), Exception);
  }
}
