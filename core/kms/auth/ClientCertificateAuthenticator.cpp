#include "kms/auth/ClientCertificateAuthenticator.hpp"

#include <openssl/x509v3.h>

#include <memory>

#include "kms/auth/AuthenticationError.hpp"

namespace kms::auth {
namespace {

std::string subjectEntry(const X509* certificate, int nid) {
  const X509_NAME* name = X509_get_subject_name(certificate);
  const int index = X509_NAME_get_index_by_NID(name, nid, -1);
  if (index < 0) return {};
  const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
  unsigned char* utf8 = nullptr;
  const int length = ASN1_STRING_to_UTF8(&utf8, data);
  if (length < 0) return {};
  std::string out(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(length));
  OPENSSL_free(utf8);
  return out;
}

std::string emailOf(const X509* certificate) {
  using Names = std::unique_ptr<GENERAL_NAMES, decltype(&GENERAL_NAMES_free)>;
  Names names(static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(certificate, NID_subject_alt_name, nullptr, nullptr)),
              &GENERAL_NAMES_free);
  if (names) {
    for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
      const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
      if (name->type != GEN_EMAIL) continue;
      const ASN1_IA5STRING* email = name->d.rfc822Name;
      return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(email)),
                         static_cast<std::size_t>(ASN1_STRING_length(email)));
    }
  }
  return subjectEntry(certificate, NID_pkcs9_emailAddress);
}

// A name with a NUL or control character is an attempt to look like another user.
bool usable(const std::string& user) {
  if (user.empty()) return false;
  for (char c : user) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) return false;
  }
  return true;
}

}  // namespace

ClientCertificateAuthenticator::ClientCertificateAuthenticator(config::ClientCertUser field) : field_(field) {}

std::string ClientCertificateAuthenticator::userOf(const Poco::Crypto::X509Certificate& certificate,
                                                   config::ClientCertUser field) {
  const X509* raw = certificate.certificate();
  std::string user = field == config::ClientCertUser::Email ? emailOf(raw) : subjectEntry(raw, NID_commonName);
  return usable(user) ? user : std::string();
}

std::optional<std::string> ClientCertificateAuthenticator::authenticate(const Credentials& credentials) {
  if (!credentials.clientCertificate) return std::nullopt;
  std::string user = userOf(*credentials.clientCertificate, field_);
  if (user.empty()) {
    throw AuthenticationError(std::string("client certificate without a usable ") +
                              (field_ == config::ClientCertUser::Email ? "email address" : "subject CN"));
  }
  return user;
}

std::string ClientCertificateAuthenticator::describe() const {
  return std::string("client certificates (user = ") +
         (field_ == config::ClientCertUser::Email ? "email" : "subject CN") + ")";
}

}  // namespace kms::auth
