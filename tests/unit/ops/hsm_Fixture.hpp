#pragma once
// The ops layer on a real SoftHSM2 token: a SqliteStore in a temporary directory, an
// HsmRegistry with the softhsm2 plugin on the first token made by tests/support/softhsm.py
// (admin "admin"), the usable-key cache, and OperationContexts for any user.
#include <filesystem>
#include <memory>
#include <string>

#include "kms/hsm/HsmRegistry.hpp"
#include "kms/ops/OperationContext.hpp"
#include "kms/ops/crypto/UsableKeys.hpp"
#include "kms/ops/objects/ObjectRepository.hpp"
#include "kms/store/sqlite/SqliteStore.hpp"

namespace kms::ops::test {

class HsmFixture {
 public:
  HsmFixture();
  ~HsmFixture();
  HsmFixture(const HsmFixture&) = delete;
  HsmFixture& operator=(const HsmFixture&) = delete;

  // A context for one request of `user` (kept until the next call).
  OperationContext& as(const std::string& user);
  [[nodiscard]] hsm::DriverInstance& instance() { return *instance_; }
  [[nodiscard]] std::uint64_t slot() const { return slot_; }
  // hsm::softhsm2::<slot>::<label>
  [[nodiscard]] std::string uidOf(const std::string& label) const;
  // A label no other test process uses.
  [[nodiscard]] static std::string unique(const std::string& stem);
  [[nodiscard]] objects::ObjectRepository& repository() { return *repository_; }
  [[nodiscard]] store::SqliteStore& store() { return *store_; }
  // The settings of this fixture's contexts (the HSM registry set), for a RequestProcessor.
  [[nodiscard]] const ProcessorSettings& settings() const { return settings_; }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<store::SqliteStore> store_;
  std::unique_ptr<objects::ObjectRepository> repository_;
  hsm::HsmRegistry registry_;
  hsm::DriverInstance* instance_ = nullptr;
  std::uint64_t slot_ = 0;
  ProcessorSettings settings_;
  crypto::UsableKeys keys_{keys::UnwrappedKeyCache::Limits{}};
  std::unique_ptr<RequestContext> request_;
  std::string placeholder_;
  std::unique_ptr<OperationContext> ctx_;
};

}  // namespace kms::ops::test
