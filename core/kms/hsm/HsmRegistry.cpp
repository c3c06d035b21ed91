#include "kms/hsm/HsmRegistry.hpp"

#include <fmt/format.h>

#include <Poco/Logger.h>
#include <algorithm>

#include "kms/Exception.hpp"

namespace kms::hsm {

HsmRegistry::HsmRegistry(DriverLoader loader) : loader_(std::move(loader)) {}

HsmRegistry::~HsmRegistry() {
  // Last configured first: the reverse of opening, as for any stack of resources.
  while (!instances_.empty()) instances_.pop_back();
}

std::string HsmRegistry::nextName(const std::string& model) const {
  const auto same = std::count_if(instances_.begin(), instances_.end(),
                                  [&](const auto& instance) { return instance->model() == model; });
  return same == 0 ? model : fmt::format("{}_{}", model, same);
}

DriverInstance& HsmRegistry::add(const InstanceConfig& config) {
  std::string name = nextName(config.model);
  std::unique_ptr<DriverInstance> instance;
  try {
    instance = DriverInstance::open(name, loader_.load(config.model), config);
  } catch (const Exception& e) {
    if (config.critical) throw;
    Poco::Logger::get("kms.hsm").error(
        fmt::format("hsm::{} (non-critical) is unavailable and kmsd goes on without it: {}", name, e.what()));
    instance = DriverInstance::unavailable(name, config, e.what());
  }
  instances_.push_back(std::move(instance));
  return *instances_.back();
}

DriverInstance* HsmRegistry::find(std::string_view name) const noexcept {
  if (name.substr(0, UidParser::kPrefix.size()) == UidParser::kPrefix) name.remove_prefix(UidParser::kPrefix.size());
  for (const auto& instance : instances_) {
    if (instance->name() == name) return instance.get();
  }
  return nullptr;
}

DriverInstance* HsmRegistry::legacyInstance() const noexcept {
  for (const auto& instance : instances_) {
    if (instance->fromFlatForm()) return instance.get();
  }
  return instances_.size() == 1 ? instances_.front().get() : nullptr;
}

std::optional<HsmRoute> HsmRegistry::route(std::string_view uid) const {
  auto parsed = UidParser::parse(uid);
  if (!parsed) return std::nullopt;
  DriverInstance* instance = parsed->legacy() ? legacyInstance() : find(parsed->instance);
  if (instance == nullptr) {
    throw Exception(ErrorCode::NotFound,
                    parsed->legacy()
                        ? fmt::format("{}: no HSM serves legacy UIDs (configure the flat hsm_* keys, or use "
                                      "hsm::<model>::<slot>::<key>)",
                                      uid)
                        : fmt::format("{}: no HSM instance named hsm::{} is configured", uid, parsed->instance));
  }
  return HsmRoute{instance, std::move(*parsed)};
}

}  // namespace kms::hsm
