// Create Key Pair (KMIP 2.1 6.1.9): an RSA key pair.
//
// CommonAttributes / PrivateKeyAttributes / PublicKeyAttributes (the side wins for
// single-instance attributes). CryptographicAlgorithm RSA (required: none is MissingData;
// anything else FeatureNotSupported), CryptographicLength 2048 (default), 3072 or 4096. The private key is
// stored as PKCS_1 and the public key as PKCS_1 (the KMIP default formats, 4.26; the OASIS
// AKLC vectors read back KeyFormatType PKCS_1), unless the side's KeyFormatType asks for
// PKCS_8 / TransparentRSAPrivateKey, resp. X_509 / TransparentRSAPublicKey. The private key
// links to the public key (PublicKeyLink) and back (PrivateKeyLink); the ID placeholder is
// the private key's uid. A UniqueIdentifier in PrivateKeyAttributes (or CommonAttributes) names
// the private key, one in PublicKeyAttributes the public key, else it is the private one + "_pk".
#include "kms/kmip/Enums.hpp"

#include <fmt/format.h>

#include <optional>

#include "kms/Exception.hpp"
#include "kms/keys/KeyGenerator.hpp"
#include "kms/ops/handlers/Handlers.hpp"
#include "kms/ops/attributes/KeyAttributes.hpp"
#include "kms/ops/wrapping/KeyWrapper.hpp"
#include "kms/ops/objects/KeyFormatConverter.hpp"
#include "kms/ops/objects/KeyMaterial.hpp"
#include "kms/ops/objects/NewObject.hpp"
#include "kms/ops/hsmkeys/HsmHandlers.hpp"

