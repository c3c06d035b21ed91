#include "kms/keys/RsaDerCodec.hpp"

#include <climits>

#include <openssl/asn1.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/decoder.h>
#include <openssl/encoder.h>
#include <openssl/evp.h>

#include "kms/Exception.hpp"
#include "kms/keys/OpenSslError.hpp"

namespace kms::keys {
namespace {

// OpenSSL's structure names: "type-specific" is PKCS#1 for RSA.
const char* structureOf(RsaDerForm form) noexcept {
  switch (form) {
    case RsaDerForm::Pkcs1Private:
    case RsaDerForm::Pkcs1Public:
      return "type-specific";
    case RsaDerForm::Pkcs8Private:
      return "PrivateKeyInfo";
    case RsaDerForm::Spki:
      return "SubjectPublicKeyInfo";
  }
  return "type-specific";
}

int selectionOf(RsaDerForm form) noexcept {
  return isPrivate(form) ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY;
}

struct DerElement {
  int tag = -1;
  bool constructed = false;
  const unsigned char* content = nullptr;
  long length = 0;
};

// Reads one definite-length universal element starting at *p, at most max bytes.
bool readElement(const unsigned char*& p, long max, DerElement& out) {
  const unsigned char* start = p;
  int tag = 0;
  int cls = 0;
  long length = 0;
  const int info = ASN1_get_object(&p, &length, &tag, &cls, max);
  // 0x80: malformed; 0x01: indefinite length, which DER forbids.
  if ((info & 0x80) != 0 || (info & 0x01) != 0 || cls != V_ASN1_UNIVERSAL || length > max - (p - start)) {
    clearOpenSslErrors();
    return false;
  }
  out = {tag, (info & V_ASN1_CONSTRUCTED) != 0, p, length};
  p += length;
  return true;
}

// The form of der from its outer shape alone (RFC 8017, 5208, 5280). OpenSSL's decoders treat
// the requested structure as a hint and accept any of the RSA forms; this decides strictly.
std::optional<RsaDerForm> shapeOf(ByteView der) {
  if (der.empty() || der.size() > static_cast<std::size_t>(LONG_MAX)) {
    return std::nullopt;
  }
  const unsigned char* p = der.data();
  DerElement outer;
  if (!readElement(p, static_cast<long>(der.size()), outer) || outer.tag != V_ASN1_SEQUENCE || !outer.constructed ||
      p != der.data() + der.size()) {
    return std::nullopt;  // not one SEQUENCE spanning the whole input
  }
  const unsigned char* child = outer.content;
  const unsigned char* end = outer.content + outer.length;
  DerElement first;
  DerElement second;
  if (!readElement(child, end - child, first) || child == end || !readElement(child, end - child, second)) {
    return std::nullopt;
  }
  int count = 2;
  for (DerElement next; child != end; ++count) {
    if (!readElement(child, end - child, next)) {
      return std::nullopt;
    }
  }
  if (first.tag == V_ASN1_INTEGER && second.tag == V_ASN1_SEQUENCE) {
    return RsaDerForm::Pkcs8Private;  // version, AlgorithmIdentifier, OCTET STRING key
  }
  if (first.tag == V_ASN1_INTEGER && second.tag == V_ASN1_INTEGER) {
    if (count == 2) {
      return RsaDerForm::Pkcs1Public;  // n, e
    }
    return count >= 9 ? std::optional(RsaDerForm::Pkcs1Private) : std::nullopt;  // version, n, e, d, p, q, ...
  }
  if (first.tag == V_ASN1_SEQUENCE && second.tag == V_ASN1_BIT_STRING && count == 2) {
    return RsaDerForm::Spki;  // AlgorithmIdentifier, BIT STRING key
  }
  return std::nullopt;
}

// Returns OpenSSL's encoder output; the caller copies it and frees with OPENSSL_clear_free.
struct EncoderOutput {
  unsigned char* data = nullptr;
  std::size_t size = 0;
  EncoderOutput() = default;
  EncoderOutput(const EncoderOutput&) = delete;
  EncoderOutput& operator=(const EncoderOutput&) = delete;
  ~EncoderOutput() { OPENSSL_clear_free(data, size); }
};

void encode(const EVP_PKEY* key, RsaDerForm form, EncoderOutput& out) {
  if (key == nullptr) {
    throw Exception(ErrorCode::InternalError, "no RSA key to encode");
  }
  const EncoderCtxPtr ctx(OSSL_ENCODER_CTX_new_for_pkey(key, selectionOf(form), "DER", structureOf(form), nullptr));
  if (!ctx || OSSL_ENCODER_CTX_get_num_encoders(ctx.get()) == 0) {
    throwOpenSslError(ErrorCode::KeyFormatNotSupported,
                      std::string("no OpenSSL encoder for RSA ") + RsaDerCodec::formName(form));
  }
  if (OSSL_ENCODER_to_data(ctx.get(), &out.data, &out.size) != 1) {
    throwOpenSslError(isPrivate(form) ? ErrorCode::KeyFormatNotSupported : ErrorCode::InternalError,
                      std::string("cannot encode the RSA key as ") + RsaDerCodec::formName(form));
  }
}

}  // namespace

const char* RsaDerCodec::formName(RsaDerForm form) noexcept {
  switch (form) {
    case RsaDerForm::Pkcs1Private:
      return "PKCS#1 RSAPrivateKey";
    case RsaDerForm::Pkcs8Private:
      return "PKCS#8 PrivateKeyInfo";
    case RsaDerForm::Pkcs1Public:
      return "PKCS#1 RSAPublicKey";
    case RsaDerForm::Spki:
      return "SubjectPublicKeyInfo";
  }
  return "RSA key";
}

bool RsaDerCodec::hasPrivateHalf(const EVP_PKEY* key) {
  BIGNUM* d = nullptr;
  const bool hasD = EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_D, &d) == 1;
  const BignumPtr wiped(d);
  clearOpenSslErrors();
  return hasD;
}

