#include "kms/kmip/Enums.hpp"

#include "kms/ops/wrapping/KeyWrapper.hpp"

#include <Poco/Logger.h>
#include <fmt/format.h>

#include "kms/Exception.hpp"
#include "kms/ops/attributes/AttributeSet.hpp"
#include "kms/ops/crypto/UsageCheck.hpp"
#include "kms/ops/objects/KeyFormatConverter.hpp"
#include "kms/ops/objects/KeyMaterial.hpp"
#include "kms/ops/wrapping/KeyWrappingData.hpp"
#include "kms/ops/wrapping/WrapCipher.hpp"
#include "kms/ops/wrapping/WrapScheme.hpp"

namespace kms::ops::wrapping {
namespace {

using kmip::KeyFormatType;
using kmip::Ttlv;

// The clear material in the form it is wrapped in, and that form's KeyFormatType.
struct ClearMaterial {
  keys::SecretBytes bytes;
  KeyFormatType format = KeyFormatType::Raw;
};

ClearMaterial clearMaterialOf(const objects::ManagedObject& object) {
  const auto& block = objects::keyBlock(object.object);
  switch (object.objectType) {
    case kmip::ObjectType::SymmetricKey:
      return {objects::symmetricKeyBytes(block), KeyFormatType::Raw};
    case kmip::ObjectType::PrivateKey:
      if (objects::algorithmOf(object).value_or(kmip::CryptographicAlgorithm::RSA) ==
          kmip::CryptographicAlgorithm::RSA) {
        return {objects::rsaPrivatePkcs1(block), KeyFormatType::PKCS_1};
      }
      break;
    default:
      break;
  }
  throw Exception(
      ErrorCode::FeatureNotSupported,
      fmt::format("kmsd wraps symmetric keys and RSA private keys, not a {}", objects::objectTag(object.objectType)));
}

// The clear key block of `material`, in the form the wrapped block records.
Ttlv clearBlockOf(const objects::ManagedObject& object, const Ttlv& wrappedBlock, const keys::SecretBytes& material) {
  const auto format = objects::formatOf(wrappedBlock);
  if (object.objectType == kmip::ObjectType::SymmetricKey && format == KeyFormatType::Raw) {
    const auto* algorithm = wrappedBlock.find("CryptographicAlgorithm");
    return objects::symmetricKeyBlock(material, KeyFormatType::Raw,
                                      algorithm != nullptr
                                          ? static_cast<kmip::CryptographicAlgorithm>(algorithm->asEnumeration())
                                          : kmip::CryptographicAlgorithm::AES);
  }
  if (object.objectType == kmip::ObjectType::PrivateKey && format == KeyFormatType::PKCS_1) {
    return objects::rsaPrivateKeyBlock(material, KeyFormatType::PKCS_1);
  }
  throw Exception(ErrorCode::InternalError, fmt::format("stored object {} has an unexpected wrapped form", object.uid));
}

}  // namespace

void KeyWrapper::wrap(OperationContext& ctx, objects::ManagedObject& object, const WrappingKey& key) {
  auto material = clearMaterialOf(object);
  auto wrapped = WrapCipher::wrap(key, material.bytes);
  auto block =
      KeyWrappingData::write(objects::keyBlock(object.object), material.format, std::move(wrapped), key.canonical);

  auto tag = object.object.tag();
  object.object.wipe();  // the clear block goes; only the wrapped one remains
  object.object = Ttlv::structure(std::move(tag), {std::move(block)});
  object.wrappingKey = key.canonical;
  // KMIP 2.1 4.21 makes Digest optional; a digest of the clear material would let whoever
  // reads the database confirm a guess of the key (or tie it to a copy elsewhere), and one of
  // the wrapped bytes would change with every re-wrap (digests are static): none is kept.
  object.attributes.removeAll("Digest");
  attributes::AttributeSet set(object.attributes);
  set.removeVendorAttribute(ctx.objects.vendors(), kAttributeName);
  set.setVendorAttribute(ctx.settings.vendorIdentification, std::string(kAttributeName),
                         Ttlv::textString("AttributeValue", key.canonical));
}

void KeyWrapper::protect(OperationContext& ctx, objects::ManagedObject& object, const Ttlv& clientAttributes) {
  auto key = WrappingKeys::forNewObject(ctx, clientAttributes, object.objectType);
  const auto* block = object.object.find("KeyBlock");
  if (key && block != nullptr && objects::isWrapped(*block)) {
    if (WrappingKeys::requestedKeyId(ctx, clientAttributes)) {
      throw Exception(ErrorCode::FeatureNotSupported,
                      "the key block is already wrapped by the client: kmsd does not wrap it again");
    }
    key.reset();  // the KEK protects clear keys; this one is protected already
  }
  if (key && block != nullptr) {
    wrap(ctx, object, *key);
    return;
  }
  attributes::AttributeSet(object.attributes).removeVendorAttribute(ctx.objects.vendors(), kAttributeName);
}

void KeyWrapper::unwrapIfAsked(OperationContext& ctx, objects::ManagedObject& object, const Ttlv& payload) {
  if (!isServerWrapped(object)) return;
  const auto* type = payload.find("KeyWrapType");
  if (type == nullptr || type->asEnumeration() != static_cast<std::uint32_t>(kmip::KeyWrapType::NotWrapped)) return;
  if (object.object.find("KeyBlock") == nullptr) return;  // destroyed: nothing to unwrap
  crypto::requireExtractable(object);
  object.object = unwrappedObject(ctx, object);
}

bool KeyWrapper::isLegacyWrapped(const objects::ManagedObject& object) {
  if (!isServerWrapped(object)) return false;
  const auto* block = object.object.find("KeyBlock");
  const auto* data = block != nullptr ? block->find("KeyWrappingData") : nullptr;
  return data != nullptr && KeyWrappingData::scheme(*data) == WrapScheme::Kind::LegacyAesGcm;
}

Ttlv KeyWrapper::unwrappedObject(OperationContext& ctx, const objects::ManagedObject& object, LegacyForm legacy) {
  const auto& block = objects::keyBlock(object.object);
  const auto stored = KeyWrappingData::read(block, object.uid);
  const auto key = WrappingKeys::forServer(ctx, object.wrappingKey);
  const auto scheme = KeyWrappingData::scheme(stored.wrappingData);
  const auto& parameters = KeyWrappingData::parameters(stored.wrappingData);
  const auto material =
      WrapCipher::unwrap(key, scheme, parameters, stored.wrappingData, stored.value.asBytes(), object.uid);
  auto out = Ttlv::structure(object.object.tag(), {clearBlockOf(object, block, material)});
  if (scheme == WrapScheme::Kind::LegacyAesGcm && legacy == LegacyForm::Migrate) migrate(ctx, object, key, out);
  return out;
}

void KeyWrapper::migrate(OperationContext& ctx, const objects::ManagedObject& object, const WrappingKey& key,
                         const Ttlv& clearObject) {
  // Same wrapping key, stronger scheme (never a weaker one): the AES-GCM form, whose IV a holder
  // of `decrypt` on the HSM key could use, leaves the live store. Best effort: the read that
  // triggered it succeeds either way, and a lost version race is retried on the next read.
  objects::ManagedObject migrated = object;
  migrated.object = clearObject;
  auto& log = Poco::Logger::get("kms.ops");
  try {
    wrap(ctx, migrated, key);
    ctx.objects.update(migrated);
    log.information(fmt::format(
        "key {} re-wrapped under {} from legacy AES-GCM to {}", object.uid, key.canonical,
        WrapScheme::name(KeyWrappingData::scheme(*objects::keyBlock(migrated.object).find("KeyWrappingData")))));
  } catch (const Exception& e) {
    migrated.object.wipe();
    log.warning(
        fmt::format("key {} is still wrapped with legacy AES-GCM: re-wrapping it failed: {}", object.uid, e.what()));
  }
}

}  // namespace kms::ops::wrapping
