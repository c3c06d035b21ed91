// rsa_pkcs1v15_decrypt (issue 22, finding 8): off unless asked for, from each source.
#include <doctest/doctest.h>

#include "TempFile.hpp"
#include "kms/config/ConfigError.hpp"
#include "kms/config/ConfigLoader.hpp"

using kms::config::ConfigError;
using kms::config::ConfigLoader;
using kms::config::test::TempFile;

TEST_CASE("rsa_pkcs1v15_decrypt is off by default and set by file, environment and flag") {
  CHECK_FALSE(ConfigLoader::load({}, {}).config.rsaPkcs1v15Decrypt);
  {
    const TempFile file("kms.toml", "rsa_pkcs1v15_decrypt = true\n");
    const auto loaded = ConfigLoader::load({"--config", file.path()}, {});
    CHECK(loaded.warnings.empty());
    CHECK(loaded.config.rsaPkcs1v15Decrypt);
  }
  {
    const TempFile file("kms.yaml", "rsa_pkcs1v15_decrypt: false\n");
    CHECK_FALSE(ConfigLoader::load({"--config", file.path()}, {}).config.rsaPkcs1v15Decrypt);
  }
  CHECK(ConfigLoader::load({}, {{"KMS_RSA_PKCS1V15_DECRYPT", "true"}}).config.rsaPkcs1v15Decrypt);
  CHECK_FALSE(ConfigLoader::load({}, {{"KMS_RSA_PKCS1V15_DECRYPT", "false"}}).config.rsaPkcs1v15Decrypt);
  CHECK(ConfigLoader::load({"--rsa-pkcs1v15-decrypt"}, {}).config.rsaPkcs1v15Decrypt);
  CHECK(ConfigLoader::load({"--rsa-pkcs1v15-decrypt=true"}, {}).config.rsaPkcs1v15Decrypt);
  // The flag wins over the environment.
  CHECK_FALSE(ConfigLoader::load({"--rsa-pkcs1v15-decrypt=false"}, {{"KMS_RSA_PKCS1V15_DECRYPT", "true"}})
                  .config.rsaPkcs1v15Decrypt);
  {
    const TempFile file("kms.toml", "rsa_pkcs1v15_decrypt = 'maybe'\n");
    CHECK_THROWS_AS(ConfigLoader::load({"--config", file.path()}, {}), ConfigError);
  }
}
