#include "kms/integrations/aws_xks/XksHealth.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <algorithm>
#include <sstream>

#include "kms/config/Version.hpp"
#include "kms/hsm/DriverInstance.hpp"
#include "kms/hsm/HsmRegistry.hpp"

namespace kms::integrations::aws_xks {
namespace {

constexpr std::size_t kMaxEntries = 10;  // the specification's limit

Poco::JSON::Object::Ptr entry(const std::string& id, const std::string& model, const char* status) {
  Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
  out->set("id", id);
  out->set("model", model);
  out->set("healthStatus", std::string(status));
  return out;
}

}  // namespace

XksHealth::XksHealth(hsm::HsmRegistry* hsm, std::chrono::milliseconds interval) : hsm_(hsm), interval_(interval) {
  probe();
  thread_ = std::thread([this] { run(); });
}

XksHealth::~XksHealth() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

std::string XksHealth::answer() const {
  const std::lock_guard lock(mutex_);
  return answer_;
}

void XksHealth::run() {
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, interval_, [this] { return stopping_; })) {
    lock.unlock();
    probe();
    lock.lock();
  }
}

void XksHealth::probe() {
  Poco::JSON::Array::Ptr fleet = new Poco::JSON::Array;
  std::string vendor = "kmsd";
  if (hsm_ != nullptr) {
    for (const auto& instance : hsm_->instances()) {
      if (fleet->size() == kMaxEntries) break;
      const auto status = instance->status();
      const auto up = static_cast<std::size_t>(
          std::count_if(status.slots.begin(), status.slots.end(), [](const auto& slot) { return slot.accessible; }));
      const char* health = !status.available || up == 0 ? "UNAVAILABLE"
                           : up < status.slots.size()   ? "DEGRADED"
                                                        : "ACTIVE";
      std::string model = status.model;
      for (const auto& slot : status.slots) {
        if (!slot.tokenLabel.empty()) {
          model.append(" slot ").append(std::to_string(slot.slot)).append(" token ").append(slot.tokenLabel);
        }
      }
      if (fleet->size() == 0) vendor = status.model;
      fleet->add(entry(status.prefix, model.substr(0, 256), health));
    }
  }
  if (fleet->size() == 0) fleet->add(entry("kmsd", "kmsd database key store", "ACTIVE"));
  Poco::JSON::Object out;
  out.set("xksProxyFleetSize", 1);
  out.set("xksProxyVendor", std::string("kmsd"));
  out.set("xksProxyModel", "kmsd " + std::string(config::kVersion));
  out.set("ekmVendor", vendor);
  out.set("ekmFleetDetails", fleet);
  std::ostringstream text;
  out.stringify(text);
  const std::lock_guard lock(mutex_);
  answer_ = text.str();
}

}  // namespace kms::integrations::aws_xks
