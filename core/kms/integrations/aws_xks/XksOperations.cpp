#include "kms/integrations/aws_xks/XksOperations.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <algorithm>
#include <array>
#include <optional>
#include <sstream>
#include <utility>

#include "kms/Exception.hpp"
#include "kms/audit/AuditLog.hpp"
#include "kms/Base64.hpp"
#include "kms/integrations/aws_xks/CiphertextBinding.hpp"
#include "kms/integrations/aws_xks/XksBody.hpp"
#include "kms/integrations/aws_xks/RequestMetadata.hpp"
#include "kms/integrations/aws_xks/XksError.hpp"
#include "kms/kmip/Enums.hpp"
#include "kms/kmip/Ttlv.hpp"
#include "kms/ops/RequestProcessor.hpp"

namespace kms::integrations::aws_xks {
namespace {

using kmip::Ttlv;
using Bytes = kms::SecureBytes;

// What kmsd puts in ciphertextMetadata: the format of its AAD framing (version 1: the
// specification's lengths), so that a later format can still decrypt what this one made.
const Bytes& metadataV1() {
  static const Bytes value{0x01};
  return value;
}

constexpr std::size_t kTagBytes = 16;

// A Base64 member; nullopt when absent. `tooLarge` names the error of a value above `limit`.
std::optional<Bytes> base64Field(const XksBody& body, const std::string& name, std::size_t limit,
                                 XksErrorName tooLarge) {
  if (!body.has(name)) return std::nullopt;
  const std::string* value = body.text(name);
  if (value == nullptr) throw XksError(XksErrorName::ValidationException, name + " is not a string");
  const std::string& text = *value;
  // Base64 of `limit` bytes is at most this long: refuse before decoding.
  if (text.size() > (limit + 2) / 3 * 4) throw XksError(tooLarge, name + " is larger than supported");
  auto bytes = Base64::decode(text);
  if (!bytes) throw XksError(XksErrorName::ValidationException, name + " is not Base64");
  if (bytes->size() > limit) throw XksError(tooLarge, name + " is larger than supported");
  return bytes;
}

Bytes requiredBase64(const XksBody& body, const std::string& name, std::size_t limit, XksErrorName tooLarge) {
  auto bytes = base64Field(body, name, limit, tooLarge);
  if (!bytes) throw XksError(XksErrorName::ValidationException, name + " is missing");
  return std::move(*bytes);
}

void requireText(const XksBody& body, const std::string& name, std::string_view expected, bool required) {
  if (!body.has(name)) {
    if (required) throw XksError(XksErrorName::ValidationException, name + " is missing");
    return;
  }
  const std::string* value = body.text(name);
  if (value == nullptr || *value != expected) {
    throw XksError(XksErrorName::ValidationException, name + " must be " + std::string(expected));
  }
}

Ttlv gcmParameters() {
  return Ttlv::structure(
      "CryptographicParameters",
      {Ttlv::enumeration("BlockCipherMode", static_cast<std::uint32_t>(kmip::BlockCipherMode::GCM)),
       Ttlv::enumeration("CryptographicAlgorithm", static_cast<std::uint32_t>(kmip::CryptographicAlgorithm::AES)),
       Ttlv::integer("TagLength", static_cast<std::int32_t>(kTagBytes))});
}

const Bytes& bytesOf(const Ttlv& response, std::string_view tag) {
  const Ttlv* item = response.find(tag);
  if (item == nullptr) {
    throw XksError(XksErrorName::InternalException, "the key manager's answer lacks " + std::string(tag));
  }
  return item->asBytes();
}

std::string keySpecOf(const Ttlv* algorithm, const Ttlv* length) {
  const std::string bits = length != nullptr ? std::to_string(length->asInteger()) : "0";
  if (algorithm == nullptr) return "UNKNOWN";
  switch (static_cast<kmip::CryptographicAlgorithm>(algorithm->asEnumeration())) {
    case kmip::CryptographicAlgorithm::AES:
      return "AES_" + bits;
    case kmip::CryptographicAlgorithm::RSA:
      return "RSA_" + bits;
    default:
      return "OTHER";
  }
}

}  // namespace

XksOperations::XksOperations(ops::RequestProcessor& processor, std::string user)
    : processor_(processor), context_{std::move(user)} {
  context_.transport = "aws-xks";
}

ops::RequestContext XksOperations::contextFor(const XksBody* body) const {
  ops::RequestContext context = context_;
  if (body == nullptr || audit::AuditLog::current() == nullptr) return context;  // read for the audit log only
  try {
    const RequestMetadata metadata = RequestMetadata::read(*body, false);
    for (const auto& [name, value] :
         {std::pair{"awsPrincipalArn", &metadata.awsPrincipalArn}, std::pair{"kmsKeyArn", &metadata.kmsKeyArn},
          std::pair{"kmsRequestId", &metadata.kmsRequestId}, std::pair{"kmsOperation", &metadata.kmsOperation}}) {
      if (!value->empty()) context.auditFields.emplace_back(name, *value);
    }
    if (!metadata.kmsRequestId.empty()) context.requestId = metadata.kmsRequestId;
  } catch (const std::exception&) {  // NOLINT(bugprone-empty-catch): the handler already refused bad metadata
  }
  return context;
}

std::string XksOperations::metadata(const std::string& uid, const XksBody* body) const {
  const ops::RequestContext context = contextFor(body);
  Ttlv response;
  try {
    response =
        processor_.process(Ttlv::structure("GetAttributes", {Ttlv::textString("UniqueIdentifier", uid)}), context);
  } catch (const kms::Exception& error) {
    throw XksError::fromKms(error, false);
  }
  const Ttlv* attributes = response.find("Attributes");
  if (attributes == nullptr) throw XksError(XksErrorName::InternalException, "GetAttributes answered no attributes");
  const Ttlv* mask = attributes->find("CryptographicUsageMask");
  const std::uint32_t usage = mask != nullptr ? static_cast<std::uint32_t>(mask->asInteger()) : 0;
  using Usage = kmip::CryptographicUsageMask;
  // ENCRYPT and DECRYPT are what AWS looks for; the others as PKCS#11 names them (at most ten).
  constexpr std::array<std::pair<std::uint32_t, const char*>, 7> kUsages{{{Usage::Encrypt, "ENCRYPT"},
                                                                          {Usage::Decrypt, "DECRYPT"},
                                                                          {Usage::Sign, "SIGN"},
                                                                          {Usage::Verify, "VERIFY"},
                                                                          {Usage::WrapKey, "WRAP"},
                                                                          {Usage::UnwrapKey, "UNWRAP"},
                                                                          {Usage::DeriveKey, "DERIVE"}}};
  const bool unrestricted = (usage & Usage::Unrestricted) != 0;
  Poco::JSON::Array::Ptr keyUsage = new Poco::JSON::Array;
  for (const auto& [bit, name] : kUsages) {
    if (unrestricted || (usage & bit) != 0) keyUsage->add(std::string(name));
  }
  const Ttlv* state = attributes->find("State");
  const bool active = state != nullptr && state->asEnumeration() == static_cast<std::uint32_t>(kmip::State::Active);
  Poco::JSON::Object out;
  out.set("keySpec", keySpecOf(attributes->find("CryptographicAlgorithm"), attributes->find("CryptographicLength")));
  out.set("keyUsage", keyUsage);
  out.set("keyStatus", std::string(active ? "ENABLED" : "DISABLED"));
  std::ostringstream text;
  out.stringify(text);
  return text.str();
}

std::string XksOperations::encrypt(const std::string& uid, const XksBody& body) const {
  requireText(body, "encryptionAlgorithm", "AES_GCM", true);
  requireText(body, "ciphertextDataIntegrityValueAlgorithm", "SHA_256", false);
  const bool integrity = body.has("ciphertextDataIntegrityValueAlgorithm");
  Bytes plaintext = requiredBase64(body, "plaintext", kMaxData, XksErrorName::UnsupportedOperationException);
  if (plaintext.empty()) throw XksError(XksErrorName::ValidationException, "plaintext is empty");
  const Bytes aad = base64Field(body, "additionalAuthenticatedData", CiphertextBinding::kMaxAad,
                                XksErrorName::UnsupportedOperationException)
                        .value_or(Bytes{});
  const Bytes gcmAad = CiphertextBinding::gcmAad(aad, metadataV1());
  const ops::RequestContext context = contextFor(&body);

  Ttlv response;
  try {
    response = processor_.process(
        Ttlv::structure(
            "Encrypt", {Ttlv::textString("UniqueIdentifier", uid), gcmParameters(), Ttlv::byteString("Data", plaintext),
                        Ttlv::byteString("AuthenticatedEncryptionAdditionalData", gcmAad)}),
        context);
  } catch (const kms::Exception& error) {
    throw XksError::fromKms(error, false);
  }
  const Bytes& ciphertext = bytesOf(response, "Data");
  const Bytes& iv = bytesOf(response, "IVCounterNonce");
  const Bytes& tag = bytesOf(response, "AuthenticatedEncryptionTag");
  if (ciphertext.size() != plaintext.size() || tag.size() != kTagBytes || (iv.size() != 12 && iv.size() != 16)) {
    throw XksError(XksErrorName::InternalException, "the key manager's AES-GCM output has unexpected sizes");
  }
  std::string integrityValue;
  if (integrity) {
    // Appendix C: the value first, then a decryption of exactly what is returned, so that AWS
    // never stores a data key that would not decrypt.
    const Bytes value = CiphertextBinding::integrityValue(aad, metadataV1(), iv, ciphertext, tag);
    Bytes check;
    try {
      const Ttlv decrypted = processor_.process(
          Ttlv::structure("Decrypt", {Ttlv::textString("UniqueIdentifier", uid), gcmParameters(),
                                      Ttlv::byteString("Data", ciphertext), Ttlv::byteString("IVCounterNonce", iv),
                                      Ttlv::byteString("AuthenticatedEncryptionAdditionalData", gcmAad),
                                      Ttlv::byteString("AuthenticatedEncryptionTag", tag)}),
          context);
      check = bytesOf(decrypted, "Data");
    } catch (const kms::Exception& error) {
      // A key the XKS user may encrypt with but not decrypt (usage mask, grants) cannot be
      // checked this way: the value is still computed over what the HSM returned.
      const bool mayNotDecrypt = error.code() == ErrorCode::IncompatibleUsageMask ||
                                 error.code() == ErrorCode::NotFound || error.code() == ErrorCode::PermissionDenied;
      if (!mayNotDecrypt) throw XksError::fromKms(error, false);
      check = plaintext;
    }
    if (check != std::vector<std::uint8_t>(plaintext.begin(), plaintext.end())) {
      throw XksError(XksErrorName::InternalException, "the encryption did not decrypt back: not returned");
    }
    integrityValue = Base64::encode(value);
  }
  // Written directly (Base64 needs no JSON escaping): a JSON object and its stringifier cost
  // more than the AES-GCM operations of the request.
  std::string text = R"({"ciphertext":")";
  text.append(Base64::encode(ciphertext))
      .append(R"(","ciphertextMetadata":")")
      .append(Base64::encode(metadataV1()))
      .append(R"(","initializationVector":")")
      .append(Base64::encode(iv))
      .append(R"(","authenticationTag":")")
      .append(Base64::encode(tag));
  if (integrity) text.append(R"(","ciphertextDataIntegrityValue":")").append(integrityValue);
  text.append(R"("})");
  return text;
}

