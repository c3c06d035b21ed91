// Create (KMIP 2.1 6.1.8): a fresh AES or HMAC key.
//
// Attributes: CryptographicAlgorithm (default AES; HMAC_SHA1 ... HMAC_SHA512; anything else
// FeatureNotSupported), CryptographicLength (AES: default 256, 128/192/256; HMAC: default the
// digest's length, 112 to 4096 bits in whole bytes; else InvalidField; an HMAC key's usage mask
// defaults to MACGenerate|MACVerify), KeyFormatType (Raw by
// default, or TransparentSymmetricKey; the key is stored in that form), Sensitive,
// Extractable, UniqueIdentifier (the client's choice: objects::NewObject). QuantumSafe true for a key shorter than 256
// bits is refused with GeneralFailure, as QS-M-2 expects (AES-128 offers 64-bit security against Grover).
#include "kms/kmip/Enums.hpp"

#include <fmt/format.h>

#include "kms/Exception.hpp"
#include "kms/keys/Algorithms.hpp"
#include "kms/keys/KeyGenerator.hpp"
#include "kms/keys/Random.hpp"
#include "kms/ops/handlers/Handlers.hpp"
#include "kms/ops/attributes/KeyAttributes.hpp"
#include "kms/ops/objects/KeyFormatConverter.hpp"
#include "kms/ops/objects/KeyMaterial.hpp"
#include "kms/ops/objects/NewObject.hpp"
#include "kms/ops/hsmkeys/HsmHandlers.hpp"
#include "kms/ops/wrapping/KeyWrapper.hpp"

namespace kms::ops::handlers {
namespace {

// HMAC keys: at least 112 bits (NIST SP 800-107's lowest security strength), at most 4096.
constexpr std::int32_t kMinHmacBits = 112;
constexpr std::int32_t kMaxHmacBits = 4096;

}  // namespace

Ttlv create(OperationContext& ctx, const Ttlv& payload) {
  const auto type = static_cast<kmip::ObjectType>(payload.at("ObjectType").asEnumeration());
  if (type != kmip::ObjectType::SymmetricKey) {
    throw Exception(ErrorCode::IllegalObjectType,
                    fmt::format("Create makes symmetric keys, not a {}", objects::objectTag(type)));
  }
  const auto* requested = payload.find("Attributes");
  if (requested == nullptr) requested = payload.find("TemplateAttribute");  // tolerated, read as Attributes
  auto attributes = attributes::clientAttributes(requested);

  const auto* algorithmItem = attributes.find("CryptographicAlgorithm");
  const auto algorithm = algorithmItem != nullptr
                             ? static_cast<kmip::CryptographicAlgorithm>(algorithmItem->asEnumeration())
                             : kmip::CryptographicAlgorithm::AES;
  const auto hmac = objects::hmacHash(algorithm);
  if (algorithm != kmip::CryptographicAlgorithm::AES && !hmac) {
    throw Exception(ErrorCode::FeatureNotSupported,
                    "Create makes AES and HMAC (HMAC_SHA1 ... HMAC_SHA512) symmetric keys only");
  }
  const auto* lengthItem = attributes.find("CryptographicLength");
  const auto bits = lengthItem != nullptr ? lengthItem->asInteger()
                    : hmac                ? static_cast<std::int32_t>(keys::Algorithms::digestLength(*hmac) * 8)
                                          : 256;
  if (!hmac && bits != 128 && bits != 192 && bits != 256) {
    throw Exception(ErrorCode::InvalidField, fmt::format("an AES key is 128, 192 or 256 bits, not {}", bits));
  }
  if (hmac && (bits < kMinHmacBits || bits > kMaxHmacBits || bits % 8 != 0)) {
    throw Exception(ErrorCode::InvalidField, fmt::format("an HMAC key is {} to {} bits, in whole bytes, not {}",
                                                         kMinHmacBits, kMaxHmacBits, bits));
  }
  if (attributes::quantumSafeRequested(attributes) && bits < 256) {
    throw Exception(ErrorCode::GeneralFailure, fmt::format("NOT_SAFE: AES-{} is not quantum safe", bits));
  }
  // A key inside an HSM: the request's UniqueIdentifier says where; nothing is stored here.
  if (const auto hsmUid = hsmkeys::requestedUid(requested)) {
    if (hmac) throw Exception(ErrorCode::FeatureNotSupported, "HMAC keys inside an HSM are not supported yet");
    return hsmkeys::create(ctx, *hsmUid, attributes, bits);
  }
  auto format = kmip::KeyFormatType::Raw;
  if (requested != nullptr) {
    if (const auto* f = requested->find("KeyFormatType")) format = static_cast<kmip::KeyFormatType>(f->asEnumeration());
  }
  if (format != kmip::KeyFormatType::Raw && format != kmip::KeyFormatType::TransparentSymmetricKey) {
    throw Exception(ErrorCode::KeyFormatNotSupported, "a symmetric key is created as Raw or TransparentSymmetricKey");
  }
  if (hmac && attributes.find("CryptographicUsageMask") == nullptr) {
    attributes.add(
        Ttlv::integer("CryptographicUsageMask", static_cast<std::int32_t>(kmip::CryptographicUsageMask::MACGenerate |
                                                                          kmip::CryptographicUsageMask::MACVerify)));
  }
  attributes::applyDefaultUsageMask(attributes, type);

  auto key = hmac ? keys::Random::secretBytes(static_cast<std::size_t>(bits / 8)) : keys::KeyGenerator::aes(bits);
  auto object = Ttlv::structure("SymmetricKey", {objects::symmetricKeyBlock(key, format)});
  auto managed = objects::NewObject::make(ctx, type, std::move(object), attributes);
  attributes::finishKeyAttributes(managed, {format, algorithm, bits});
  attributes::markServerGenerated(managed);
  wrapping::KeyWrapper::protect(ctx, managed, attributes);
  ctx.objects.insert({&managed});
  ctx.idPlaceholder = managed.uid;
  return attributes::responsePayload({Ttlv::enumeration("ObjectType", static_cast<std::uint32_t>(type)),
                                      Ttlv::textString("UniqueIdentifier", managed.uid)});
}

}  // namespace kms::ops::handlers