namespace kms::ops::handlers {
namespace {

kmip::KeyFormatType requestedFormat(const Ttlv* common, const Ttlv* side, kmip::KeyFormatType fallback) {
  for (const auto* source : {side, common}) {
    if (source == nullptr) continue;
    if (const auto* f = source->find("KeyFormatType")) return static_cast<kmip::KeyFormatType>(f->asEnumeration());
  }
  return fallback;
}

std::string chosenUid(const Ttlv& attributes) {
  const auto* uid = attributes.find("UniqueIdentifier");
  return uid != nullptr && uid->type() == kmip::ItemType::TextString ? uid->text() : std::string();
}

}  // namespace

Ttlv createKeyPair(OperationContext& ctx, const Ttlv& payload) {
  const auto* common = payload.find("CommonAttributes");
  const auto* privateSide = payload.find("PrivateKeyAttributes");
  const auto* publicSide = payload.find("PublicKeyAttributes");
  auto privateAttributes = attributes::mergeKeyPairAttributes(common, privateSide);
  auto publicAttributes = attributes::mergeKeyPairAttributes(common, publicSide);

  // No algorithm is an error, not a default pair: a client that forgot it must not get an RSA
  // key it did not ask for (issue 20).
  auto algorithmOf = [](const Ttlv& attributes) -> std::optional<kmip::CryptographicAlgorithm> {
    const auto* a = attributes.find("CryptographicAlgorithm");
    if (a == nullptr) return std::nullopt;
    return static_cast<kmip::CryptographicAlgorithm>(a->asEnumeration());
  };
  auto lengthOf = [](const Ttlv& attributes) {
    const auto* l = attributes.find("CryptographicLength");
    return l != nullptr ? l->asInteger() : 2048;
  };
  const auto privateAlgorithm = algorithmOf(privateAttributes);
  const auto publicAlgorithm = algorithmOf(publicAttributes);
  if (!privateAlgorithm && !publicAlgorithm) {
    throw Exception(ErrorCode::MissingData,
                    "Create Key Pair needs a CryptographicAlgorithm (RSA) in CommonAttributes, "
                    "PrivateKeyAttributes or PublicKeyAttributes");
  }
  const auto algorithm = privateAlgorithm ? *privateAlgorithm : *publicAlgorithm;
  const auto bits = lengthOf(privateAttributes);
  if (algorithmOf(publicAttributes).value_or(algorithm) != algorithm || lengthOf(publicAttributes) != bits) {
    throw Exception(ErrorCode::InvalidField,
                    "the private and public keys must have the same CryptographicAlgorithm and CryptographicLength");
  }
  if (algorithm != kmip::CryptographicAlgorithm::RSA) {
    throw Exception(ErrorCode::FeatureNotSupported, "Create Key Pair supports RSA only");
  }
  if (bits != 2048 && bits != 3072 && bits != 4096) {
    throw Exception(ErrorCode::InvalidField, fmt::format("an RSA key is 2048, 3072 or 4096 bits, not {}", bits));
  }
  if (attributes::quantumSafeRequested(privateAttributes) || attributes::quantumSafeRequested(publicAttributes)) {
    throw Exception(ErrorCode::GeneralFailure, "NOT_SAFE: RSA is not quantum safe");
  }
  // A pair inside an HSM: the private key's UniqueIdentifier says where.
  auto hsmUid = hsmkeys::requestedUid(privateSide);
  if (!hsmUid) hsmUid = hsmkeys::requestedUid(common);
  if (hsmUid) return hsmkeys::createKeyPair(ctx, *hsmUid, privateAttributes, bits);
  const auto privateFormat = requestedFormat(common, privateSide, kmip::KeyFormatType::PKCS_1);
  const auto publicFormat = requestedFormat(nullptr, publicSide, kmip::KeyFormatType::PKCS_1);
  attributes::applyDefaultUsageMask(privateAttributes, kmip::ObjectType::PrivateKey);
  attributes::applyDefaultUsageMask(publicAttributes, kmip::ObjectType::PublicKey);

  const auto pair = keys::KeyGenerator::rsa(bits);
  auto privateObject =
      Ttlv::structure("PrivateKey", {objects::rsaPrivateKeyBlock(pair.privatePkcs1Der, privateFormat)});
  auto publicObject = Ttlv::structure("PublicKey", {objects::rsaPublicKeyBlock(pair.publicPkcs1Der, publicFormat)});

  // Identifiers of the client's choice: the public key's own, else the private key's with _pk
  // (as for a pair inside an HSM); one in CommonAttributes names the private key.
  const std::string privateUid = chosenUid(privateAttributes);
  std::string publicUid = chosenUid(publicSide != nullptr ? *publicSide : Ttlv::structure("PublicKeyAttributes"));
  if (publicUid.empty() && !privateUid.empty()) publicUid = privateUid + "_pk";
  auto privateKey = objects::NewObject::make(ctx, kmip::ObjectType::PrivateKey, std::move(privateObject),
                                             privateAttributes, privateUid);
  auto publicKey =
      objects::NewObject::make(ctx, kmip::ObjectType::PublicKey, std::move(publicObject), publicAttributes, publicUid);
  attributes::finishKeyAttributes(privateKey, {privateFormat, algorithm, bits});
  attributes::finishKeyAttributes(publicKey, {publicFormat, algorithm, bits});
  attributes::markServerGenerated(privateKey);
  attributes::markServerGenerated(publicKey);
  attributes::addLink(privateKey, kmip::LinkType::PublicKeyLink, publicKey.uid);
  attributes::addLink(publicKey, kmip::LinkType::PrivateKeyLink, privateKey.uid);
  wrapping::KeyWrapper::protect(ctx, privateKey, privateAttributes);
  wrapping::KeyWrapper::protect(ctx, publicKey, publicAttributes);
  ctx.objects.insert({&privateKey, &publicKey});
  ctx.idPlaceholder = privateKey.uid;
  return attributes::responsePayload({Ttlv::textString("PrivateKeyUniqueIdentifier", privateKey.uid),
                                      Ttlv::textString("PublicKeyUniqueIdentifier", publicKey.uid)});
}

}  // namespace kms::ops::handlers
