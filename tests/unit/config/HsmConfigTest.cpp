// The HSM configuration forms (flags, environment, TOML flat keys, [[hsm_instances]] in TOML
// and YAML) into kms::hsm::InstanceConfig, and their one-line errors.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "TempFile.hpp"
#include "kms/config/ConfigError.hpp"
#include "kms/config/ConfigLoader.hpp"
#include "kms/hsm/HsmConfigBuilder.hpp"

using kms::config::ConfigError;
using kms::config::ConfigLoader;
using kms::config::test::TempFile;
using kms::hsm::HsmConfigBuilder;
using kms::hsm::LoginMode;

namespace {

std::vector<kms::hsm::InstanceConfig> build(const std::vector<std::string>& args,
                                            const kms::config::EnvironmentSource::Variables& env = {}) {
  return HsmConfigBuilder::build(ConfigLoader::load(args, env).config);
}

std::string errorOf(const std::vector<std::string>& args, const kms::config::EnvironmentSource::Variables& env = {}) {
  try {
    (void)build(args, env);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("no HSM configured: no instance") {
  CHECK(build({}).empty());
}

TEST_CASE("flags: repeated --hsm-slot/--hsm-password pairs, in order") {
  const auto instances =
      build({"--hsm-model", "softhsm2", "--hsm-admin", "alice", "--hsm-slot", "4", "--hsm-password", "p,4",
             "--hsm-slot", "7", "--hsm-password", "<NO_LOGIN>", "--hsm-slot", "9", "--hsm-password", ""});
  REQUIRE(instances.size() == 1);
  const auto& hsm = instances[0];
  CHECK(hsm.model == "softhsm2");
  CHECK(hsm.fromFlatForm);
  CHECK(hsm.admins == std::vector<std::string>{"alice"});
  REQUIRE(hsm.slots.size() == 3);
  CHECK(hsm.slots[0].slotId == 4);
  CHECK(hsm.slots[0].password == "p,4");  // a PIN is never split on commas
  CHECK(hsm.slots[1].login == LoginMode::None);
  CHECK(hsm.slots[2].login == LoginMode::NullPin);
}

TEST_CASE("KMS_HSM_PASSWORD and a password file keep PINs off the command line") {
  auto fromEnv = build({"--hsm-model", "utimaco", "--hsm-slot", "1"}, {{"KMS_HSM_PASSWORD", "s3cret"}});
  REQUIRE(fromEnv.size() == 1);
  CHECK(fromEnv[0].slots[0].password == "s3cret");
  CHECK(fromEnv[0].admins == std::vector<std::string>{"admin"});  // Cosmian's default
  TempFile pins("pins", "one\r\ntwo\n\n");
  auto fromFile =
      build({"--hsm-model", "proteccio", "--hsm-slot", "1", "--hsm-slot", "2", "--hsm-password-file", pins.path()});
  REQUIRE(fromFile[0].slots.size() == 2);
  CHECK(fromFile[0].slots[0].password == "one");
  CHECK(fromFile[0].slots[1].password == "two");
}

TEST_CASE("TOML flat keys and [[hsm_instances]]: the instances take precedence") {
  TempFile toml("kms.toml",
                "plugins_dir = \"/opt/p\"\nhsm_model = \"softhsm2\"\nhsm_slot = [1]\nhsm_password = [\"x\"]\n"
                "[[hsm_instances]]\nhsm_model = \"softhsm2\"\nhsm_admin = [\"a\", \"b\"]\nhsm_slot = [0, 1]\n"
                "hsm_password = [\"p0\", \"\"]\n"
                "[[hsm_instances]]\nhsm_model = \"other\"\nhsm_library = \"/lib/x.so\"\nhsm_slot = 3\n"
                "hsm_password = \"p3\"\ncritical = false\nsettings = { oaep_hashes = \"sha1\", find_batch = 16 }\n");
  const auto loaded = ConfigLoader::load({"--config", toml.path()}, {});
  CHECK(loaded.config.hsm.pluginsDir == "/opt/p");
  const auto instances = HsmConfigBuilder::build(loaded.config);
  REQUIRE(instances.size() == 2);
  CHECK(instances[0].admins == std::vector<std::string>{"a", "b"});
  CHECK_FALSE(instances[0].fromFlatForm);
  CHECK(instances[0].slots[1].login == LoginMode::NullPin);
  CHECK(instances[1].library == "/lib/x.so");
  CHECK_FALSE(instances[1].critical);
  CHECK(instances[1].slots[0].slotId == 3);
  REQUIRE(instances[1].settings.size() == 2);
  const auto& settings = instances[1].settings;
  CHECK(std::find(settings.begin(), settings.end(), std::pair<std::string, std::string>{"find_batch", "16"}) !=
        settings.end());
  CHECK(std::find(settings.begin(), settings.end(), std::pair<std::string, std::string>{"oaep_hashes", "sha1"}) !=
        settings.end());
}

TEST_CASE("YAML hsm_instances say the same as TOML") {
  TempFile yaml("kms.yaml",
                "hsm_instances:\n  - hsm_model: softhsm2\n    hsm_admin: [a]\n    hsm_slot: [5]\n"
                "    hsm_password: ['p']\n    critical: false\n");
  const auto instances = build({"--config", yaml.path()});
  REQUIRE(instances.size() == 1);
  CHECK(instances[0].slots[0].slotId == 5);
  CHECK_FALSE(instances[0].critical);
}

TEST_CASE("configuration errors: one line naming the key, never the PIN") {
  const auto unequal =
      errorOf({"--hsm-model", "softhsm2", "--hsm-slot", "1", "--hsm-slot", "2"}, {{"KMS_HSM_PASSWORD", "topsecret"}});
  CHECK(unequal.find("2 slot(s) in hsm_slot but 1 password(s)") != std::string::npos);
  CHECK(unequal.find("topsecret") == std::string::npos);
  CHECK(errorOf({"--hsm-model", "thales", "--hsm-slot", "1"}, {{"KMS_HSM_PASSWORD", "x"}})
            .find("unknown hsm_model 'thales'") != std::string::npos);
  CHECK(errorOf({"--hsm-model", "softhsm2"}).find("hsm_slot is required") != std::string::npos);
  CHECK(errorOf({"--hsm-slot", "1"}, {{"KMS_HSM_PASSWORD", "x"}}).find("hsm_model is required") != std::string::npos);
  CHECK(errorOf({"--hsm-model", "softhsm2", "--hsm-slot", "x1"}).find("not a slot number") != std::string::npos);
  CHECK(errorOf({"--hsm-model", "softhsm2", "--hsm-slot", "1", "--hsm-slot", "1", "--hsm-password", "a",
                 "--hsm-password", "b"})
            .find("listed twice") != std::string::npos);
  TempFile bad("kms.toml", "[[hsm_instances]]\nhsm_model = \"softhsm2\"\nhsm_pin = [\"p\"]\n");
  CHECK(errorOf({"--config", bad.path()}).find("unknown key 'hsm_pin'") != std::string::npos);
}
