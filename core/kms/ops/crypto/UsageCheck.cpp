#include "kms/ops/crypto/UsageCheck.hpp"

#include <string>

#include <fmt/format.h>

#include "kms/Exception.hpp"
#include "kms/kmip/Dictionary.hpp"
#include "kms/ops/attributes/AttributeValues.hpp"

namespace kms::ops::crypto {
namespace {

const kmip::Ttlv* attribute(const objects::ManagedObject& object, std::string_view tag) {
  return object.attributes.find(tag);
}

std::string stateName(kmip::State state) {
  auto name = kmip::Dictionary::enumName("State", static_cast<std::uint32_t>(state));
  return name ? std::string(*name) : fmt::format("{}", static_cast<std::uint32_t>(state));
}

}  // namespace

kmip::State effectiveState(const objects::ManagedObject& object) {
  const auto* stateItem = attribute(object, "State");
  auto state = stateItem != nullptr ? static_cast<kmip::State>(stateItem->asEnumeration()) : kmip::State::PreActive;
  const auto now = attributes::nowSeconds();
  if (state == kmip::State::PreActive) {
    const auto* activation = attribute(object, "ActivationDate");
    if (activation != nullptr && activation->type() == kmip::ItemType::DateTime && activation->asDateTime() <= now) {
      state = kmip::State::Active;
    }
  }
  if (state == kmip::State::Active) {
    const auto* deactivation = attribute(object, "DeactivationDate");
    if (deactivation != nullptr && deactivation->type() == kmip::ItemType::DateTime &&
        deactivation->asDateTime() <= now) {
      state = kmip::State::Deactivated;
    }
  }
  return state;
}

void requireActive(const objects::ManagedObject& object, std::string_view operation) {
  const auto state = effectiveState(object);
  if (state != kmip::State::Active) {
    throw Exception(ErrorCode::WrongKeyLifecycleState,
                    fmt::format("{}: object {} is {}, not Active", operation, object.uid, stateName(state)));
  }
}

void requireProcessable(const objects::ManagedObject& object, std::string_view operation) {
  const auto state = effectiveState(object);
  if (state != kmip::State::Active && state != kmip::State::Deactivated) {
    throw Exception(ErrorCode::WrongKeyLifecycleState, fmt::format("{}: object {} is {}, not Active or Deactivated",
                                                                   operation, object.uid, stateName(state)));
  }
}

void requireUsage(const objects::ManagedObject& object, std::uint32_t bit, std::string_view operation) {
  const auto* mask = attribute(object, "CryptographicUsageMask");
  if (mask == nullptr) return;
  // Unrestricted (KMIP 2.1 section 4.19, 0x00200000) allows every use.
  if ((static_cast<std::uint32_t>(mask->asInteger()) & (bit | kmip::CryptographicUsageMask::Unrestricted)) == 0) {
    auto bitName = kmip::Dictionary::maskNames("CryptographicUsageMask", bit);
    throw Exception(ErrorCode::IncompatibleUsageMask,
                    fmt::format("{}: the usage mask of object {} does not allow {}", operation, object.uid,
                                bitName ? *bitName : std::string(operation)));
  }
}

namespace {

// Fails closed: a value of another type than Boolean (stored before attribute types were
// checked) counts as the protective one.
bool flagOr(const objects::ManagedObject& object, std::string_view tag, bool absent, bool protective) {
  const auto* item = attribute(object, tag);
  if (item == nullptr) return absent;
  return item->type() == kmip::ItemType::Boolean ? item->asBoolean() : protective;
}

}  // namespace

void requireExtractable(const objects::ManagedObject& object, bool clear) {
  // AlwaysSensitive true with Sensitive false, NeverExtractable true with Extractable true:
  // only an edit the attribute rules now refuse makes them, so the stricter flag holds.
  const bool sensitive = flagOr(object, "Sensitive", false, true) || flagOr(object, "AlwaysSensitive", false, false);
  if (clear && sensitive) {
    throw Exception(ErrorCode::Sensitive,
                    fmt::format("object {} is sensitive: its key material is not returned in clear", object.uid));
  }
  const bool extractable =
      flagOr(object, "Extractable", true, false) && !flagOr(object, "NeverExtractable", false, false);
  if (!extractable) {
    throw Exception(ErrorCode::NotExtractable, fmt::format("object {} is not extractable", object.uid));
  }
}

}  // namespace kms::ops::crypto
