#include "kms/ops/objects/KeyFormatConverter.hpp"

#include <string>

#include <fmt/format.h>

#include "kms/Exception.hpp"
#include "kms/keys/KeyFormats.hpp"
#include "kms/keys/RsaComponents.hpp"
#include "kms/kmip/Dictionary.hpp"
#include "kms/ops/objects/KeyMaterial.hpp"
#include "kms/ops/crypto/UsageCheck.hpp"

namespace kms::ops::objects {
namespace {

using kmip::KeyFormatType;
using kmip::Ttlv;

[[noreturn]] void unsupported(KeyFormatType format, std::string_view what) {
  throw Exception(ErrorCode::KeyFormatNotSupported,
                  fmt::format("kmsd cannot return {} as {}", what,
                              kmip::Dictionary::enumText("KeyFormatType", static_cast<std::uint32_t>(format))));
}

template <class Container>
keys::Bytes plain(const Container& c) {
  return keys::Bytes(c.begin(), c.end());
}

Ttlv block(KeyFormatType format, Ttlv material, kmip::CryptographicAlgorithm algorithm, std::int32_t bits) {
  return Ttlv::structure("KeyBlock",
                         {Ttlv::enumeration("KeyFormatType", static_cast<std::uint32_t>(format)),
                          Ttlv::structure("KeyValue", {std::move(material)}),
                          Ttlv::enumeration("CryptographicAlgorithm", static_cast<std::uint32_t>(algorithm)),
                          Ttlv::integer("CryptographicLength", bits)});
}

Ttlv big(std::string tag, keys::ByteView magnitude) {
  return Ttlv::bigInteger(std::move(tag), objects::toBigInteger(magnitude));
}

// Copies the fields of `source` that the conversion does not produce into `converted`.
void keepExtras(const Ttlv& source, Ttlv& converted) {
  for (const auto& item : source.items()) {
    const auto& tag = item.tag();
    if (tag == "KeyCompressionType") converted.add(item);
  }
  const auto* sourceValue = source.find("KeyValue");
  auto* value = converted.find("KeyValue");
  if (sourceValue != nullptr && sourceValue->isStructure() && value != nullptr) {
    for (const auto& item : sourceValue->items()) {
      if (item.tag() != "KeyMaterial") value->add(item);
    }
  }
}

}  // namespace

Ttlv symmetricKeyBlock(const keys::SecretBytes& key, KeyFormatType format, kmip::CryptographicAlgorithm algorithm) {
  const auto bits = static_cast<std::int32_t>(key.size() * 8);
  switch (format) {
    case KeyFormatType::Raw:
      return block(format, Ttlv::byteString("KeyMaterial", plain(key)), algorithm, bits);
    case KeyFormatType::TransparentSymmetricKey:
      return block(format, Ttlv::structure("KeyMaterial", {Ttlv::byteString("Key", plain(key))}), algorithm, bits);
    default:
      unsupported(format, "a symmetric key");
  }
}

Ttlv rsaPrivateKeyBlock(keys::ByteView pkcs1Der, KeyFormatType format) {
  const auto bits = keys::KeyFormats::rsaModulusBits(pkcs1Der);
  const auto rsa = kmip::CryptographicAlgorithm::RSA;
  switch (format) {
    case KeyFormatType::PKCS_1:
      return block(format, Ttlv::byteString("KeyMaterial", plain(pkcs1Der)), rsa, bits);
    case KeyFormatType::PKCS_8:
      return block(format, Ttlv::byteString("KeyMaterial", plain(keys::KeyFormats::pkcs1PrivateToPkcs8(pkcs1Der))), rsa,
                   bits);
    case KeyFormatType::TransparentRSAPrivateKey: {
      const auto c = keys::RsaComponents::privateOf(pkcs1Der);
      return block(
          format,
          Ttlv::structure("KeyMaterial", {big("Modulus", c.modulus), big("PrivateExponent", c.privateExponent),
                                          big("PublicExponent", c.publicExponent), big("P", c.prime1),
                                          big("Q", c.prime2), big("PrimeExponentP", c.exponent1),
                                          big("PrimeExponentQ", c.exponent2), big("CRTCoefficient", c.coefficient)}),
          rsa, bits);
    }
    default:
      unsupported(format, "an RSA private key");
  }
}

Ttlv rsaPublicKeyBlock(keys::ByteView pkcs1Der, KeyFormatType format) {
  const auto bits = keys::KeyFormats::rsaModulusBits(pkcs1Der);
  const auto rsa = kmip::CryptographicAlgorithm::RSA;
  switch (format) {
    case KeyFormatType::PKCS_1:
      return block(format, Ttlv::byteString("KeyMaterial", plain(pkcs1Der)), rsa, bits);
    case KeyFormatType::X_509:
    case KeyFormatType::PKCS_8:
      return block(format, Ttlv::byteString("KeyMaterial", keys::KeyFormats::pkcs1PublicToSpki(pkcs1Der)), rsa, bits);
    case KeyFormatType::TransparentRSAPublicKey: {
      const auto c = keys::RsaComponents::publicOf(pkcs1Der);
      return block(format,
                   Ttlv::structure("KeyMaterial", {big("Modulus", c.modulus), big("PublicExponent", c.publicExponent)}),
                   rsa, bits);
    }
    default:
      unsupported(format, "an RSA public key");
  }
}

Ttlv convert(kmip::ObjectType type, const Ttlv& object, KeyFormatType target) {
  const auto& source = objects::keyBlock(object);
  if (objects::formatOf(source) == target) return object;
  if (objects::isWrapped(source)) {
    throw Exception(ErrorCode::FeatureNotSupported, "a wrapped key is only returned in its stored form");
  }
  Ttlv converted;
  switch (type) {
    case kmip::ObjectType::SymmetricKey: {
      const auto* algorithm = source.find("CryptographicAlgorithm");
      converted =
          symmetricKeyBlock(objects::symmetricKeyBytes(source), target,
                            algorithm != nullptr ? static_cast<kmip::CryptographicAlgorithm>(algorithm->asEnumeration())
                                                 : kmip::CryptographicAlgorithm::AES);
      break;
    }
    case kmip::ObjectType::PrivateKey:
      converted = rsaPrivateKeyBlock(objects::rsaPrivatePkcs1(source), target);
      break;
    case kmip::ObjectType::PublicKey:
      converted = rsaPublicKeyBlock(objects::rsaPublicPkcs1(source), target);
      break;
    default:
      unsupported(target, fmt::format("a {}", objects::objectTag(type)));
  }
  keepExtras(source, converted);
  Ttlv out = Ttlv::structure(object.tag());
  for (const auto& item : object.items()) {
    out.add(item.tag() == "KeyBlock" ? converted : item);
  }
  return out;
}

Ttlv objectToReturn(const ManagedObject& object, const Ttlv& payload, bool allowDestroyed) {
  const auto tag = objects::objectTag(object.objectType);
  const auto* block = object.object.find("KeyBlock");
  const bool hasMaterial = block != nullptr || !object.object.items().empty();
  if (!hasMaterial) {
    if (allowDestroyed) return Ttlv::structure(tag);
    throw Exception(ErrorCode::WrongKeyLifecycleState,
                    fmt::format("object {} has no key material any more (destroyed)", object.uid));
  }
  crypto::requireExtractable(object, block == nullptr || !objects::isWrapped(*block));
  if (payload.find("KeyWrappingSpecification") != nullptr) {
    throw Exception(ErrorCode::FeatureNotSupported, "wrapping a key on Get/Export is not supported yet");
  }
  Ttlv out = Ttlv::structure(tag, object.object.items());
  const auto* requested = payload.find("KeyFormatType");
  if (requested == nullptr || block == nullptr) {
    if (requested != nullptr) {
      throw Exception(ErrorCode::KeyFormatNotSupported,
                      fmt::format("a {} has no key block to return in another format", tag));
    }
    return out;
  }
  return convert(object.objectType, out, static_cast<KeyFormatType>(requested->asEnumeration()));
}

}  // namespace kms::ops::objects
