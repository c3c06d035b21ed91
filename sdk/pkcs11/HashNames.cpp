#include "kms/pkcs11/HashNames.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

namespace kms::pkcs11 {

namespace {

struct HashRow {
  std::int32_t hash;
  const char* config;
  const char* display;
  unsigned long length;
  CK_MECHANISM_TYPE digest;
  CK_RSA_PKCS_MGF_TYPE mgf;
  CK_MECHANISM_TYPE pkcsSign;
  CK_MECHANISM_TYPE pssSign;
};

constexpr std::array<HashRow, 5> kHashes = {{
    {KMS_HASH_SHA1, "sha1", "SHA-1", 20, CKM_SHA_1, CKG_MGF1_SHA1, CKM_SHA1_RSA_PKCS, CKM_SHA1_RSA_PKCS_PSS},
    {KMS_HASH_SHA224, "sha224", "SHA-224", 28, CKM_SHA224, CKG_MGF1_SHA224, CKM_SHA224_RSA_PKCS,
     CKM_SHA224_RSA_PKCS_PSS},
    {KMS_HASH_SHA256, "sha256", "SHA-256", 32, CKM_SHA256, CKG_MGF1_SHA256, CKM_SHA256_RSA_PKCS,
     CKM_SHA256_RSA_PKCS_PSS},
    {KMS_HASH_SHA384, "sha384", "SHA-384", 48, CKM_SHA384, CKG_MGF1_SHA384, CKM_SHA384_RSA_PKCS,
     CKM_SHA384_RSA_PKCS_PSS},
    {KMS_HASH_SHA512, "sha512", "SHA-512", 64, CKM_SHA512, CKG_MGF1_SHA512, CKM_SHA512_RSA_PKCS,
     CKM_SHA512_RSA_PKCS_PSS},
}};

const HashRow* row(std::int32_t hash) noexcept {
  for (const auto& r : kHashes) {
    if (r.hash == hash) return &r;
  }
  return nullptr;
}

}  // namespace

std::int32_t HashNames::parse(std::string_view text) noexcept {
  std::string key;
  for (const char c : text) {
    if (c != '-' && c != '_') key.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  for (const auto& r : kHashes) {
    if (key == r.config) return r.hash;
  }
  return 0;
}

std::string_view HashNames::display(std::int32_t hash) noexcept {
  const auto* r = row(hash);
  return r != nullptr ? r->display : "unknown hash";
}

unsigned long HashNames::digestLength(std::int32_t hash) noexcept {
  const auto* r = row(hash);
  return r != nullptr ? r->length : 0;
}

CK_MECHANISM_TYPE HashNames::digestMechanism(std::int32_t hash) noexcept {
  const auto* r = row(hash);
  return r != nullptr ? r->digest : 0;
}

CK_RSA_PKCS_MGF_TYPE HashNames::mgf(std::int32_t hash) noexcept {
  const auto* r = row(hash);
  return r != nullptr ? r->mgf : 0;
}

CK_MECHANISM_TYPE HashNames::rsaPkcsSign(std::int32_t hash) noexcept {
  const auto* r = row(hash);
  return r != nullptr ? r->pkcsSign : 0;
}

CK_MECHANISM_TYPE HashNames::rsaPssSign(std::int32_t hash) noexcept {
  const auto* r = row(hash);
  return r != nullptr ? r->pssSign : 0;
}

}  // namespace kms::pkcs11