std::string XksOperations::decrypt(const std::string& uid, const XksBody& body) const {
  requireText(body, "encryptionAlgorithm", "AES_GCM", true);
  const Bytes ciphertext = requiredBase64(body, "ciphertext", kMaxData, XksErrorName::UnsupportedOperationException);
  const Bytes aad = base64Field(body, "additionalAuthenticatedData", CiphertextBinding::kMaxAad,
                                XksErrorName::UnsupportedOperationException)
                        .value_or(Bytes{});
  const Bytes metadata =
      base64Field(body, "ciphertextMetadata", CiphertextBinding::kMaxMetadata, XksErrorName::ValidationException)
          .value_or(Bytes{});
  const Bytes iv = requiredBase64(body, "initializationVector", 16, XksErrorName::InvalidCiphertextException);
  const Bytes tag = requiredBase64(body, "authenticationTag", kTagBytes, XksErrorName::InvalidCiphertextException);
  if (iv.size() != 12 && iv.size() != 16) {
    throw XksError(XksErrorName::InvalidCiphertextException, "initializationVector must be 12 or 16 bytes");
  }
  if (tag.size() != kTagBytes) {
    throw XksError(XksErrorName::InvalidCiphertextException, "authenticationTag must be 16 bytes");
  }
  if (ciphertext.empty()) throw XksError(XksErrorName::InvalidCiphertextException, "ciphertext is empty");
  const ops::RequestContext context = contextFor(&body);
  Ttlv response;
  try {
    response = processor_.process(
        Ttlv::structure("Decrypt", {Ttlv::textString("UniqueIdentifier", uid), gcmParameters(),
                                    Ttlv::byteString("Data", ciphertext), Ttlv::byteString("IVCounterNonce", iv),
                                    Ttlv::byteString("AuthenticatedEncryptionAdditionalData",
                                                     CiphertextBinding::gcmAad(aad, metadata)),
                                    Ttlv::byteString("AuthenticatedEncryptionTag", tag)}),
        context);
  } catch (const kms::Exception& error) {
    throw XksError::fromKms(error, true);
  }
  const Bytes& plaintext = bytesOf(response, "Data");
  std::string text = R"({"plaintext":")";
  text.append(Base64::encode(plaintext)).append(R"("})");
  return text;
}

}  // namespace kms::integrations::aws_xks
