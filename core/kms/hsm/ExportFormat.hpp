#pragma once
// The forms a driver exports key material in (AbiVocabulary maps them to KMS_FORMAT_*).
#include <cstdint>

namespace kms::hsm {

enum class ExportFormat : std::uint8_t {
  Raw,    // AES key bytes
  Pkcs1,  // RSAPublicKey or RSAPrivateKey DER
  Pkcs8,  // PrivateKeyInfo DER
  Spki,   // SubjectPublicKeyInfo DER
};

}  // namespace kms::hsm
