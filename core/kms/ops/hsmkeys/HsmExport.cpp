// Get, Export and GetAttributes of HSM keys. Public keys are always returned (PKCS_1, X_509 /
// PKCS_8 as SPKI, TransparentRSAPublicKey, through KeyFormatConverter); a secret or private
// key only when it is neither sensitive nor unextractable.
#include "kms/kmip/Enums.hpp"

#include <fmt/format.h>

#include "kms/Exception.hpp"
#include "kms/ops/attributes/AttributeKey.hpp"
#include "kms/ops/attributes/KeyAttributes.hpp"
#include "kms/ops/objects/KeyFormatConverter.hpp"
#include "kms/ops/hsmkeys/HsmHandlers.hpp"
#include "kms/ops/hsmkeys/HsmKeyAccess.hpp"
#include "kms/ops/hsmkeys/HsmKeyAttributes.hpp"

namespace kms::ops::hsmkeys {
namespace {

using kmip::KeyFormatType;

KeyFormatType requestedFormat(const Ttlv& payload, KeyFormatType fallback) {
  const auto* format = payload.find("KeyFormatType");
  return format != nullptr ? static_cast<KeyFormatType>(format->asEnumeration()) : fallback;
}

Ttlv keyObject(const HsmKey& key, const Ttlv& payload) {
  if (payload.find("KeyWrappingSpecification") != nullptr) {
    throw Exception(ErrorCode::FeatureNotSupported, "wrapping on export is not supported for HSM keys");
  }
  const auto type = HsmKeyAttributes::objectType(key.info);
  if (type == kmip::ObjectType::PublicKey) {
    const auto der = key.instance->exportKey(key.ref(), hsm::ExportFormat::Pkcs1);
    return Ttlv::structure("PublicKey", {objects::rsaPublicKeyBlock(keys::ByteView(der.data(), der.size()),
                                                                    requestedFormat(payload, KeyFormatType::PKCS_1))});
  }
  if (key.info.sensitive) {
    throw Exception(ErrorCode::Sensitive,
                    fmt::format("{} is sensitive: its key material never leaves the HSM", key.given));
  }
  if (!key.info.extractable) {
    throw Exception(ErrorCode::NotExtractable, fmt::format("{} is not extractable from the HSM", key.given));
  }
  if (type == kmip::ObjectType::SymmetricKey) {
    const auto raw = key.instance->exportKey(key.ref(), hsm::ExportFormat::Raw);
    return Ttlv::structure("SymmetricKey",
                           {objects::symmetricKeyBlock(raw, requestedFormat(payload, KeyFormatType::Raw))});
  }
  const auto der = key.instance->exportKey(key.ref(), hsm::ExportFormat::Pkcs1);
  return Ttlv::structure("PrivateKey", {objects::rsaPrivateKeyBlock(keys::ByteView(der.data(), der.size()),
                                                                    requestedFormat(payload, KeyFormatType::PKCS_1))});
}

Ttlv getOrExport(OperationContext& ctx, const Ttlv& payload, bool exporting) {
  const auto uid = ctx.uidOrPlaceholder(payload);
  const HsmKey key = HsmKeyAccess::open(ctx, uid, exporting ? "export" : "get");
  auto object = keyObject(key, payload);
  const auto type = HsmKeyAttributes::objectType(key.info);
  std::vector<Ttlv> items{Ttlv::enumeration("ObjectType", static_cast<std::uint32_t>(type)),
                          Ttlv::textString("UniqueIdentifier", uid)};
  if (exporting) {
    ctx.idPlaceholder = uid;
    items.push_back(HsmKeyAttributes::of(uid, key.info));
  }
  items.push_back(std::move(object));
  return attributes::responsePayload(std::move(items));
}

}  // namespace

Ttlv get(OperationContext& ctx, const Ttlv& payload) {
  return getOrExport(ctx, payload, false);
}

Ttlv exportKey(OperationContext& ctx, const Ttlv& payload) {
  return getOrExport(ctx, payload, true);
}

Ttlv getAttributes(OperationContext& ctx, const Ttlv& payload) {
  const auto uid = ctx.uidOrPlaceholder(payload);
  std::vector<attributes::AttributeKey> references;
  for (const auto* reference : payload.findAll("AttributeReference")) {
    references.push_back(attributes::keyOfReference(*reference));
  }
  const HsmKey key = HsmKeyAccess::open(ctx, uid, "getattributes");
  const Ttlv all = HsmKeyAttributes::of(uid, key.info);
  Ttlv attributes = Ttlv::structure("Attributes");
  if (references.empty()) {
    attributes = all;
  } else {
    for (const auto& reference : references) {
      for (const auto index : attributes::instancesOf(all, reference)) attributes.add(all.items()[index]);
    }
  }
  return Ttlv::structure("ResponsePayload", {Ttlv::textString("UniqueIdentifier", uid), std::move(attributes)});
}

}  // namespace kms::ops::hsmkeys
