// DriverInstance over the frozen-ABI old driver: the C++ API, status mapping, the two-call
// convention, NULL functions, and the call counter.
#include <doctest/doctest.h>

#include <string>

#include "OldDriver.hpp"
#include "kms/Exception.hpp"
#include "kms/hsm/DriverInstance.hpp"

using kms::ErrorCode;
using kms::hsm::CryptParams;
using kms::hsm::DriverInstance;
using kms::hsm::ExportFormat;
using kms::hsm::KeyRef;
using namespace kms::hsm::test;

namespace {

std::unique_ptr<DriverInstance> openOld(const kms::hsm::InstanceConfig& config) {
  return DriverInstance::open(config.model, oldLoader().load(config.model), config);
}

CryptParams gcm() {
  CryptParams params;
  params.algorithm = KMS_ALG_AES_GCM;
  params.iv.assign(12, 1);
  return params;
}

ErrorCode codeOf(const std::function<void()>& fn, std::string* message = nullptr) {
  try {
    fn();
  } catch (const kms::Exception& e) {
    if (message != nullptr) *message = e.what();
    return e.code();
  }
  FAIL("no exception");
  return ErrorCode::GeneralFailure;
}

}  // namespace

TEST_CASE("old driver, new core: keys, crypto and errors through the C ABI") {
  auto hsm = openOld(oldConfig());
  CHECK(hsm->available());
  CHECK(hsm->prefix() == "hsm::olddriver");
  CHECK(hsm->threadModel() == KMS_THREAD_SAFE);

  const auto created = hsm->generateAes(1, "k1", 256, KMS_KEY_EXTRACTABLE);
  CHECK(created.type == kms::hsm::KeyType::Aes);
  CHECK(created.bits == 256);
  CHECK(created.label == "k1");
  CHECK(created.extractable);
  CHECK(hsm->find(KeyRef{1, "k1", {}}).bits == 256);
  CHECK(hsm->list(1).size() == 1);

  const DriverInstance::Bytes plain(3000, 0x42);
  const auto sealed = hsm->encrypt(KeyRef{1, "k1", {}}, gcm(), plain);
  CHECK(sealed.size() == plain.size() + 16);
  const auto opened = hsm->decrypt(KeyRef{1, "k1", {}}, gcm(), sealed);
  CHECK(DriverInstance::Bytes(opened.begin(), opened.end()) == plain);

  auto tampered = sealed;
  tampered.back() ^= 1;
  CHECK(codeOf([&] { (void)hsm->decrypt(KeyRef{1, "k1", {}}, gcm(), tampered); }) == ErrorCode::CryptographicFailure);

  CHECK(hsm->exportKey(KeyRef{1, "k1", {}}, ExportFormat::Raw).size() == 32);
  hsm->generateAes(1, "secret", 128, KMS_KEY_SENSITIVE);
  std::string message;
  CHECK(codeOf(
            [&] {
              (void)hsm->exportKey(KeyRef{1, "secret", {}}, ExportFormat::Raw);
            },
            &message) == ErrorCode::Sensitive);
  CHECK(message == "hsm::olddriver: export_key on slot 1 failed: the key is sensitive");

  CHECK(codeOf([&] { (void)hsm->generateAes(1, "k1", 256, 0); }) == ErrorCode::AlreadyExists);
  CHECK(codeOf([&] { (void)hsm->find(KeyRef{1, "nope", {}}); }) == ErrorCode::NotFound);
  CHECK(codeOf([&] { (void)hsm->find(KeyRef{9, "k1", {}}); }) == ErrorCode::NotFound);

  CHECK(codeOf(
            [&] {
              (void)hsm->sign(KeyRef{1, "k1", {}}, gcm(), {1, 2});
            },
            &message) == ErrorCode::FeatureNotSupported);
  CHECK(message == "hsm::olddriver: sign is not supported by the olddriver driver");
  CHECK(codeOf([&] { (void)hsm->wrap(KeyRef{1, "k1", {}}, gcm(), {}); }) == ErrorCode::FeatureNotSupported);

  CHECK(hsm->random(1, 16).size() == 16);
  CHECK(hsm->supports(1, KMS_ALG_AES_GCM, 0));
  CHECK_FALSE(hsm->supports(1, KMS_ALG_RSA_PSS, KMS_HASH_SHA256));

  const auto status = hsm->slotStatus(1);
  CHECK(status.accessible);
  CHECK(status.reason.empty());
  CHECK_FALSE(hsm->slotStatus(5).accessible);

  hsm->destroy(KeyRef{1, "k1", {}});
  CHECK(codeOf([&] { hsm->destroy(KeyRef{1, "k1", {}}); }) == ErrorCode::NotFound);
}

