#pragma once
// The seam between the HTTP server and the cloud integrations (AWS XKS, Microsoft DKE, ...):
// each integration answers the REST calls of the paths it claims, without seeing Poco's HTTP
// types, and the HTTP server (http/RestServiceHandler) does the transport: it hands over the
// request line and headers, reads the bounded body when the service asks for it, and writes
// what serve() returns. Integrations thus depend on net/ only, and http/ never includes an
// integration (the server registers them: HandlerContext::restServices).
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kms::net {

// The body of one call, read only when the service asks: a call refused on its headers alone
// (a bad signature, a wrong method) costs no read of up to maxBodySize() bytes.
class RestBody {
 public:
  virtual ~RestBody() = default;
  // The whole body, at most the service's maxBodySize() bytes; call it once. Throws
  // kms::Exception: 413 (ErrorCode::PayloadTooLarge) beyond the limit, 400 when malformed.
  virtual std::string read() = 0;
};

struct RestRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // as received, before any '?', still percent-encoded: "/ms_dke/key/uid/decrypt"
  std::string query;   // as received, after the '?'; empty when there is none
  // Every header in arrival order, names lower-cased, values as received (SigV4 signs them).
  // Authorization is among them: secret, never logged.
  std::vector<std::pair<std::string, std::string>> headers;
  // How the client reached kmsd ("https://kms.example.com:9998"): scheme by TLS, Host header.
  std::string origin;
  std::string peer;          // the client's address and port, for log lines
  RestBody* body = nullptr;  // never nullptr in a call from the server

  // The first header of that lower-case name, empty when absent.
  [[nodiscard]] std::string_view header(std::string_view lowerName) const noexcept {
    for (const auto& [name, value] : headers) {
      if (name == lowerName) return value;
    }
    return {};
  }
};

struct RestResponse {
  int status = 200;
  std::string contentType = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool closeConnection = false;  // a refused caller gets nothing more from this connection
};

class RestService {
 public:
  virtual ~RestService() = default;
  // Whether `path` (as received, without the query) is this service's: asked before kmsd's
  // own routes, on every request, so it must be cheap.
  [[nodiscard]] virtual bool serves(std::string_view path) const noexcept = 0;
  // Called on HTTP worker threads: must be thread-safe. Answers every failure it knows as a
  // response; an exception it lets escape is answered as kms::Exception / 500 by the server.
  virtual RestResponse serve(const RestRequest& request) = 0;
  // The largest body request.body->read() accepts.
  [[nodiscard]] virtual std::size_t maxBodySize() const noexcept { return std::size_t{64} * 1024; }
};

}  // namespace kms::net
