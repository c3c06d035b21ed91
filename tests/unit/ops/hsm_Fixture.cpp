#include "hsm_Fixture.hpp"

#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <stdexcept>

#include "../hsm/SoftHsmTokens.hpp"
#include "kms/hsm/UidParser.hpp"

namespace kms::ops::test {

HsmFixture::HsmFixture() : registry_(hsm::DriverLoader(hsm::test::pluginDir("softhsm2"))) {
  const auto& token = hsm::test::softHsm().tokens.at(0);
  if (hsm::test::pluginDir("softhsm2").empty()) throw std::runtime_error("the softhsm2 plugin is not built");
  hsm::InstanceConfig config;
  config.model = "softhsm2";
  config.library = hsm::test::softHsm().library;
  config.slots = {hsm::SlotConfig::fromPassword(token.slot, token.pin)};
  config.admins = {"admin"};
  instance_ = &registry_.add(config);
  if (!instance_->available()) throw std::runtime_error("softhsm2 did not open: " + instance_->unavailableReason());
  slot_ = token.slot;

  std::string pattern = "/tmp/kms-ops-hsm-test-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  dir_ = pattern;
  store_ = std::make_unique<store::SqliteStore>(dir_);
  repository_ = std::make_unique<objects::ObjectRepository>(*store_, std::vector<std::string>{"cosmian"});
  settings_.hsm = &registry_;
}

HsmFixture::~HsmFixture() {
  ctx_.reset();
  repository_.reset();
  store_.reset();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

OperationContext& HsmFixture::as(const std::string& user) {
  ctx_.reset();
  request_ = std::make_unique<RequestContext>(RequestContext{user});
  placeholder_.clear();
  ctx_ = std::make_unique<OperationContext>(OperationContext{*repository_, settings_, *request_, placeholder_, keys_});
  return *ctx_;
}

std::string HsmFixture::uidOf(const std::string& label) const {
  return hsm::UidParser::format(instance_->name(), slot_, label);
}

std::string HsmFixture::unique(const std::string& stem) {
  static std::atomic<int> counter{0};
  return stem + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
}

}  // namespace kms::ops::test
