// Create and CreateKeyPair on an HSM: the key is generated inside the token, labelled with the
// UID's key part (the public key of a pair with "_pk" appended), and nothing is stored.
#include "kms/kmip/Enums.hpp"

#include <fmt/format.h>

#include "kms/Exception.hpp"
#include "kms/ops/attributes/KeyAttributes.hpp"
#include "kms/ops/hsmkeys/HsmHandlers.hpp"
#include "kms/ops/hsmkeys/HsmKeyAccess.hpp"
#include "kms/ops/hsmkeys/HsmKeyAttributes.hpp"

namespace kms::ops::hsmkeys {
namespace {

struct KeyFlags {
  hsm::KeyProtection protection;
  hsm::KeyUsage usage;  // empty: the driver's default
};

// Sensitive by default (DESIGN section 7: keys on an HSM should not leave it).
KeyFlags flagsOf(const Ttlv& attributes) {
  const auto* sensitive = attributes.find("Sensitive");
  const auto* extractable = attributes.find("Extractable");
  KeyFlags out;
  out.protection.sensitive = sensitive == nullptr || sensitive->asBoolean();
  out.protection.extractable = extractable == nullptr || extractable->asBoolean();
  if (const auto* mask = attributes.find("CryptographicUsageMask")) {
    out.usage = HsmKeyAttributes::toHsmUsage(static_cast<std::uint32_t>(mask->asInteger()));
  }
  return out;
}

// Only the instance's hsm_admin users create keys on it. Anyone else gets one answer whether
// the instance and slot exist or not (worded from the UID as given, nothing of the
// configuration); an admin of the instance learns of an unknown slot (404).
HsmKey creatable(OperationContext& ctx, const std::string& uid) {
  // Looked up without HsmRegistry::route, whose exception for an unknown instance would make
  // that answer measurably slower (about 1.4 us over 2000 requests) than a refused real one.
  auto& hsms = HsmKeyAccess::registry(ctx);
  const auto parsed = hsm::UidParser::parse(uid);  // malformed: InvalidField, says what is wrong
  const hsm::DriverInstance* instance = nullptr;
  if (parsed) instance = parsed->legacy() ? hsms.legacyInstance() : hsms.find(parsed->instance);
  if (instance == nullptr || !HsmKeyAccess::isAdmin(*instance, ctx.request.user)) {
    const std::string shown = uid.size() > 128 ? uid.substr(0, 128) + "..." : uid;
    throw Exception(ErrorCode::PermissionDenied,
                    fmt::format("only an hsm_admin of the HSM that '{}' names may create keys on it", shown));
  }
  HsmKey key = HsmKeyAccess::route(ctx, uid);
  if (key.uid.publicKey) {
    throw Exception(ErrorCode::InvalidField,
                    fmt::format("'{}': a key name ending in _pk is reserved for the public key of a pair", uid));
  }
  return key;
}

}  // namespace

std::optional<std::string> requestedUid(const Ttlv* attributes) {
  if (attributes == nullptr) return std::nullopt;
  const auto* uid = attributes->find("UniqueIdentifier");
  if (uid == nullptr || uid->type() != kmip::ItemType::TextString) return std::nullopt;
  if (!hsm::UidParser::isHsmUid(uid->asText())) return std::nullopt;
  return uid->asText();
}

Ttlv create(OperationContext& ctx, const std::string& uid, const Ttlv& attributes, std::int32_t bits) {
  const HsmKey key = creatable(ctx, uid);
  const auto flags = flagsOf(attributes);
  key.instance->generateAes(key.uid.slot, key.uid.key, static_cast<std::uint32_t>(bits), flags.protection, flags.usage);
  ctx.idPlaceholder = uid;
  return attributes::responsePayload(
      {Ttlv::enumeration("ObjectType", static_cast<std::uint32_t>(kmip::ObjectType::SymmetricKey)),
       Ttlv::textString("UniqueIdentifier", uid)});
}

Ttlv createKeyPair(OperationContext& ctx, const std::string& uid, const Ttlv& privateAttributes, std::int32_t bits) {
  const HsmKey key = creatable(ctx, uid);
  const auto flags = flagsOf(privateAttributes);
  key.instance->generateRsa(key.uid.slot, key.uid.key, static_cast<std::uint32_t>(bits), flags.protection, flags.usage);
  ctx.idPlaceholder = uid;
  return attributes::responsePayload({Ttlv::textString("PrivateKeyUniqueIdentifier", uid),
                                      Ttlv::textString("PublicKeyUniqueIdentifier", uid + "_pk")});
}

}  // namespace kms::ops::hsmkeys
