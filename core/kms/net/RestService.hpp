#pragma once
// The seam between the HTTP server and the cloud integrations (Microsoft DKE, Google CSE, ...):
// each integration answers the REST calls under its own path prefix, without seeing Poco's
// HTTP types, and the HTTP server (http/RestServiceHandler) does the transport: it reads the
// bounded body, calls serve() and writes what it returns. Integrations thus depend on net/
// only, and http/ never includes an integration (the server registers them, HandlerContext).
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace kms::net {

struct RestRequest {
  std::string method;         // "GET", "POST", ...
  std::string path;           // after the integration's prefix, still percent-encoded: "/key/uid/decrypt"
  std::string authorization;  // the Authorization header, empty when absent. Secret: never logged
  std::string body;
  // How the client reached kmsd ("https://kms.example.com:9998"): scheme by TLS, Host header.
  std::string origin;
  std::string peer;  // the client's address, for log lines
};

struct RestResponse {
  int status = 200;
  std::string contentType = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

class RestService {
 public:
  virtual ~RestService() = default;
  // Called on HTTP worker threads: must be thread-safe. Answers every failure it knows as a
  // response; an exception it lets escape is answered as kms::Exception / 500 by the server.
  virtual RestResponse serve(const RestRequest& request) = 0;
  // The largest body accepted (413 beyond, before serve()).
  [[nodiscard]] virtual std::size_t maxBodySize() const noexcept { return std::size_t{64} * 1024; }
};

}  // namespace kms::net
