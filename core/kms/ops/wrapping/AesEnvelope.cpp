#include "kms/ops/wrapping/AesEnvelope.hpp"

#include "kms/Exception.hpp"
#include "kms/keys/AesKeyWrap.hpp"
#include "kms/keys/Random.hpp"

namespace kms::ops::wrapping {

keys::Bytes AesEnvelope::seal(const keys::SecretBytes& material, const WrapHead& wrapHead) {
  // SecretBytes: the ephemeral key is wiped when this scope ends, whatever happens.
  const auto ephemeral = keys::Random::secretBytes(kEphemeralBytes);
  keys::Bytes out = wrapHead(ephemeral);
  if (out.size() != kHeadBytes) {
    throw Exception(ErrorCode::InternalError, "the HSM's AES key wrap of a 32-byte key is not 40 bytes");
  }
  const auto body = keys::AesKeyWrap::wrap(ephemeral, material);
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

keys::SecretBytes AesEnvelope::open(keys::ByteView wrapped, const UnwrapHead& unwrapHead) {
  // RFC 5649 of at least one byte is at least 16 bytes.
  if (wrapped.size() < kHeadBytes + 16) {
    throw Exception(ErrorCode::InternalError, "a stored envelope-wrapped key is truncated");
  }
  const keys::Bytes head(wrapped.begin(), wrapped.begin() + static_cast<std::ptrdiff_t>(kHeadBytes));
  const auto ephemeral = unwrapHead(head);
  if (ephemeral.size() != kEphemeralBytes) {
    throw Exception(ErrorCode::CryptographicFailure, "a stored envelope-wrapped key has a malformed head");
  }
  return keys::AesKeyWrap::unwrap(ephemeral, wrapped.subspan(kHeadBytes));
}

}  // namespace kms::ops::wrapping
