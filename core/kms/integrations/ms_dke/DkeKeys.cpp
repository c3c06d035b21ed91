#include "kms/integrations/ms_dke/DkeKeys.hpp"

#include <fmt/format.h>

#include "kms/Exception.hpp"
#include "kms/integrations/ms_dke/DkeRefusal.hpp"
#include "kms/kmip/Enums.hpp"
#include "kms/ops/RequestContext.hpp"
#include "kms/ops/RequestProcessor.hpp"

namespace kms::integrations::ms_dke {

using kmip::Ttlv;

namespace {

template <typename E>
Ttlv enumeration(std::string tag, E value) {
  return Ttlv::enumeration(std::move(tag), static_cast<std::uint32_t>(value));
}

// The reference service answers 400 "Key <name>-<id> not found" for a key it does not hold; a
// key the caller may not see gets the same answer (ops/NotFound).
DkeRefusal notFound(const std::string& keyName, const std::string& uid = {}) {
  return {400, uid.empty() ? fmt::format("Key {} not found", keyName.substr(0, 200))
                           : fmt::format("Key {}-{} not found", keyName.substr(0, 200), uid.substr(0, 200))};
}

// First item tagged `tag` anywhere below `node` (depth first).
const Ttlv* deepFind(const Ttlv& node, std::string_view tag) {
  for (const auto& child : node.items()) {
    if (child.tag() == tag) return &child;
    if (child.isStructure()) {
      if (const Ttlv* found = deepFind(child, tag)) return found;
    }
  }
  return nullptr;
}

SecureBytes magnitude(const SecureBytes& bigInteger) {
  auto first = bigInteger.begin();
  while (first != bigInteger.end() && *first == 0) ++first;
  return {first, bigInteger.end()};
}

}  // namespace

DkeKeys::DkeKeys(ops::RequestProcessor& processor) : processor_(processor) {}

Ttlv DkeKeys::call(const std::string& user, const Ttlv& request) {
  return processor_.process(request, ops::RequestContext{user});
}

Ttlv DkeKeys::attributesOf(const std::string& user, const std::string& keyName, const std::string& uid) {
  Ttlv response;
  try {
    response = call(user, Ttlv::structure("GetAttributes", {Ttlv::textString("UniqueIdentifier", uid)}));
  } catch (const Exception& error) {
    if (error.code() == ErrorCode::NotFound) throw notFound(keyName, uid);
    throw;
  }
  const Ttlv* attributes = response.find("Attributes");
  if (attributes == nullptr) throw notFound(keyName, uid);
  const Ttlv* type = attributes->find("ObjectType");
  const Ttlv* algorithm = attributes->find("CryptographicAlgorithm");
  bool named = false;
  for (const Ttlv* name : attributes->findAll("Name")) {
    const Ttlv* value = name->find("NameValue");
    named = named || (value != nullptr && value->type() == kmip::ItemType::TextString && value->text() == keyName);
  }
  if (type == nullptr || type->number() != static_cast<std::int64_t>(kmip::ObjectType::PrivateKey) ||
      algorithm == nullptr || algorithm->number() != static_cast<std::int64_t>(kmip::CryptographicAlgorithm::RSA) ||
      !named) {
    throw notFound(keyName, uid);
  }
  return *attributes;
}

DkePublicKey DkeKeys::publish(const std::string& user, const std::string& keyName) {
  const Ttlv located = call(
      user,
      Ttlv::structure(
          "Locate",
          {Ttlv::structure("Attributes",
                           {enumeration("ObjectType", kmip::ObjectType::PrivateKey),
                            enumeration("CryptographicAlgorithm", kmip::CryptographicAlgorithm::RSA),
                            Ttlv::structure("Name", {Ttlv::textString("NameValue", keyName),
                                                     enumeration("NameType", kmip::NameType::UninterpretedTextString)}),
                            enumeration("State", kmip::State::Active)})}));
  // Newest first (Locate's order for database keys; HSM keys follow them).
  const Ttlv* first = located.find("UniqueIdentifier");
  if (first == nullptr) throw notFound(keyName);
  const std::string uid = first->asText();

  const Ttlv attributes = attributesOf(user, keyName, uid);
  // A database key pair links its halves; an HSM key pair is <uid> and <uid>_pk (DESIGN section 4).
  std::string publicUid = uid + "_pk";
  for (const Ttlv* link : attributes.findAll("Link")) {
    const Ttlv* linkType = link->find("LinkType");
    const Ttlv* linked = link->find("LinkedObjectIdentifier");
    if (linkType != nullptr && linked != nullptr && linked->type() == kmip::ItemType::TextString &&
        linkType->number() == static_cast<std::int64_t>(kmip::LinkType::PublicKeyLink)) {
      publicUid = linked->text();
    }
  }
  Ttlv got;
  try {
    got = call(user,
               Ttlv::structure("Get", {Ttlv::textString("UniqueIdentifier", publicUid),
                                       enumeration("KeyFormatType", kmip::KeyFormatType::TransparentRSAPublicKey)}));
  } catch (const Exception& error) {
    if (error.code() != ErrorCode::NotFound) throw;
    throw DkeRefusal(400, fmt::format("the public key of key {} is not readable: grant get on {}",
                                      keyName.substr(0, 200), publicUid.substr(0, 200)));
  }
  const Ttlv* modulus = deepFind(got, "Modulus");
  const Ttlv* exponent = deepFind(got, "PublicExponent");
  if (modulus == nullptr || exponent == nullptr) {
    throw Exception(ErrorCode::InternalError, "the public key answer holds no modulus and exponent");
  }
  DkePublicKey key;
  key.privateKeyUid = uid;
  key.modulus = magnitude(modulus->asBytes());
  const SecureBytes e = magnitude(exponent->asBytes());
  // DKE's "e" is a 32-bit number (the reference's uint); RSA keys use 65537.
  if (e.empty() || e.size() > 4) throw Exception(ErrorCode::FeatureNotSupported, "RSA exponent beyond 32 bits");
  for (const auto byte : e) key.exponent = (key.exponent << 8) | byte;
  return key;
}

void DkeKeys::check(const std::string& user, const std::string& keyName, const std::string& uid) {
  static_cast<void>(attributesOf(user, keyName, uid));
}

SecureBytes DkeKeys::decrypt(const std::string& user, const std::string& uid, const SecureBytes& ciphertext) {
  Ttlv answer = call(
      user,
      Ttlv::structure("Decrypt",
                      {Ttlv::textString("UniqueIdentifier", uid),
                       Ttlv::structure("CryptographicParameters",
                                       {enumeration("CryptographicAlgorithm", kmip::CryptographicAlgorithm::RSA),
                                        enumeration("PaddingMethod", kmip::PaddingMethod::OAEP),
                                        enumeration("HashingAlgorithm", kmip::HashingAlgorithm::SHA_256),
                                        enumeration("MaskGenerator", kmip::MaskGenerator::MGF1),
                                        enumeration("MaskGeneratorHashingAlgorithm", kmip::HashingAlgorithm::SHA_256)}),
                       Ttlv::byteString("Data", ciphertext)}));
  Ttlv* data = answer.find("Data");
  if (data == nullptr) throw Exception(ErrorCode::InternalError, "the Decrypt answer holds no Data");
  SecureBytes plaintext = data->asBytes();
  answer.wipe();
  return plaintext;
}

}  // namespace kms::integrations::ms_dke
