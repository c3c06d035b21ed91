#include "kms/cli/Requests.hpp"

#include <Poco/JSON/Array.h>
#include <fmt/format.h>

#include <chrono>
#include <sstream>

#include "kms/cli/CliError.hpp"
#include "kms/kmip/Dictionary.hpp"

namespace kms::cli {

using kmip::Ttlv;

Ttlv Requests::enumeration(const std::string& tag, const std::string& name) {
  const auto value = kmip::Dictionary::enumValue(tag, name);
  if (!value) throw CliError(ExitCode::Usage, fmt::format("'{}' is no {}", name, tag));
  return Ttlv::enumeration(tag, *value);
}

Ttlv Requests::usageMask(const std::vector<std::string>& bits) {
  std::uint32_t mask = 0;
  for (const auto& bit : bits) {
    const auto value = kmip::Dictionary::maskBit("CryptographicUsageMask", bit);
    if (!value) throw CliError(ExitCode::Usage, fmt::format("'{}' is no CryptographicUsageMask bit", bit));
    mask |= *value;
  }
  return Ttlv::integer("CryptographicUsageMask", static_cast<std::int32_t>(mask));
}

Ttlv Requests::vendorAttribute(const std::string& name, const std::string& value) {
  return Ttlv::structure("VendorAttribute",
                         {Ttlv::textString("VendorIdentification", kVendor), Ttlv::textString("AttributeName", name),
                          Ttlv::textString("AttributeValue", value)});
}

Ttlv Requests::tagsAttribute(const std::vector<std::string>& tags) {
  Poco::JSON::Array array;
  for (const auto& tag : tags) array.add(tag);
  std::ostringstream out;
  array.stringify(out);
  return vendorAttribute("tag", out.str());
}

Ttlv Requests::wrappingKeyAttribute(const std::string& wrappingKeyId) {
  return vendorAttribute("wrapping_key_id", wrappingKeyId);
}

Ttlv Requests::activationNow() {
  // A key the user creates is meant to be used at once: Active, as Cosmian's KMS makes it.
  const auto now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
  return Ttlv::dateTime("ActivationDate", now.count() - 1);
}

namespace {

bool isHsmUid(const std::optional<std::string>& uid) {
  return uid && uid->rfind("hsm::", 0) == 0;
}

}  // namespace

Ttlv Requests::createSymmetricKey(const SymmetricKeySpec& spec) {
  Ttlv attributes = Ttlv::structure("Attributes");
  attributes.add(enumeration("CryptographicAlgorithm", spec.algorithm));
  attributes.add(Ttlv::integer("CryptographicLength", spec.bits));
  if (spec.uid) attributes.add(Ttlv::textString("UniqueIdentifier", *spec.uid));
  // The HSM sets the usage and the state of its own keys.
  if (!isHsmUid(spec.uid)) {
    attributes.add(usageMask({"Encrypt", "Decrypt", "WrapKey", "UnwrapKey"}));
    attributes.add(activationNow());
  }
  if (spec.sensitive) attributes.add(Ttlv::boolean("Sensitive", true));
  if (spec.wrappingKeyId) attributes.add(wrappingKeyAttribute(*spec.wrappingKeyId));
  if (!spec.tags.empty()) attributes.add(tagsAttribute(spec.tags));
  return Ttlv::structure("Create", {enumeration("ObjectType", "SymmetricKey"), std::move(attributes)});
}

Ttlv Requests::createRsaKeyPair(const KeyPairSpec& spec) {
  Ttlv common = Ttlv::structure("CommonAttributes", {enumeration("CryptographicAlgorithm", "RSA"),
                                                     Ttlv::integer("CryptographicLength", spec.bits)});
  Ttlv privateSide = Ttlv::structure("PrivateKeyAttributes");
  Ttlv publicSide = Ttlv::structure("PublicKeyAttributes");
  if (spec.uid) privateSide.add(Ttlv::textString("UniqueIdentifier", *spec.uid));
  if (!isHsmUid(spec.uid)) {
    common.add(activationNow());
    privateSide.add(usageMask({"Sign", "Decrypt", "UnwrapKey"}));
    publicSide.add(usageMask({"Verify", "Encrypt", "WrapKey"}));
  }
  if (spec.sensitive) privateSide.add(Ttlv::boolean("Sensitive", true));
  if (spec.wrappingKeyId) privateSide.add(wrappingKeyAttribute(*spec.wrappingKeyId));
  if (!spec.tags.empty()) common.add(tagsAttribute(spec.tags));
  Ttlv request = Ttlv::structure("CreateKeyPair", {std::move(common), std::move(privateSide)});
  if (!publicSide.items().empty()) request.add(std::move(publicSide));
  return request;
}

Ttlv Requests::byUid(const std::string& operation, const std::string& uid) {
  return Ttlv::structure(operation, {Ttlv::textString("UniqueIdentifier", uid)});
}

Ttlv Requests::revoke(const std::string& uid, const std::string& reason) {
  Ttlv revocation = Ttlv::structure("RevocationReason", {enumeration("RevocationReasonCode", "Unspecified")});
  if (!reason.empty()) revocation.add(Ttlv::textString("RevocationMessage", reason));
  return Ttlv::structure("Revoke", {Ttlv::textString("UniqueIdentifier", uid), std::move(revocation)});
}

Ttlv Requests::exportKey(const std::string& uid, const std::string& format, bool unwrap) {
  Ttlv request = byUid("Export", uid);
  if (unwrap) request.add(enumeration("KeyWrapType", "NotWrapped"));
  if (!format.empty()) request.add(enumeration("KeyFormatType", format));
  return request;
}

Ttlv Requests::importKey(const std::string& uid, const Ttlv& object, bool replace, const std::vector<std::string>& tags,
                         const std::vector<std::string>& usage, std::optional<std::string> wrappingKeyId) {
  Ttlv attributes = Ttlv::structure("Attributes");
  const auto* block = object.find("KeyBlock");
  if (block != nullptr) {
    if (const auto* algorithm = block->find("CryptographicAlgorithm")) attributes.add(*algorithm);
    if (const auto* length = block->find("CryptographicLength")) attributes.add(*length);
  }
  if (!usage.empty()) attributes.add(usageMask(usage));
  attributes.add(activationNow());
  if (!tags.empty()) attributes.add(tagsAttribute(tags));
  if (wrappingKeyId) attributes.add(wrappingKeyAttribute(*wrappingKeyId));
  const auto type = enumeration("ObjectType", object.tag());
  if (uid.empty()) {
    return Ttlv::structure("Register", {type, std::move(attributes), object});
  }
  return Ttlv::structure("Import",
                         {Ttlv::textString("UniqueIdentifier", uid), type, Ttlv::boolean("ReplaceExisting", replace),
                          std::move(attributes), object.withTag("Object")});
}

Ttlv Requests::encrypt(const std::string& uid, std::optional<Ttlv> parameters, kms::SecureBytes data,
                       const std::optional<std::string>& aad) {
  Ttlv request = byUid("Encrypt", uid);
  if (parameters) request.add(std::move(*parameters));
  request.add(Ttlv::byteString("Data", std::move(data)));
  if (aad) {
    request.add(Ttlv::byteString("AuthenticatedEncryptionAdditionalData", kms::SecureBytes(aad->begin(), aad->end())));
  }
  return request;
}

Ttlv Requests::decrypt(const std::string& uid, std::optional<Ttlv> parameters, kms::SecureBytes data,
                       std::optional<kms::SecureBytes> iv, std::optional<kms::SecureBytes> tag,
                       const std::optional<std::string>& aad) {
  Ttlv request = byUid("Decrypt", uid);
  if (parameters) request.add(std::move(*parameters));
  request.add(Ttlv::byteString("Data", std::move(data)));
  if (iv) request.add(Ttlv::byteString("IVCounterNonce", std::move(*iv)));
  if (aad) {
    request.add(Ttlv::byteString("AuthenticatedEncryptionAdditionalData", kms::SecureBytes(aad->begin(), aad->end())));
  }
  if (tag) request.add(Ttlv::byteString("AuthenticatedEncryptionTag", std::move(*tag)));
  return request;
}

Ttlv Requests::aesGcmParameters() {
  return Ttlv::structure("CryptographicParameters",
                         {enumeration("BlockCipherMode", "GCM"), enumeration("CryptographicAlgorithm", "AES"),
                          Ttlv::integer("TagLength", 16)});
}

Ttlv Requests::rsaParameters(const std::string& algorithm, const std::string& hash) {
  if (algorithm == "ckm-rsa-pkcs-oaep") {
    return Ttlv::structure("CryptographicParameters",
                           {enumeration("CryptographicAlgorithm", "RSA"), enumeration("PaddingMethod", "OAEP"),
                            enumeration("HashingAlgorithm", hash)});
  }
  if (algorithm == "ckm-rsa-pkcs") {
    return Ttlv::structure("CryptographicParameters",
                           {enumeration("CryptographicAlgorithm", "RSA"), enumeration("PaddingMethod", "PKCS1V1_5")});
  }
  throw CliError(ExitCode::Usage,
                 fmt::format("unknown encryption algorithm '{}': use ckm-rsa-pkcs-oaep or ckm-rsa-pkcs", algorithm));
}

Ttlv Requests::signatureParameters(const std::string& scheme, const std::string& hash) {
  if (scheme != "rsa-pss" && scheme != "pkcs1v15") {
    throw CliError(ExitCode::Usage, fmt::format("unknown signature scheme '{}': use rsa-pss or pkcs1v15", scheme));
  }
  return Ttlv::structure("CryptographicParameters",
                         {enumeration("PaddingMethod", scheme == "rsa-pss" ? "PSS" : "PKCS1V1_5"),
                          enumeration("HashingAlgorithm", hash), enumeration("CryptographicAlgorithm", "RSA")});
}

Ttlv Requests::sign(const std::string& uid, Ttlv parameters, kms::SecureBytes data) {
  Ttlv request = byUid("Sign", uid);
  request.add(std::move(parameters));
  request.add(Ttlv::byteString("Data", std::move(data)));
  return request;
}

Ttlv Requests::verify(const std::string& uid, Ttlv parameters, kms::SecureBytes data, kms::SecureBytes signature) {
  Ttlv request = byUid("SignatureVerify", uid);
  request.add(std::move(parameters));
  request.add(Ttlv::byteString("Data", std::move(data)));
  request.add(Ttlv::byteString("SignatureData", std::move(signature)));
  return request;
}

Ttlv Requests::locate(const LocateSpec& spec) {
  Ttlv attributes = Ttlv::structure("Attributes");
  if (spec.objectType) attributes.add(enumeration("ObjectType", *spec.objectType));
  if (spec.algorithm) attributes.add(enumeration("CryptographicAlgorithm", *spec.algorithm));
  if (spec.length) attributes.add(Ttlv::integer("CryptographicLength", *spec.length));
  if (spec.keyFormatType) attributes.add(enumeration("KeyFormatType", *spec.keyFormatType));
  if (spec.name) {
    attributes.add(Ttlv::structure(
        "Name", {Ttlv::textString("NameValue", *spec.name), enumeration("NameType", "UninterpretedTextString")}));
  }
  if (!spec.tags.empty()) attributes.add(tagsAttribute(spec.tags));
  return Ttlv::structure("Locate", {std::move(attributes)});
}

}  // namespace kms::cli
