#include "kms/integrations/google_cse/CseKeys.hpp"

#include <Poco/Logger.h>
#include <fmt/format.h>

#include "kms/Exception.hpp"
#include "kms/integrations/google_cse/CseRefusal.hpp"
#include "kms/kmip/Enums.hpp"
#include "kms/kmip/Ttlv.hpp"
#include "kms/ops/RequestProcessor.hpp"

namespace kms::integrations::google_cse {
namespace {

using kmip::Ttlv;

Poco::Logger& logger() {
  static Poco::Logger& instance = Poco::Logger::get("kms.google_cse");
  return instance;
}

Ttlv gcmParameters() {
  return Ttlv::structure(
      "CryptographicParameters",
      {Ttlv::enumeration("BlockCipherMode", static_cast<std::uint32_t>(kmip::BlockCipherMode::GCM)),
       Ttlv::enumeration("CryptographicAlgorithm", static_cast<std::uint32_t>(kmip::CryptographicAlgorithm::AES)),
       Ttlv::integer("TagLength", static_cast<std::int32_t>(WrappedKey::kTagBytes))});
}

SecureBytes bytesOf(const Ttlv& response, std::string_view tag) {
  const Ttlv* item = response.find(tag);
  if (item == nullptr) throw Exception(ErrorCode::InternalError, fmt::format("the answer lacks {}", tag));
  return item->asBytes();
}

// A user without the right to the wrapping key learns no more than that: kmsd answers NotFound
// for an object the caller may not see, and the log says which key and user.
[[noreturn]] void refuse(const Exception& error, const std::string& uid, const ops::RequestContext& context) {
  if (error.code() == ErrorCode::NotFound || error.code() == ErrorCode::PermissionDenied ||
      error.code() == ErrorCode::IncompatibleUsageMask) {
    logger().warning(fmt::format("Google CSE: '{}' may not use the wrapping key {} ({})", context.user.substr(0, 100),
                                 uid.substr(0, 100), error.what()));
    throw CseRefusal(403, "not permitted to use the KACLS wrapping key");
  }
  throw error;
}

}  // namespace

CseKeys::CseKeys(ops::RequestProcessor& processor, std::string keyId)
    : processor_(processor), keyId_(std::move(keyId)) {}

SecureBytes CseKeys::wrap(const ops::RequestContext& context, WrappedKey::Kind kind, const SecureBytes& key,
                          std::string_view resourceName, std::string_view perimeterId) const {
  WrappedKey blob;
  blob.kind = kind;
  blob.uid = keyId_;
  Ttlv answer;
  try {
    answer = processor_.process(
        Ttlv::structure("Encrypt",
                        {Ttlv::textString("UniqueIdentifier", keyId_), gcmParameters(),
                         Ttlv::byteString("Data", WrappedKey::payload(perimeterId, key)),
                         Ttlv::byteString("AuthenticatedEncryptionAdditionalData", blob.additionalData(resourceName))}),
        context);
  } catch (const Exception& error) {
    refuse(error, keyId_, context);
  }
  blob.ciphertext = bytesOf(answer, "Data");
  blob.iv = bytesOf(answer, "IVCounterNonce");
  blob.tag = bytesOf(answer, "AuthenticatedEncryptionTag");
  answer.wipe();
  if (blob.iv.size() != WrappedKey::kIvBytes || blob.tag.size() != WrappedKey::kTagBytes) {
    throw Exception(ErrorCode::InternalError, "the wrapping key's AES-GCM answer has an unexpected IV or tag size");
  }
  return blob.serialize();
}

WrappedKey::Payload CseKeys::unwrap(const ops::RequestContext& context, WrappedKey::Kind kind,
                                    const SecureBytes& serialized, std::string_view resourceName) const {
  const WrappedKey blob = WrappedKey::parse(serialized);
  if (blob.kind != kind) {
    throw CseRefusal(400, kind == WrappedKey::Kind::Dek
                              ? "wrapped_key holds a private key, not a data encryption key"
                              : "wrapped_private_key holds a data encryption key, not a private key");
  }
  Ttlv answer;
  try {
    answer = processor_.process(
        Ttlv::structure("Decrypt",
                        {Ttlv::textString("UniqueIdentifier", blob.uid), gcmParameters(),
                         Ttlv::byteString("Data", blob.ciphertext), Ttlv::byteString("IVCounterNonce", blob.iv),
                         Ttlv::byteString("AuthenticatedEncryptionAdditionalData", blob.additionalData(resourceName)),
                         Ttlv::byteString("AuthenticatedEncryptionTag", blob.tag)}),
        context);
  } catch (const Exception& error) {
    if (error.code() == ErrorCode::CryptographicFailure) {
      throw CseRefusal(400, "wrapped_key does not unwrap: altered, or wrapped for another resource");
    }
    refuse(error, blob.uid, context);
  }
  SecureBytes plaintext = bytesOf(answer, "Data");
  answer.wipe();
  return WrappedKey::readPayload(plaintext);
}

}  // namespace kms::integrations::google_cse