PkeyPtr RsaDerCodec::tryDecode(ByteView der, RsaDerForm form) {
  if (shapeOf(der) != form) {
    return nullptr;
  }
  EVP_PKEY* raw = nullptr;
  const DecoderCtxPtr ctx(
      OSSL_DECODER_CTX_new_for_pkey(&raw, "DER", structureOf(form), "RSA", selectionOf(form), nullptr, nullptr));
  if (!ctx) {
    throwOpenSslError(ErrorCode::InternalError, "cannot create an RSA key decoder");
  }
  const unsigned char* data = der.data();
  std::size_t remaining = der.size();
  const bool decoded = OSSL_DECODER_from_data(ctx.get(), &data, &remaining) == 1;
  PkeyPtr key(raw);
  clearOpenSslErrors();  // decoders queue errors for every candidate they tried
  if (!decoded || !key || remaining != 0) {
    return nullptr;
  }
  // A private form must yield the private half: a public-only result would mean the decoder
  // fell back to a public structure.
  if (isPrivate(form) && !hasPrivateHalf(key.get())) {
    return nullptr;
  }
  return key;
}

PkeyPtr RsaDerCodec::decode(ByteView der, RsaDerForm form) {
  PkeyPtr key = tryDecode(der, form);
  if (!key) {
    throw Exception(ErrorCode::InvalidField, std::string("not a valid DER ") + formName(form));
  }
  return key;
}

PkeyPtr RsaDerCodec::decodeAny(ByteView der, RsaDerForm& formOut) {
  if (const std::optional<RsaDerForm> form = shapeOf(der)) {
    if (PkeyPtr key = tryDecode(der, *form)) {
      formOut = *form;
      return key;
    }
  }
  throw Exception(ErrorCode::InvalidField, "not a DER RSA key (PKCS#1, PKCS#8, PKCS#1 public or SubjectPublicKeyInfo)");
}

std::optional<RsaDerForm> RsaDerCodec::detect(ByteView der) {
  const std::optional<RsaDerForm> form = shapeOf(der);
  if (form && tryDecode(der, *form)) {
    return form;
  }
  return std::nullopt;
}

SecretBytes RsaDerCodec::encodePrivate(const EVP_PKEY* key, RsaDerForm form) {
  if (!isPrivate(form)) {
    throw Exception(ErrorCode::InternalError, "encodePrivate called with a public form");
  }
  EncoderOutput out;
  encode(key, form, out);
  return SecretBytes(out.data, out.data + out.size);
}

Bytes RsaDerCodec::encodePublic(const EVP_PKEY* key, RsaDerForm form) {
  if (isPrivate(form)) {
    throw Exception(ErrorCode::InternalError, "encodePublic called with a private form");
  }
  EncoderOutput out;
  encode(key, form, out);
  return Bytes(out.data, out.data + out.size);
}

}  // namespace kms::keys