TEST_CASE("callCount counts driver calls, and only those") {
  auto hsm = openOld(oldConfig());
  const auto opened = hsm->callCount();
  CHECK(opened == 1);  // open
  hsm->generateAes(1, "c", 256, 0);
  (void)hsm->random(1, 8);
  CHECK(hsm->callCount() == opened + 2);
  // A refused call that never reaches the driver is not counted.
  CHECK_THROWS_AS((void)hsm->sign(KeyRef{1, "c", {}}, gcm(), {1}), kms::Exception);
  CHECK(hsm->callCount() == opened + 2);
}

TEST_CASE("describe answers from its cache until the key is destroyed") {
  auto hsm = openOld(oldConfig());
  hsm->generateAes(1, "d", 256, 0);
  const KeyRef ref{1, "d", {}};
  const auto before = hsm->callCount();
  CHECK(hsm->describe(ref).bits == 256);
  CHECK(hsm->callCount() == before + 1);
  CHECK(hsm->describe(ref).bits == 256);
  CHECK(hsm->callCount() == before + 1);  // no second find_key
  hsm->destroy(ref);
  CHECK(codeOf([&] { (void)hsm->describe(ref); }) == ErrorCode::NotFound);
}

TEST_CASE("open refusals: wrong PIN, unknown setting") {
  std::string message;
  auto config = oldConfig();
  config.slots = {kms::hsm::SlotConfig::fromPassword(1, "0000")};
  CHECK(codeOf([&] { (void)openOld(config); }, &message) == ErrorCode::Unavailable);
  CHECK(message.find("cannot open the olddriver driver") != std::string::npos);
  CHECK(message.find("login refused on slot 1 (wrong PIN)") != std::string::npos);
  CHECK(message.find("0000") == std::string::npos);  // never the PIN

  CHECK(codeOf(
            [&] {
              (void)openOld(oldConfig("olddriver", {1}, {{"max_dta_chunk", "1"}}));
            },
            &message) == ErrorCode::InvalidField);
  CHECK(message.find("unknown setting 'max_dta_chunk'") != std::string::npos);
}

TEST_CASE("slot login modes: <NO_LOGIN> and empty password reach the driver as such") {
  auto config = oldConfig("olddriver", {});
  config.slots = {kms::hsm::SlotConfig::fromPassword(1, "1234"), kms::hsm::SlotConfig::fromPassword(2, "<NO_LOGIN>"),
                  kms::hsm::SlotConfig::fromPassword(3, "")};
  CHECK(config.slots[1].login == kms::hsm::LoginMode::None);
  CHECK(config.slots[2].login == kms::hsm::LoginMode::NullPin);
  CHECK(config.slots[2].password.empty());
  auto hsm = openOld(config);
  // The old driver reports the login mode it received in the token label ("l=<mode>").
  CHECK(hsm->slotStatus(1).tokenLabel.find("l=0") != std::string::npos);
  CHECK(hsm->slotStatus(2).tokenLabel.find("l=2") != std::string::npos);
  CHECK(hsm->slotStatus(3).tokenLabel.find("l=1") != std::string::npos);
}

TEST_CASE("the worker pool bounds the wait for a slow HSM") {
  auto config = oldConfig("olddriver", {1}, {{"delay_ms", "400"}});
  config.callTimeout = std::chrono::milliseconds(50);
  config.statusTimeout = std::chrono::milliseconds(60);
  auto hsm = openOld(config);
  std::string message;
  CHECK(codeOf([&] { (void)hsm->random(1, 4); }, &message) == ErrorCode::Unavailable);
  CHECK(message == "hsm::olddriver: HSM did not answer within 50 ms (random on slot 1)");
  const auto status = hsm->slotStatus(1);
  CHECK_FALSE(status.accessible);
  CHECK(status.reason == "hsm::olddriver: HSM did not answer within 60 ms (slot_status on slot 1)");
}
