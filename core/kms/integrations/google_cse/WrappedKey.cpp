#include "kms/integrations/google_cse/WrappedKey.hpp"

#include "kms/integrations/google_cse/CseRefusal.hpp"

namespace kms::integrations::google_cse {
namespace {

// Distinguishes kmsd's CSE additional data from any other use of the same key.
constexpr std::string_view kContext = "kmsd google_cse wrapped key";

void appendLength(SecureBytes& out, std::size_t size) {
  out.push_back(static_cast<std::uint8_t>(size >> 8));
  out.push_back(static_cast<std::uint8_t>(size & 0xFF));
}

std::size_t readLength(const SecureBytes& in, std::size_t at) {
  return (std::size_t{in[at]} << 8) | in[at + 1];
}

CseRefusal notOurs() {
  return {400, "wrapped_key is not a key this KACLS wrapped", "unknown wrapped key format"};
}

}  // namespace

SecureBytes WrappedKey::additionalData(std::string_view resourceName) const {
  SecureBytes out(kContext.begin(), kContext.end());
  out.push_back(kVersion);
  out.push_back(static_cast<std::uint8_t>(kind));
  appendLength(out, uid.size());
  out.insert(out.end(), uid.begin(), uid.end());
  // The resource name takes the rest: the uid before it is length-prefixed, so no two
  // (uid, resource) pairs give the same bytes.
  out.insert(out.end(), resourceName.begin(), resourceName.end());
  return out;
}

SecureBytes WrappedKey::serialize() const {
  SecureBytes out;
  out.reserve(4 + uid.size() + iv.size() + ciphertext.size() + tag.size());
  out.push_back(kVersion);
  out.push_back(static_cast<std::uint8_t>(kind));
  appendLength(out, uid.size());
  out.insert(out.end(), uid.begin(), uid.end());
  out.insert(out.end(), iv.begin(), iv.end());
  out.insert(out.end(), ciphertext.begin(), ciphertext.end());
  out.insert(out.end(), tag.begin(), tag.end());
  return out;
}

WrappedKey WrappedKey::parse(const SecureBytes& blob) {
  if (blob.size() < 4 || blob[0] != kVersion) throw notOurs();
  WrappedKey out;
  if (blob[1] != static_cast<std::uint8_t>(Kind::Dek) && blob[1] != static_cast<std::uint8_t>(Kind::PrivateKey)) {
    throw notOurs();
  }
  out.kind = static_cast<Kind>(blob[1]);
  const std::size_t uidSize = readLength(blob, 2);
  // At least one byte of ciphertext: the payload holds its two-byte perimeter length.
  if (uidSize == 0 || uidSize > kMaxUid || blob.size() < 4 + uidSize + kIvBytes + 2 + kTagBytes) throw notOurs();
  const auto* at = blob.data() + 4;
  out.uid.assign(at, at + uidSize);
  at += uidSize;
  out.iv.assign(at, at + kIvBytes);
  at += kIvBytes;
  const auto* tagStart = blob.data() + blob.size() - kTagBytes;
  out.ciphertext.assign(at, tagStart);
  out.tag.assign(tagStart, blob.data() + blob.size());
  return out;
}

SecureBytes WrappedKey::payload(std::string_view perimeterId, const SecureBytes& key) {
  SecureBytes out;
  out.reserve(2 + perimeterId.size() + key.size());
  appendLength(out, perimeterId.size());
  out.insert(out.end(), perimeterId.begin(), perimeterId.end());
  out.insert(out.end(), key.begin(), key.end());
  return out;
}

WrappedKey::Payload WrappedKey::readPayload(const SecureBytes& plaintext) {
  if (plaintext.size() < 2) throw notOurs();
  const std::size_t perimeterSize = readLength(plaintext, 0);
  if (perimeterSize > kMaxPerimeter || plaintext.size() < 2 + perimeterSize) throw notOurs();
  Payload out;
  out.perimeterId.assign(plaintext.begin() + 2, plaintext.begin() + 2 + static_cast<std::ptrdiff_t>(perimeterSize));
  out.key.assign(plaintext.begin() + 2 + static_cast<std::ptrdiff_t>(perimeterSize), plaintext.end());
  return out;
}

}  // namespace kms::integrations::google_cse
