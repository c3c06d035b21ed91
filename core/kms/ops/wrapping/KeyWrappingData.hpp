#pragma once
// Reading and writing the stored form of a server-wrapped key block (KMIP 2.1 2.1.5):
// KeyFormatType of the clear material (Raw for AES, PKCS_1 for RSA private keys), KeyValue =
// ByteString of the wrapped material, CryptographicAlgorithm/Length of the clear block, and
// KeyWrappingData {WrappingMethod Encrypt, EncryptionKeyInformation {UniqueIdentifier,
// CryptographicParameters}, [IVCounterNonce: legacy AES-GCM only], EncodingOption
// NoEncoding}. WrapScheme.hpp maps the parameters to a scheme.
#include <string>

#include "kms/kmip/Enums.hpp"
#include "kms/kmip/Ttlv.hpp"
#include "kms/ops/wrapping/WrapCipher.hpp"
#include "kms/ops/wrapping/WrapScheme.hpp"

namespace kms::ops::wrapping {

class KeyWrappingData {
 public:
  // What a stored wrapped block says; the references point into the block read.
  struct Stored {
    const kmip::Ttlv& wrappingData;  // KeyWrappingData
    const kmip::Ttlv& value;         // KeyValue, a ByteString
  };

  // The KeyBlock that replaces `clearBlock`: `format` is the clear material's form,
  // `wrappingUid` the wrapping key's canonical UID.
  [[nodiscard]] static kmip::Ttlv write(const kmip::Ttlv& clearBlock, kmip::KeyFormatType format, Wrapped wrapped,
                                        const std::string& wrappingUid);
  // The wrapped form of `keyBlock`. InternalError naming `objectUid` when the block is no
  // wrapped key block.
  [[nodiscard]] static Stored read(const kmip::Ttlv& keyBlock, const std::string& objectUid);
  // The scheme a stored KeyWrappingData records, and its CryptographicParameters; InternalError
  // when it names none kmsd writes or wrote.
  [[nodiscard]] static WrapScheme::Kind scheme(const kmip::Ttlv& wrappingData) { return WrapScheme::of(wrappingData); }
  [[nodiscard]] static const kmip::Ttlv& parameters(const kmip::Ttlv& wrappingData);
};

}  // namespace kms::ops::wrapping
