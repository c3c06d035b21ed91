#include "kms/ops/wrapping/KeyWrapper.hpp"

#include <Poco/Logger.h>
#include <fmt/format.h>

#include <array>
#include <optional>

#include "kms/Exception.hpp"
#include "kms/keys/AesKeyWrap.hpp"
#include "kms/keys/Random.hpp"
#include "kms/ops/attributes/AttributeSet.hpp"
#include "kms/ops/objects/KeyFormatConverter.hpp"
#include "kms/ops/objects/KeyMaterial.hpp"
#include "kms/ops/crypto/UsageCheck.hpp"
#include "kms/ops/hsmkeys/HsmKeyAccess.hpp"
#include "kms/ops/wrapping/AesEnvelope.hpp"
#include "kms/ops/wrapping/WrapScheme.hpp"

namespace kms::ops::wrapping {
namespace {

using kmip::KeyFormatType;
using kmip::Ttlv;

// Legacy AES-GCM wraps (read only): the tag length when the record does not say.
constexpr std::uint32_t kGcmTagBytes = 16;

struct OaepHash {
  keys::Hash driver;
  kmip::HashingAlgorithm kmip;
  std::size_t bytes;
};
// Strongest first: the first the token supports and whose OAEP capacity fits the key wins.
constexpr std::array kOaepHashes{
    OaepHash{keys::Hash::Sha512, kmip::HashingAlgorithm::SHA_512, 64},
    OaepHash{keys::Hash::Sha384, kmip::HashingAlgorithm::SHA_384, 48},
    OaepHash{keys::Hash::Sha256, kmip::HashingAlgorithm::SHA_256, 32},
    OaepHash{keys::Hash::Sha1, kmip::HashingAlgorithm::SHA_1, 20},
};

Exception unavailable(const hsm::DriverInstance& instance, const Exception& e) {
  const std::string_view what = e.what();
  if (what.starts_with("HSM unavailable")) return e;
  return Exception(ErrorCode::Unavailable, fmt::format("HSM unavailable: {}: {}", instance.name(), what));
}

// Every HSM call of this file: an HSM that cannot be reached says so, naming the instance, so
// that an operator tells "the HSM is down" from "this key is wrong".
template <class Fn>
auto hsmCall(const hsm::DriverInstance& instance, Fn fn) {
  try {
    return fn();
  } catch (const Exception& e) {
    if (e.code() != ErrorCode::Unavailable) throw;
    throw unavailable(instance, e);
  }
}

WrappingKey fromHsmKey(const hsmkeys::HsmKey& key) {
  WrappingKey out;
  out.instance = key.instance;
  out.canonical = key.canonical;
  out.info = key.info;
  out.wrapRef = key.ref();
  out.unwrapRef = key.ref();
  switch (key.info.type) {
    case hsm::KeyType::Aes:
    case hsm::KeyType::RsaPrivate:  // the driver encrypts with its pair's "<label>_pk"
      break;
    case hsm::KeyType::RsaPublic:
      if (!key.uid.publicKey) {
        throw Exception(ErrorCode::FeatureNotSupported,
                        fmt::format("{} is an RSA public key whose label does not end in _pk: kmsd could not find "
                                    "the private key that unwraps",
                                    key.given));
      }
      out.unwrapRef = hsm::KeyRef{key.uid.slot, key.uid.pairLabel(), {}};
      break;
    case hsm::KeyType::Unknown:
      throw Exception(ErrorCode::InvalidField, fmt::format("{} is not an AES or RSA key: it cannot wrap", key.given));
  }
  return out;
}

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

struct Wrapped {
  keys::Bytes value;
  Ttlv parameters;  // CryptographicParameters
};

// Never AES-GCM (docs/wrapped-keys.md, "Why kmsd never wraps with AES-GCM"): AES key wrap
// with padding of the material when the token takes it, else the envelope of AesEnvelope.hpp
// (the token key-wraps a fresh AES-256 key, which key-wraps the material in kmsd).
Wrapped wrapAes(const WrappingKey& key, const keys::SecretBytes& material) {
  const auto slot = key.wrapRef.slot;
  if (!hsmCall(*key.instance, [&] { return key.instance->supports(slot, hsm::Mechanism::AesKeyWrapPad); })) {
    throw Exception(ErrorCode::FeatureNotSupported,
                    fmt::format("{}: the token offers no AES key wrap with padding, and kmsd never wraps with "
                                "AES-GCM",
                                key.canonical));
  }
  hsm::CryptParams params;
  params.mechanism = hsm::Mechanism::AesKeyWrapPad;
  try {
    auto value = hsmCall(*key.instance, [&] { return key.instance->wrap(key.wrapRef, params, material); });
    return {std::move(value), WrapScheme::aesParameters(WrapScheme::Kind::AesKeyWrapPad)};
  } catch (const Exception& e) {
    // Some tokens key-wrap whole 8-byte blocks only (SoftHSM2): the envelope serves the rest.
    if (e.code() != ErrorCode::FeatureNotSupported) throw;
  }
  auto value = AesEnvelope::seal(material, [&](const keys::SecretBytes& ephemeral) {
    return hsmCall(*key.instance, [&] { return key.instance->wrap(key.wrapRef, params, ephemeral); });
  });
  return {std::move(value), WrapScheme::aesParameters(WrapScheme::Kind::AesEnvelope)};
}

// RSA-OAEP of the material itself when it fits; otherwise RSA-AES key wrapping (PKCS#11
// CKM_RSA_AES_KEY_WRAP): a fresh AES-256 key wraps the material in software (RFC 5649) and the
// HSM wraps that AES key with RSA-OAEP. Stored value: OAEP block || AES-wrapped material, and
// BlockCipherMode AESKeyWrapPadding next to PaddingMethod OAEP says so.
Wrapped wrapRsa(const WrappingKey& key, const keys::SecretBytes& material) {
  constexpr std::size_t kEphemeralBytes = 32;
  const std::size_t modulusBytes = key.info.bits / 8;
  for (const auto& hash : kOaepHashes) {
    if (modulusBytes < 2 * hash.bytes + 2) continue;
    const std::size_t capacity = modulusBytes - 2 * hash.bytes - 2;
    const bool hybrid = material.size() > capacity;
    if (hybrid && capacity < kEphemeralBytes) continue;
    if (!hsmCall(*key.instance,
                 [&] { return key.instance->supports(key.wrapRef.slot, hsm::Mechanism::RsaOaep, hash.driver); })) {
      continue;
    }
    hsm::CryptParams params;
    params.mechanism = hsm::Mechanism::RsaOaep;
    params.hash = hash.driver;
    params.mgfHash = hash.driver;
    try {
      keys::Bytes value;
      if (hybrid) {
        const auto ephemeral = keys::Random::secretBytes(kEphemeralBytes);
        value = hsmCall(*key.instance, [&] { return key.instance->wrap(key.wrapRef, params, ephemeral); });
        const auto tail = keys::AesKeyWrap::wrap(ephemeral, material);
        value.insert(value.end(), tail.begin(), tail.end());
      } else {
        value = hsmCall(*key.instance, [&] { return key.instance->wrap(key.wrapRef, params, material); });
      }
      const auto hashing = static_cast<std::uint32_t>(hash.kmip);
      std::vector<Ttlv> parameters{
          Ttlv::enumeration("PaddingMethod", static_cast<std::uint32_t>(kmip::PaddingMethod::OAEP)),
          Ttlv::enumeration("HashingAlgorithm", hashing),
          Ttlv::enumeration("CryptographicAlgorithm", static_cast<std::uint32_t>(kmip::CryptographicAlgorithm::RSA)),
          Ttlv::enumeration("MaskGenerator", static_cast<std::uint32_t>(kmip::MaskGenerator::MGF1)),
          Ttlv::enumeration("MaskGeneratorHashingAlgorithm", hashing)};
      if (hybrid) {
        parameters.push_back(
            Ttlv::enumeration("BlockCipherMode", static_cast<std::uint32_t>(kmip::BlockCipherMode::AESKeyWrapPadding)));
      }
      return {std::move(value), Ttlv::structure("CryptographicParameters", std::move(parameters))};
    } catch (const Exception& e) {
      if (e.code() != ErrorCode::FeatureNotSupported) throw;
    }
  }
  throw Exception(
      ErrorCode::FeatureNotSupported,
      fmt::format("{}: the token supports no RSA-OAEP hash that fits this {}-bit key", key.canonical, key.info.bits));
}

std::uint32_t enumIn(const Ttlv& parameters, std::string_view tag) {
  const auto* item = parameters.find(tag);
  return item != nullptr ? item->asEnumeration() : 0;
}

keys::Hash driverHash(std::uint32_t kmipHash) {
  for (const auto& hash : kOaepHashes) {
    if (static_cast<std::uint32_t>(hash.kmip) == kmipHash) return hash.driver;
  }
  throw Exception(ErrorCode::InternalError, "a stored wrapped key names an unknown OAEP hash");
}

const Ttlv& storedParameters(const Ttlv& wrappingData) {
  const auto* info = wrappingData.find("EncryptionKeyInformation");
  const auto* parameters = info != nullptr ? info->find("CryptographicParameters") : nullptr;
  if (parameters == nullptr) throw Exception(ErrorCode::InternalError, "a stored wrapped key has no parameters");
  return *parameters;
}

// The driver parameters that undo what wrap() recorded in the key block (for the two-layer
// schemes: those of the HSM layer).
hsm::CryptParams unwrapParams(const Ttlv& wrappingData, WrapScheme::Kind scheme) {
  const auto& parameters = storedParameters(wrappingData);
  hsm::CryptParams params;
  switch (scheme) {
    case WrapScheme::Kind::RsaOaep:
    case WrapScheme::Kind::RsaAes:
      params.mechanism = hsm::Mechanism::RsaOaep;
      params.hash = driverHash(enumIn(parameters, "HashingAlgorithm"));
      params.mgfHash = driverHash(enumIn(parameters, "MaskGeneratorHashingAlgorithm"));
      return params;
    case WrapScheme::Kind::AesKeyWrapPad:
    case WrapScheme::Kind::AesEnvelope:
      params.mechanism = hsm::Mechanism::AesKeyWrapPad;
      return params;
    case WrapScheme::Kind::LegacyAesGcm: {
      // Kept so that keys wrapped before issue 22 stay readable; never written again.
      const auto* iv = wrappingData.find("IVCounterNonce");
      if (iv == nullptr) throw Exception(ErrorCode::InternalError, "a stored AES-GCM wrapped key has no IV");
      params.mechanism = hsm::Mechanism::AesGcm;
      params.iv = iv->asBytes();
      const auto* tag = parameters.find("TagLength");
      params.tagLength = tag != nullptr ? static_cast<std::uint32_t>(tag->asInteger()) : kGcmTagBytes;
      return params;
    }
  }
  throw Exception(ErrorCode::InternalError, "a stored wrapped key names an unknown wrapping method");
}

// route, rights for `operation` (none for the server's own use), then what the HSM says of the
// key; an HSM that cannot be reached is named.
WrappingKey resolve(OperationContext& ctx, const std::string& uid, std::optional<std::string_view> operation) {
  auto key = hsmkeys::HsmKeyAccess::route(ctx, uid);
  if (operation) hsmkeys::HsmKeyAccess::authorize(ctx, key, *operation);
  hsmCall(*key.instance, [&] {
    hsmkeys::HsmKeyAccess::describe(key);
    return 0;
  });
  return fromHsmKey(key);
}

}  // namespace

std::optional<std::string> KeyWrapper::requestedKeyId(const OperationContext& ctx, const Ttlv& attributes) {
  Ttlv copy = attributes;
  const attributes::AttributeSet set(copy);
  const auto* value = set.vendorAttribute(ctx.objects.vendors(), kAttributeName);
  if (value == nullptr) return std::nullopt;
  std::string id;
  if (value->type() == kmip::ItemType::TextString) {
    id = value->asText();
  } else if (value->type() == kmip::ItemType::ByteString) {
    const auto& bytes = value->asBytes();
    id.assign(bytes.begin(), bytes.end());
  } else {
    throw Exception(ErrorCode::InvalidField, "vendor attribute wrapping_key_id must be a TextString or ByteString");
  }
  if (id.empty()) throw Exception(ErrorCode::InvalidField, "vendor attribute wrapping_key_id is empty");
  return id;
}

std::optional<WrappingKey> KeyWrapper::forNewObject(OperationContext& ctx, const Ttlv& attributes,
                                                    kmip::ObjectType type) {
  const auto requested = requestedKeyId(ctx, attributes);
  // A key pair's attributes reach both halves: the public one is simply not wrapped.
  if (type == kmip::ObjectType::PublicKey) return std::nullopt;
  if (type != kmip::ObjectType::SymmetricKey && type != kmip::ObjectType::PrivateKey) {
    if (requested) {
      throw Exception(ErrorCode::FeatureNotSupported,
                      fmt::format("kmsd wraps symmetric keys and private keys, not a {}", objects::objectTag(type)));
    }
    return std::nullopt;
  }
  if (requested) {
    if (!hsm::UidParser::isHsmUid(*requested)) {
      throw Exception(ErrorCode::FeatureNotSupported,
                      "wrapping_key_id must name an HSM key (hsm::...): keys are wrapped in the HSM");
    }
    // The product's rule: the HSM admin, or whoever may encrypt with the wrapping key.
    return resolve(ctx, *requested, "encrypt");
  }
  if (!ctx.settings.keyEncryptionKey.empty()) return forServer(ctx, ctx.settings.keyEncryptionKey);
  return std::nullopt;
}

WrappingKey KeyWrapper::forServer(OperationContext& ctx, const std::string& uid) {
  return resolve(ctx, uid, std::nullopt);
}

void KeyWrapper::wrap(OperationContext& ctx, objects::ManagedObject& object, const WrappingKey& key) {
  auto material = clearMaterialOf(object);
  auto wrapped = key.info.type == hsm::KeyType::Aes ? wrapAes(key, material.bytes) : wrapRsa(key, material.bytes);

  const auto& clear = objects::keyBlock(object.object);
  std::vector<Ttlv> block{Ttlv::enumeration("KeyFormatType", static_cast<std::uint32_t>(material.format)),
                          Ttlv::byteString("KeyValue", std::move(wrapped.value))};
  for (const auto* tag : {"CryptographicAlgorithm", "CryptographicLength"}) {
    if (const auto* item = clear.find(tag)) block.push_back(*item);
  }
  std::vector<Ttlv> data{
      Ttlv::enumeration("WrappingMethod", static_cast<std::uint32_t>(kmip::WrappingMethod::Encrypt)),
      Ttlv::structure("EncryptionKeyInformation",
                      {Ttlv::textString("UniqueIdentifier", key.canonical), std::move(wrapped.parameters)})};
  data.push_back(Ttlv::enumeration("EncodingOption", static_cast<std::uint32_t>(kmip::EncodingOption::NoEncoding)));
  block.push_back(Ttlv::structure("KeyWrappingData", std::move(data)));

  auto tag = object.object.tag();
  object.object.wipe();  // the clear block goes; only the wrapped one remains
  object.object = Ttlv::structure(std::move(tag), {Ttlv::structure("KeyBlock", std::move(block))});
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
  auto key = forNewObject(ctx, clientAttributes, object.objectType);
  const auto* block = object.object.find("KeyBlock");
  if (key && block != nullptr && objects::isWrapped(*block)) {
    if (requestedKeyId(ctx, clientAttributes)) {
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
  return data != nullptr && WrapScheme::of(*data) == WrapScheme::Kind::LegacyAesGcm;
}

Ttlv KeyWrapper::unwrappedObject(OperationContext& ctx, const objects::ManagedObject& object, LegacyForm legacy) {
  const auto& block = objects::keyBlock(object.object);
  const auto* data = block.find("KeyWrappingData");
  const auto* value = block.find("KeyValue");
  if (data == nullptr || value == nullptr || value->type() != kmip::ItemType::ByteString) {
    throw Exception(ErrorCode::InternalError, fmt::format("stored object {} is not a wrapped key block", object.uid));
  }
  const auto key = forServer(ctx, object.wrappingKey);
  const auto scheme = WrapScheme::of(*data);
  const auto params = unwrapParams(*data, scheme);
  const auto& wrapped = value->asBytes();
  keys::SecretBytes material;
  if (scheme == WrapScheme::Kind::RsaAes) {
    const std::size_t head = key.info.bits / 8;
    if (wrapped.size() <= head) {
      throw Exception(ErrorCode::InternalError, fmt::format("stored object {} is truncated", object.uid));
    }
    const keys::Bytes oaep(wrapped.begin(), wrapped.begin() + static_cast<std::ptrdiff_t>(head));
    const auto ephemeral = hsmCall(*key.instance, [&] { return key.instance->unwrap(key.unwrapRef, params, oaep); });
    material = keys::AesKeyWrap::unwrap(ephemeral, keys::ByteView(wrapped).subspan(head));
  } else if (scheme == WrapScheme::Kind::AesEnvelope) {
    material = AesEnvelope::open(wrapped, [&](const keys::Bytes& head) {
      return hsmCall(*key.instance, [&] { return key.instance->unwrap(key.unwrapRef, params, head); });
    });
  } else {
    material = hsmCall(*key.instance, [&] { return key.instance->unwrap(key.unwrapRef, params, wrapped); });
  }

  const auto format = objects::formatOf(block);
  Ttlv clear;
  if (object.objectType == kmip::ObjectType::SymmetricKey && format == KeyFormatType::Raw) {
    const auto* algorithm = block.find("CryptographicAlgorithm");
    clear = objects::symmetricKeyBlock(material, KeyFormatType::Raw,
                                       algorithm != nullptr
                                           ? static_cast<kmip::CryptographicAlgorithm>(algorithm->asEnumeration())
                                           : kmip::CryptographicAlgorithm::AES);
  } else if (object.objectType == kmip::ObjectType::PrivateKey && format == KeyFormatType::PKCS_1) {
    clear = objects::rsaPrivateKeyBlock(material, KeyFormatType::PKCS_1);
  } else {
    throw Exception(ErrorCode::InternalError,
                    fmt::format("stored object {} has an unexpected wrapped form", object.uid));
  }
  auto out = Ttlv::structure(object.object.tag(), {std::move(clear)});
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
    log.information(
        fmt::format("key {} re-wrapped under {} from legacy AES-GCM to {}", object.uid, key.canonical,
                    WrapScheme::name(WrapScheme::of(*objects::keyBlock(migrated.object).find("KeyWrappingData")))));
  } catch (const Exception& e) {
    migrated.object.wipe();
    log.warning(
        fmt::format("key {} is still wrapped with legacy AES-GCM: re-wrapping it failed: {}", object.uid, e.what()));
  }
}

}  // namespace kms::ops::wrapping
