#include "kms/cli/KmipClient.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLException.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>
#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/pkcs12.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <sstream>

#include "kms/Exception.hpp"
#include "kms/cli/CliError.hpp"
#include "kms/kmip/JsonCodec.hpp"

namespace kms::cli {
namespace {

// The server's error body is "<reason>: <message>" (text/plain); keep it to one short line.
std::string oneLine(std::string text) {
  for (char& c : text) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  while (!text.empty() && text.back() == ' ') text.pop_back();
  if (text.size() > 400) text = text.substr(0, 400) + "...";
  return text;
}

std::string openSslError() {
  const unsigned long code = ERR_get_error();
  if (code == 0) return "unknown OpenSSL error";
  char buffer[256];
  ERR_error_string_n(code, buffer, sizeof buffer);
  ERR_clear_error();
  return buffer;
}

// PKCS#12 (ssl_client_pkcs12_path): Poco's Context takes PEM files only, so the certificate,
// its key and its chain go into the OpenSSL context underneath.
void usePkcs12(SSL_CTX* ctx, const Config& config) {
  std::FILE* file = std::fopen(config.pkcs12Path.c_str(), "rb");
  if (file == nullptr) {
    throw CliError(ExitCode::LocalFile, fmt::format("cannot read the PKCS#12 file {}", config.pkcs12Path));
  }
  PKCS12* p12 = d2i_PKCS12_fp(file, nullptr);
  std::fclose(file);
  if (p12 == nullptr) {
    throw CliError(ExitCode::BadData, fmt::format("{} is not a PKCS#12 file", config.pkcs12Path));
  }
  EVP_PKEY* key = nullptr;
  X509* cert = nullptr;
  STACK_OF(X509)* chain = nullptr;
  const int parsed = PKCS12_parse(p12, config.pkcs12Password.c_str(), &key, &cert, &chain);
  PKCS12_free(p12);
  if (parsed != 1) {
    throw CliError(ExitCode::BadData, fmt::format("cannot open the PKCS#12 file {}: wrong ssl_client_pkcs12_password?",
                                                  config.pkcs12Path));
  }
  bool ok = cert != nullptr && key != nullptr && SSL_CTX_use_certificate(ctx, cert) == 1 &&
            SSL_CTX_use_PrivateKey(ctx, key) == 1;
  for (int index = 0; ok && chain != nullptr && index < sk_X509_num(chain); ++index) {
    X509* extra = sk_X509_value(chain, index);
    ok = SSL_CTX_add_extra_chain_cert(ctx, X509_dup(extra)) == 1;
  }
  X509_free(cert);
  EVP_PKEY_free(key);
  sk_X509_pop_free(chain, X509_free);
  if (!ok) throw CliError(ExitCode::BadData, fmt::format("{}: {}", config.pkcs12Path, openSslError()));
}

// The server certificate must name the host of the URL (RFC 6125): OpenSSL checks it during
// the handshake, with the chain, so that a certificate of the right CA for another host fails
// like an untrusted one (measured: Poco 1.11's own check let such a certificate through).
void checkHostName(SSL_CTX* ctx, const std::string& host) {
  X509_VERIFY_PARAM* param = SSL_CTX_get0_param(ctx);
  const bool isIp = X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str()) == 1;
  if (!isIp) {
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    if (X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size()) != 1) {
      throw CliError(ExitCode::Usage, fmt::format("'{}' is no host name TLS can check", host));
    }
  }
}

Poco::Net::Context::Ptr tlsContext(const Config& config, const std::string& host) {
  Poco::Net::Context::Params params;
  params.verificationMode =
      config.acceptInvalidCerts ? Poco::Net::Context::VERIFY_NONE : Poco::Net::Context::VERIFY_RELAXED;
  params.loadDefaultCAs = config.caCertPath.empty();
  params.caLocation = config.caCertPath;
  params.certificateFile = config.clientCertPath;
  params.privateKeyFile = config.clientKeyPath.empty() ? config.clientCertPath : config.clientKeyPath;
  if (config.clientCertPath.empty()) params.privateKeyFile.clear();
  params.cipherList = "HIGH:!aNULL:!MD5";
  Poco::Net::Context::Ptr context;
  try {
    context = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params);
  } catch (const Poco::Exception& error) {
    throw CliError(ExitCode::LocalFile, fmt::format("cannot load the TLS files (CA {}, client certificate {}): {}",
                                                    config.caCertPath.empty() ? "system" : config.caCertPath,
                                                    config.clientCertPath.empty() ? "none" : config.clientCertPath,
                                                    oneLine(error.displayText())));
  }
  SSL_CTX_set_min_proto_version(context->sslContext(), TLS1_2_VERSION);
  if (config.acceptInvalidCerts) {
    context->enableExtendedCertificateVerification(false);
  } else {
    checkHostName(context->sslContext(), host);
  }
  if (!config.pkcs12Path.empty()) usePkcs12(context->sslContext(), config);
  return context;
}

}  // namespace

KmipClient::KmipClient(Config config) : config_(std::move(config)) {}

KmipClient::~KmipClient() = default;

