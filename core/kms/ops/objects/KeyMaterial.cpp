#include "kms/ops/objects/KeyMaterial.hpp"

#include <fmt/format.h>

#include "kms/Exception.hpp"
#include "kms/keys/KeyFormats.hpp"
#include "kms/keys/RsaComponents.hpp"
#include "kms/keys/HmacKey.hpp"
#include "kms/keys/RsaPrivateKey.hpp"
#include "kms/keys/RsaPublicKey.hpp"
#include "kms/keys/SymmetricKey.hpp"
#include "kms/kmip/Dictionary.hpp"

namespace kms::ops::objects {
namespace {

using kmip::KeyFormatType;
using kmip::Ttlv;

[[noreturn]] void unsupportedFormat(KeyFormatType format, std::string_view what) {
  throw Exception(ErrorCode::KeyFormatNotSupported,
                  fmt::format("KeyFormatType {} is not supported for {}",
                              kmip::Dictionary::enumText("KeyFormatType", static_cast<std::uint32_t>(format)), what));
}

const Ttlv& keyValue(const Ttlv& block) {
  if (isWrapped(block)) {
    throw Exception(ErrorCode::FeatureNotSupported, "the key material is wrapped; kmsd cannot use it in that form");
  }
  const auto* value = block.find("KeyValue");
  if (value == nullptr) throw Exception(ErrorCode::InvalidField, "KeyBlock has no KeyValue");
  return *value;
}

const Ttlv& material(const Ttlv& block) {
  return keyValue(block).at("KeyMaterial");
}

const keys::Bytes& byteMaterial(const Ttlv& block) {
  const auto& m = material(block);
  if (m.type() != kmip::ItemType::ByteString) {
    throw Exception(
        ErrorCode::InvalidField,
        fmt::format("KeyMaterial must be a ByteString for KeyFormatType {}",
                    kmip::Dictionary::enumText("KeyFormatType", static_cast<std::uint32_t>(formatOf(block)))));
  }
  return m.asBytes();
}

const Ttlv& structMaterial(const Ttlv& block) {
  const auto& m = material(block);
  if (!m.isStructure()) {
    throw Exception(
        ErrorCode::InvalidField,
        fmt::format("KeyMaterial must be a Structure for KeyFormatType {}",
                    kmip::Dictionary::enumText("KeyFormatType", static_cast<std::uint32_t>(formatOf(block)))));
  }
  return m;
}

keys::Bytes publicMagnitude(const Ttlv& m, std::string_view tag) {
  auto secret = magnitudeOf(m.at(tag));
  return {secret.begin(), secret.end()};
}

keys::SecretBytes privateComponent(const Ttlv& m, std::string_view tag) {
  const auto* item = m.find(tag);
  if (item == nullptr) {
    throw Exception(ErrorCode::KeyFormatNotSupported,
                    fmt::format("TransparentRSAPrivateKey without {}: kmsd needs all eight RSA components", tag));
  }
  return magnitudeOf(*item);
}

std::optional<kmip::CryptographicAlgorithm> blockAlgorithm(const Ttlv& block) {
  if (const auto* a = block.find("CryptographicAlgorithm")) {
    return static_cast<kmip::CryptographicAlgorithm>(a->asEnumeration());
  }
  return std::nullopt;
}

std::optional<std::int32_t> blockLength(const Ttlv& block) {
  if (const auto* l = block.find("CryptographicLength")) return l->asInteger();
  return std::nullopt;
}

void checkLength(const Ttlv& block, std::int32_t actual) {
  auto declared = blockLength(block);
  if (declared && *declared != actual) {
    throw Exception(ErrorCode::InvalidField,
                    fmt::format("CryptographicLength {} does not match the key material ({} bits)", *declared, actual));
  }
}

}  // namespace

std::string objectTag(kmip::ObjectType type) {
  auto name = kmip::Dictionary::enumName("ObjectType", static_cast<std::uint32_t>(type));
  if (!name) throw Exception(ErrorCode::InvalidField, "unknown ObjectType");
  return std::string(*name);
}

const Ttlv& objectIn(const Ttlv& payload, kmip::ObjectType type) {
  const auto tag = objectTag(type);
  if (const auto* object = payload.find(tag)) return *object;
  if (const auto* object = payload.find("Object")) return *object;
  throw Exception(ErrorCode::MissingData, fmt::format("the request carries no {} object", tag));
}

const Ttlv& keyBlock(const Ttlv& object) {
  const auto* block = object.find("KeyBlock");
  if (block == nullptr) {
    throw Exception(ErrorCode::KeyValueNotPresent,
                    fmt::format("the {} has no key material (destroyed?)", object.tag()));
  }
  return *block;
}

KeyFormatType formatOf(const Ttlv& block) {
  return static_cast<KeyFormatType>(block.at("KeyFormatType").asEnumeration());
}

bool isWrapped(const Ttlv& block) {
  if (block.find("KeyWrappingData") != nullptr) return true;
  const auto* value = block.find("KeyValue");
  return value != nullptr && !value->isStructure();
}

keys::Bytes toBigInteger(keys::ByteView magnitude) {
  std::size_t start = 0;
  while (start < magnitude.size() && magnitude[start] == 0) ++start;
  keys::Bytes out;
  out.reserve(magnitude.size() - start + 1);
  if (start == magnitude.size() || (magnitude[start] & 0x80U) != 0) out.push_back(0);
  out.insert(out.end(), magnitude.begin() + static_cast<std::ptrdiff_t>(start), magnitude.end());
  return out;
}

keys::SecretBytes magnitudeOf(const Ttlv& bigInteger) {
  const auto& bytes = bigInteger.asBytes();
  if (!bytes.empty() && (bytes[0] & 0x80U) != 0) {
    throw Exception(ErrorCode::InvalidField, fmt::format("{} is negative", bigInteger.tag()));
  }
  std::size_t start = 0;
  while (start < bytes.size() && bytes[start] == 0) ++start;
  return {bytes.begin() + static_cast<std::ptrdiff_t>(start), bytes.end()};
}

keys::SecretBytes symmetricKeyBytes(const Ttlv& block) {
  switch (formatOf(block)) {
    case KeyFormatType::Raw: {
      const auto& bytes = byteMaterial(block);
      return {bytes.begin(), bytes.end()};
    }
    case KeyFormatType::TransparentSymmetricKey: {
      const auto& bytes = structMaterial(block).at("Key").asBytes();
      return {bytes.begin(), bytes.end()};
    }
    default:
      unsupportedFormat(formatOf(block), "a symmetric key");
  }
}

keys::SecretBytes rsaPrivatePkcs1(const Ttlv& block) {
  switch (formatOf(block)) {
    case KeyFormatType::PKCS_1: {
      const auto& der = byteMaterial(block);
      static_cast<void>(keys::RsaPrivateKey::fromPkcs1Der(der));  // validates
      return {der.begin(), der.end()};
    }
    case KeyFormatType::PKCS_8:
      return keys::KeyFormats::pkcs8PrivateToPkcs1(byteMaterial(block));
    case KeyFormatType::TransparentRSAPrivateKey: {
      const auto& m = structMaterial(block);
      keys::RsaPrivateComponents c;
      c.modulus = publicMagnitude(m, "Modulus");
      if (m.find("PublicExponent") == nullptr) {
        throw Exception(ErrorCode::KeyFormatNotSupported,
                        "TransparentRSAPrivateKey without PublicExponent: kmsd needs all eight RSA components");
      }
      c.publicExponent = publicMagnitude(m, "PublicExponent");
      c.privateExponent = privateComponent(m, "PrivateExponent");
      c.prime1 = privateComponent(m, "P");
      c.prime2 = privateComponent(m, "Q");
      c.exponent1 = privateComponent(m, "PrimeExponentP");
      c.exponent2 = privateComponent(m, "PrimeExponentQ");
      c.coefficient = privateComponent(m, "CRTCoefficient");
      return keys::RsaComponents::privatePkcs1Der(c);
    }
    default:
      unsupportedFormat(formatOf(block), "an RSA private key");
  }
}

keys::Bytes rsaPublicPkcs1(const Ttlv& block) {
  switch (formatOf(block)) {
    case KeyFormatType::PKCS_1: {
      const auto& der = byteMaterial(block);
      static_cast<void>(keys::RsaPublicKey::fromPkcs1Der(der));  // validates
      return der;
    }
    case KeyFormatType::X_509:
    case KeyFormatType::PKCS_8:
      return keys::KeyFormats::spkiToPkcs1Public(byteMaterial(block));
    case KeyFormatType::TransparentRSAPublicKey: {
      const auto& m = structMaterial(block);
      keys::RsaPublicComponents c;
      c.modulus = publicMagnitude(m, "Modulus");
      c.publicExponent = publicMagnitude(m, "PublicExponent");
      return keys::RsaComponents::publicPkcs1Der(c);
    }
    default:
      unsupportedFormat(formatOf(block), "an RSA public key");
  }
}

KeyFacts inspect(kmip::ObjectType type, const Ttlv& object) {
  KeyFacts facts;
  const auto* block = object.find("KeyBlock");
  if (block == nullptr) {
    if (type == kmip::ObjectType::SymmetricKey || type == kmip::ObjectType::PrivateKey ||
        type == kmip::ObjectType::PublicKey || type == kmip::ObjectType::SecretData) {
      throw Exception(ErrorCode::InvalidField, fmt::format("the {} has no KeyBlock", objectTag(type)));
    }
    return facts;  // Certificate, OpaqueObject...: stored as given
  }
  facts.format = formatOf(*block);
  facts.algorithm = blockAlgorithm(*block);
  facts.length = blockLength(*block);
  if (isWrapped(*block)) return facts;
  switch (type) {
    case kmip::ObjectType::SymmetricKey: {
      auto key = symmetricKeyBytes(*block);
      const auto bits = static_cast<std::int32_t>(key.size() * 8);
      if (!facts.algorithm || *facts.algorithm == kmip::CryptographicAlgorithm::AES) {
        if (bits != 128 && bits != 192 && bits != 256) {
          throw Exception(ErrorCode::InvalidField, fmt::format("an AES key is 128, 192 or 256 bits, not {}", bits));
        }
      }
      if (key.empty()) throw Exception(ErrorCode::InvalidField, "empty key material");
      checkLength(*block, bits);
      facts.length = bits;
      break;
    }
    case kmip::ObjectType::PrivateKey:
    case kmip::ObjectType::PublicKey: {
      if (facts.algorithm && *facts.algorithm != kmip::CryptographicAlgorithm::RSA) {
        throw Exception(ErrorCode::FeatureNotSupported, "only RSA private and public keys are supported");
      }
      int bits = 0;
      if (type == kmip::ObjectType::PrivateKey) {
        bits = keys::KeyFormats::rsaModulusBits(rsaPrivatePkcs1(*block));
      } else {
        bits = keys::KeyFormats::rsaModulusBits(rsaPublicPkcs1(*block));
      }
      checkLength(*block, bits);
      facts.algorithm = kmip::CryptographicAlgorithm::RSA;
      facts.length = bits;
      break;
    }
    default:
      break;  // SecretData and the rest: bytes as given
  }
  return facts;
}

std::optional<kmip::CryptographicAlgorithm> algorithmOf(const ManagedObject& object) {
  if (const auto* a = object.attributes.find("CryptographicAlgorithm")) {
    return static_cast<kmip::CryptographicAlgorithm>(a->asEnumeration());
  }
  if (const auto* block = object.object.find("KeyBlock")) return blockAlgorithm(*block);
  return std::nullopt;
}

std::optional<keys::Hash> hmacHash(kmip::CryptographicAlgorithm algorithm) noexcept {
  switch (algorithm) {
    case kmip::CryptographicAlgorithm::HMAC_SHA1:
      return keys::Hash::Sha1;
    case kmip::CryptographicAlgorithm::HMAC_SHA224:
      return keys::Hash::Sha224;
    case kmip::CryptographicAlgorithm::HMAC_SHA256:
      return keys::Hash::Sha256;
    case kmip::CryptographicAlgorithm::HMAC_SHA384:
      return keys::Hash::Sha384;
    case kmip::CryptographicAlgorithm::HMAC_SHA512:
      return keys::Hash::Sha512;
    default:
      return std::nullopt;
  }
}

std::unique_ptr<keys::CryptoKey> cryptoKey(const ManagedObject& object) {
  switch (object.objectType) {
    case kmip::ObjectType::SymmetricKey: {
      const auto algorithm = algorithmOf(object).value_or(kmip::CryptographicAlgorithm::AES);
      if (const auto hash = hmacHash(algorithm)) {
        return std::make_unique<keys::HmacKey>(symmetricKeyBytes(keyBlock(object.object)), *hash);
      }
      if (algorithm != kmip::CryptographicAlgorithm::AES) {
        throw Exception(ErrorCode::FeatureNotSupported, "only AES and HMAC symmetric keys are usable");
      }
      return std::make_unique<keys::SymmetricKey>(symmetricKeyBytes(keyBlock(object.object)));
    }
    case kmip::ObjectType::PrivateKey: {
      const auto algorithm = algorithmOf(object).value_or(kmip::CryptographicAlgorithm::RSA);
      if (algorithm != kmip::CryptographicAlgorithm::RSA) {
        throw Exception(ErrorCode::FeatureNotSupported, "only RSA private keys are supported");
      }
      const auto& block = keyBlock(object.object);
      if (formatOf(block) == KeyFormatType::PKCS_8) {
        return std::make_unique<keys::RsaPrivateKey>(keys::RsaPrivateKey::fromPkcs8Der(byteMaterial(block)));
      }
      return std::make_unique<keys::RsaPrivateKey>(keys::RsaPrivateKey::fromPkcs1Der(rsaPrivatePkcs1(block)));
    }
    case kmip::ObjectType::PublicKey: {
      const auto algorithm = algorithmOf(object).value_or(kmip::CryptographicAlgorithm::RSA);
      if (algorithm != kmip::CryptographicAlgorithm::RSA) {
        throw Exception(ErrorCode::FeatureNotSupported, "only RSA public keys are supported");
      }
      const auto& block = keyBlock(object.object);
      const auto format = formatOf(block);
      if (format == KeyFormatType::X_509 || format == KeyFormatType::PKCS_8) {
        return std::make_unique<keys::RsaPublicKey>(keys::RsaPublicKey::fromSpkiDer(byteMaterial(block)));
      }
      return std::make_unique<keys::RsaPublicKey>(keys::RsaPublicKey::fromPkcs1Der(rsaPublicPkcs1(block)));
    }
    default:
      throw Exception(ErrorCode::IllegalObjectType,
                      fmt::format("a {} is not a key that can be used for cryptography", objectTag(object.objectType)));
  }
}

}  // namespace kms::ops::objects
