#include "kms/net/TlsContext.hpp"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/ssl.h>

#include <cstdio>
#include <memory>

namespace kms::net {
namespace {

// TLS 1.3 suites are always forward-secret; for TLS 1.2 keep ECDHE with AEAD ciphers only.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:"
    "ECDHE-RSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256";
constexpr int kVerifyDepth = 9;
constexpr unsigned char kSessionContext[] = "kmsd";

// The last OpenSSL error, then clears the queue so that it does not leak into later calls.
std::string openSslReason() {
  const unsigned long code = ERR_peek_last_error();
  std::string reason = code != 0 ? ERR_reason_error_string(code) != nullptr ? ERR_reason_error_string(code) : "unknown"
                                 : "unknown error";
  ERR_clear_error();
  return reason;
}

[[noreturn]] void fail(std::string_view key, const std::string& path, std::string_view what) {
  throw TlsError(fmt::format("tls.{}: '{}': {}: {}", key, path, what, openSslReason()));
}

using File = std::unique_ptr<std::FILE, int (*)(std::FILE*)>;

File open(std::string_view key, const std::string& path) {
  File file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) throw TlsError(fmt::format("tls.{}: cannot read '{}'", key, path));
  return file;
}

void usePem(SSL_CTX* ctx, const config::TlsConfig& tls) {
  // The certificate file may carry the chain after the server certificate.
  if (SSL_CTX_use_certificate_chain_file(ctx, tls.certFile.c_str()) != 1) {
    fail("tls_cert_file", tls.certFile, "not a usable PEM certificate");
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, tls.keyFile.c_str(), SSL_FILETYPE_PEM) != 1) {
    fail("tls_key_file", tls.keyFile, "not a usable PEM private key");
  }
  if (!tls.chainFile.empty()) {
    File file = open("tls_chain_file", tls.chainFile);
    int count = 0;
    while (X509* certificate = PEM_read_X509(file.get(), nullptr, nullptr, nullptr)) {
      const int added = SSL_CTX_add0_chain_cert(ctx, certificate);  // takes ownership
      if (added != 1) {
        X509_free(certificate);
        fail("tls_chain_file", tls.chainFile, "cannot add a certificate");
      }
      ++count;
    }
    ERR_clear_error();  // the loop ends on "no start line"
    if (count == 0) throw TlsError(fmt::format("tls.tls_chain_file: '{}': no PEM certificate", tls.chainFile));
  }
}

void useP12(SSL_CTX* ctx, const config::TlsConfig& tls) {
  File file = open("tls_p12_file", tls.p12File);
  std::unique_ptr<PKCS12, decltype(&PKCS12_free)> p12(d2i_PKCS12_fp(file.get(), nullptr), &PKCS12_free);
  if (!p12) fail("tls_p12_file", tls.p12File, "not a PKCS#12 file");
  EVP_PKEY* key = nullptr;
  X509* certificate = nullptr;
  STACK_OF(X509)* chain = nullptr;
  // The message names the file, never the password.
  if (PKCS12_parse(p12.get(), tls.p12Password.c_str(), &key, &certificate, &chain) != 1) {
    fail("tls_p12_file", tls.p12File, "cannot open (wrong tls_p12_password?)");
  }
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> keyOwner(key, &EVP_PKEY_free);
  std::unique_ptr<X509, decltype(&X509_free)> certificateOwner(certificate, &X509_free);
  const auto freeChain = [](STACK_OF(X509) * stack) { sk_X509_pop_free(stack, X509_free); };
  std::unique_ptr<STACK_OF(X509), decltype(freeChain)> chainOwner(chain, freeChain);
  if (key == nullptr || certificate == nullptr) {
    throw TlsError(fmt::format("tls.tls_p12_file: '{}': needs a private key and its certificate", tls.p12File));
  }
  if (SSL_CTX_use_certificate(ctx, certificate) != 1 || SSL_CTX_use_PrivateKey(ctx, key) != 1) {
    fail("tls_p12_file", tls.p12File, "unusable key or certificate");
  }
  for (int i = 0; chain != nullptr && i < sk_X509_num(chain); ++i) {
    if (SSL_CTX_add1_chain_cert(ctx, sk_X509_value(chain, i)) != 1) fail("tls_p12_file", tls.p12File, "bad chain");
  }
}

}  // namespace

Poco::Net::Context::Ptr TlsContext::create(const config::TlsConfig& tls, bool requireClientCertificate) {
  Poco::Net::Context::Params params;
  params.verificationMode = Poco::Net::Context::VERIFY_NONE;  // set below, on the SSL_CTX itself
  params.loadDefaultCAs = false;                              // clients are trusted by the configured CA only
  params.cipherList = kTls12Ciphers;
  Poco::Net::Context::Ptr context = new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, params);
  SSL_CTX* ctx = context->sslContext();
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1) {
    throw TlsError(fmt::format("cannot require TLS 1.2: {}", openSslReason()));
  }
  if (!tls.p12File.empty()) {
    useP12(ctx, tls);
  } else {
    usePem(ctx, tls);
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    throw TlsError(fmt::format("tls: the private key does not match the certificate: {}", openSslReason()));
  }
  if (!tls.clientsCaCertFile.empty()) {
    const char* ca = tls.clientsCaCertFile.c_str();
    if (SSL_CTX_load_verify_locations(ctx, ca, nullptr) != 1) {
      fail("clients_ca_cert_file", tls.clientsCaCertFile, "not usable PEM CA certificates");
    }
    // The CA names sent in the CertificateRequest let a client pick the right certificate.
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(ca);
    if (names == nullptr) fail("clients_ca_cert_file", tls.clientsCaCertFile, "no CA certificate");
    SSL_CTX_set_client_CA_list(ctx, names);
    // No callback: OpenSSL's own verdict stands, so any verification error (expired, unknown
    // issuer, bad signature) fails the handshake.
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | (requireClientCertificate ? SSL_VERIFY_FAIL_IF_NO_PEER_CERT : 0),
                       nullptr);
    SSL_CTX_set_verify_depth(ctx, kVerifyDepth);
    SSL_CTX_set_session_id_context(ctx, kSessionContext, sizeof kSessionContext - 1);
  }
  return context;
}

}  // namespace kms::net