Poco::Net::HTTPClientSession& KmipClient::session() {
  if (session_) return *session_;
  Poco::URI uri;
  try {
    uri = Poco::URI(config_.serverUrl);
  } catch (const Poco::Exception&) {
    throw CliError(ExitCode::Usage, fmt::format("the server URL '{}' is not a URL", config_.serverUrl));
  }
  basePath_ = uri.getPath();
  while (!basePath_.empty() && basePath_.back() == '/') basePath_.pop_back();
  if (uri.getScheme() == "https") {
    session_ = std::make_unique<Poco::Net::HTTPSClientSession>(uri.getHost(), uri.getPort(),
                                                               tlsContext(config_, uri.getHost()));
  } else if (uri.getScheme() == "http") {
    session_ = std::make_unique<Poco::Net::HTTPClientSession>(uri.getHost(), uri.getPort());
  } else {
    throw CliError(ExitCode::Usage,
                   fmt::format("the server URL '{}' must start with http:// or https://", config_.serverUrl));
  }
  session_->setTimeout(Poco::Timespan(config_.timeoutSeconds, 0));
  return *session_;
}

std::string KmipClient::exchange(const std::string& method, const std::string& path, const std::string& body,
                                 const std::string& what, int& status) {
  auto& http = session();
  Poco::Net::HTTPRequest request(method, basePath_ + path, Poco::Net::HTTPMessage::HTTP_1_1);
  if (const auto token = config_.bearerToken()) request.set("Authorization", "Bearer " + *token);
  request.set("Accept", "application/json");
  if (!body.empty()) {
    request.setContentType("application/json");
    request.setContentLength(static_cast<std::streamsize>(body.size()));
  }
  try {
    std::ostream& out = http.sendRequest(request);
    // A server that refuses a body (too large) may answer and close before it has all of it:
    // the answer is still worth reading, it says why.
    bool sent = true;
    try {
      out.write(body.data(), static_cast<std::streamsize>(body.size()));
      out.flush();
      sent = static_cast<bool>(out);
    } catch (const Poco::Exception&) {
      sent = false;
    }
    Poco::Net::HTTPResponse response;
    std::string answer;
    try {
      std::istream& in = http.receiveResponse(response);
      Poco::StreamCopier::copyToString(in, answer);
    } catch (const Poco::Net::SSLException&) {
      throw;
    } catch (const Poco::Exception& error) {
      if (sent) throw;
      throw CliError(ExitCode::Connection,
                     fmt::format("{} closed the connection while {} ({} bytes) was sent: the request may exceed its "
                                 "size limit ({})",
                                 config_.serverUrl, what, body.size(), oneLine(error.displayText())));
    }
    status = response.getStatus();
    return answer;
  } catch (const Poco::Net::SSLException& error) {
    throw CliError(ExitCode::Connection,
                   fmt::format("TLS with {} failed: {} (check the CA (tls_server_ca_pem_path) and the client "
                               "certificate)",
                               config_.serverUrl, oneLine(error.displayText())));
  } catch (const Poco::TimeoutException&) {
    throw CliError(ExitCode::Connection,
                   fmt::format("{} did not answer {} within {} s", config_.serverUrl, what, config_.timeoutSeconds));
  } catch (const Poco::Exception& error) {
    throw CliError(ExitCode::Connection, fmt::format("cannot reach the KMS at {}: {} (is kmsd running? check "
                                                     "--url or server_url)",
                                                     config_.serverUrl, oneLine(error.displayText())));
  }
}

kmip::Ttlv KmipClient::call(const kmip::Ttlv& operation) {
  const std::string body = kmip::JsonCodec::encode(operation);
  int status = 0;
  const std::string answer = exchange(Poco::Net::HTTPRequest::HTTP_POST, "/kmip/2_1", body, operation.tag(), status);
  if (status == Poco::Net::HTTPResponse::HTTP_UNAUTHORIZED) {
    throw CliError(ExitCode::ServerRefused,
                   fmt::format("{}: authentication failed: {} (check access_token or the client certificate)",
                               operation.tag(), oneLine(answer)));
  }
  if (status == Poco::Net::HTTPResponse::HTTP_REQUEST_ENTITY_TOO_LARGE) {
    throw CliError(ExitCode::ServerRefused,
                   fmt::format("{} refused (HTTP {}): {} (the request exceeds the server's size limit: leave "
                               "--no-envelope out to encrypt a large file)",
                               operation.tag(), status, oneLine(answer)));
  }
  if (status != Poco::Net::HTTPResponse::HTTP_OK) {
    throw CliError(ExitCode::ServerRefused,
                   fmt::format("{} refused (HTTP {}): {}", operation.tag(), status, oneLine(answer)));
  }
  try {
    return kmip::JsonCodec::decode(answer);
  } catch (const kms::Exception& error) {
    throw CliError(ExitCode::ServerRefused,
                   fmt::format("{}: the server's answer is not JSON TTLV: {}", operation.tag(), oneLine(error.what())));
  }
}

std::string KmipClient::rest(const std::string& method, const std::string& path, const std::string& body) {
  int status = 0;
  const std::string route = method + " " + path;
  std::string answer = exchange(method, path, body, route, status);
  if (status == Poco::Net::HTTPResponse::HTTP_UNAUTHORIZED) {
    throw CliError(ExitCode::ServerRefused, fmt::format("{}: authentication failed: {} (check access_token or "
                                                        "the client certificate)",
                                                        route, oneLine(answer)));
  }
  if (status != Poco::Net::HTTPResponse::HTTP_OK) {
    throw CliError(ExitCode::ServerRefused, fmt::format("{} refused (HTTP {}): {}", route, status, oneLine(answer)));
  }
  return answer;
}

std::string KmipClient::get(const std::string& path) {
  return rest(Poco::Net::HTTPRequest::HTTP_GET, path, {});
}

std::string KmipClient::post(const std::string& path, const std::string& json) {
  return rest(Poco::Net::HTTPRequest::HTTP_POST, path, json);
}

std::string KmipClient::del(const std::string& path) {
  return rest(Poco::Net::HTTPRequest::HTTP_DELETE, path, {});
}

}  // namespace kms::cli
