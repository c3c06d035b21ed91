#pragma once
// The mechanisms kmsd asks of an HSM, in core terms. AbiVocabulary translates them to the
// driver ABI's KMS_ALG_* values; nothing outside core/kms/hsm sees those.
#include <cstdint>

namespace kms::hsm {

enum class Mechanism : std::uint8_t {
  None,           // no mechanism chosen yet: a driver refuses it
  AesGcm,         // encrypt, decrypt, and the legacy wrapped keys kmsd still reads
  RsaOaep,        // encrypt, decrypt, wrap, unwrap; digest and MGF1 digest in CryptParams
  RsaPkcs1,       // encrypt, decrypt (PKCS#1 v1.5)
  AesKeyWrapPad,  // RFC 5649, key wrap only
  RsaPss,         // sign only
  RsaPkcs1Sign,   // sign only: PKCS#1 v1.5 with DigestInfo
};

}  // namespace kms::hsm
