#include "kms/keys/KeyFormats.hpp"

#include <algorithm>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "kms/Exception.hpp"
#include "kms/keys/OpenSslError.hpp"
#include "kms/keys/OpenSslHandles.hpp"

namespace kms::keys {
namespace {

bool isValidLabel(std::string_view label) {
  if (label.empty() || label.size() > 64 || label.front() == ' ' || label.back() == ' ') {
    return false;
  }
  return std::all_of(label.begin(), label.end(),
                     [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ' '; });
}

bool isBlank(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; });
}

// What PEM_read_bio_ex allocated in the (possibly secure) heap, wiped and freed on scope exit.
struct PemBlock {
  char* name = nullptr;
  char* header = nullptr;
  unsigned char* data = nullptr;
  long size = 0;
  PemBlock() = default;
  PemBlock(const PemBlock&) = delete;
  PemBlock& operator=(const PemBlock&) = delete;
  ~PemBlock() {
    OPENSSL_secure_free(name);
    OPENSSL_secure_free(header);
    OPENSSL_secure_clear_free(data, static_cast<std::size_t>(size));
  }
};

}  // namespace

SecretBytes KeyFormats::pkcs1PrivateToPkcs8(ByteView pkcs1Der) {
  const PkeyPtr key = RsaDerCodec::decode(pkcs1Der, RsaDerForm::Pkcs1Private);
  return RsaDerCodec::encodePrivate(key.get(), RsaDerForm::Pkcs8Private);
}

SecretBytes KeyFormats::pkcs8PrivateToPkcs1(ByteView pkcs8Der) {
  const PkeyPtr key = RsaDerCodec::decode(pkcs8Der, RsaDerForm::Pkcs8Private);
  return RsaDerCodec::encodePrivate(key.get(), RsaDerForm::Pkcs1Private);
}

Bytes KeyFormats::pkcs1PublicToSpki(ByteView pkcs1Der) {
  const PkeyPtr key = RsaDerCodec::decode(pkcs1Der, RsaDerForm::Pkcs1Public);
  return RsaDerCodec::encodePublic(key.get(), RsaDerForm::Spki);
}

Bytes KeyFormats::spkiToPkcs1Public(ByteView spkiDer) {
  const PkeyPtr key = RsaDerCodec::decode(spkiDer, RsaDerForm::Spki);
  return RsaDerCodec::encodePublic(key.get(), RsaDerForm::Pkcs1Public);
}

Bytes KeyFormats::publicPkcs1FromPrivatePkcs1(ByteView privatePkcs1Der) {
  const PkeyPtr key = RsaDerCodec::decode(privatePkcs1Der, RsaDerForm::Pkcs1Private);
  return RsaDerCodec::encodePublic(key.get(), RsaDerForm::Pkcs1Public);
}

int KeyFormats::rsaModulusBits(ByteView der) {
  RsaDerForm form{};
  const PkeyPtr key = RsaDerCodec::decodeAny(der, form);
  return EVP_PKEY_get_bits(key.get());
}

std::optional<RsaDerForm> KeyFormats::detectRsaDer(ByteView der) {
  return RsaDerCodec::detect(der);
}

bool KeyFormats::isRsaPrivateDer(ByteView der) {
  return RsaDerCodec::tryDecode(der, RsaDerForm::Pkcs1Private) != nullptr ||
         RsaDerCodec::tryDecode(der, RsaDerForm::Pkcs8Private) != nullptr;
}

bool KeyFormats::isRsaPublicDer(ByteView der) {
  return RsaDerCodec::tryDecode(der, RsaDerForm::Pkcs1Public) != nullptr ||
         RsaDerCodec::tryDecode(der, RsaDerForm::Spki) != nullptr;
}

std::string KeyFormats::derToPem(ByteView der, std::string_view label) {
  if (!isValidLabel(label)) {
    throw Exception(ErrorCode::InvalidField, "invalid PEM label (upper-case letters, digits and spaces)");
  }
  if (der.empty()) {
    throw Exception(ErrorCode::InvalidField, "no DER to encode as PEM");
  }
  const BioPtr bio(BIO_new(BIO_s_mem()));  // its buffer is wiped on free (BUF_MEM_free)
  const std::string name(label);
  if (!bio || PEM_write_bio(bio.get(), name.c_str(), "", der.data(),
                            static_cast<long>(checkedLength(der.size(), "DER"))) <= 0) {
    throwOpenSslError(ErrorCode::InternalError, "PEM encoding failed");
  }
  char* text = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &text);
  if (size <= 0 || text == nullptr) {
    throwOpenSslError(ErrorCode::InternalError, "PEM encoding failed");
  }
  return std::string(text, static_cast<std::size_t>(size));
}

Bytes KeyFormats::pemToDer(std::string_view pem, std::string& labelOut) {
  const BioPtr bio(BIO_new_mem_buf(pem.data(), checkedLength(pem.size(), "PEM")));
  if (!bio) {
    throwOpenSslError(ErrorCode::InternalError, "cannot read PEM");
  }
  PemBlock block;
  // PEM_FLAG_SECURE keeps the decoded bytes (often a private key) in OpenSSL's secure heap,
  // wiped on free.
  if (PEM_read_bio_ex(bio.get(), &block.name, &block.header, &block.data, &block.size,
                      PEM_FLAG_SECURE | PEM_FLAG_EAY_COMPATIBLE) != 1) {
    throwOpaque(ErrorCode::InvalidField, "not a valid PEM block");
  }
  if (block.header != nullptr && block.header[0] != '\0') {
    throw Exception(ErrorCode::InvalidField, "encrypted (Proc-Type) PEM is not supported");
  }
  char* rest = nullptr;
  const long restSize = BIO_get_mem_data(bio.get(), &rest);
  if (restSize > 0 && !isBlank(std::string_view(rest, static_cast<std::size_t>(restSize)))) {
    throw Exception(ErrorCode::InvalidField, "unexpected data after the PEM block");
  }
  if (block.size <= 0) {
    throw Exception(ErrorCode::InvalidField, "empty PEM block");
  }
  labelOut = block.name;
  return Bytes(block.data, block.data + block.size);
}

}  // namespace kms::keys
