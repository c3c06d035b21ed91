#pragma once
// A kmsd HTTP server on 127.0.0.1:<ephemeral> over a fresh SQLite store, and a small client.
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <istream>
#include <memory>
#include <sstream>
#include <string>

#include "kms/config/Config.hpp"
#include "kms/http/DefaultUserAuthenticator.hpp"
#include "kms/http/HandlerContext.hpp"
#include "kms/http/HttpServer.hpp"
#include "kms/ops/RequestProcessor.hpp"
#include "kms/store/sqlite/SqliteStore.hpp"
#include "support/TempDir.hpp"

namespace kms::http::test {

using TempDirectory = kms::test::TempDir;

inline config::HttpConfig loopbackConfig(std::size_t maxBodySize = 64 * 1024) {
  config::HttpConfig config;
  config.hostname = "127.0.0.1";
  config.port = 0;
  config.maxBodySize = maxBodySize;
  config.threads = 8;
  return config;
}

class TestServer {
 public:
  explicit TestServer(const config::HttpConfig& config = loopbackConfig())
      : store_(directory_.path() / "db"),
        processor_(store_, ops::ProcessorSettings{}),
        authenticator_("alice"),
        context_{processor_, store_, authenticator_, config.maxBodySize, {}},
        server_(config, context_) {
    std::signal(SIGPIPE, SIG_IGN);  // as kmsd does: a test client hanging up must not kill the run
    server_.start();
  }

  [[nodiscard]] std::uint16_t port() const noexcept { return server_.port(); }
  HttpServer& server() noexcept { return server_; }
  store::SqliteStore& store() noexcept { return store_; }
  ops::RequestProcessor& processor() noexcept { return processor_; }
  Authenticator& authenticator() noexcept { return authenticator_; }

 private:
  TempDirectory directory_;
  store::SqliteStore store_;
  ops::RequestProcessor processor_;
  DefaultUserAuthenticator authenticator_;
  HandlerContext context_;
  HttpServer server_;
};

struct Reply {
  int status = 0;
  std::string reason;
  std::string contentType;
  std::string body;
  std::string allow;
  bool keepAlive = true;
};

// One HTTP/1.1 session; requests on it reuse the connection while the server keeps it alive.
class Client {
 public:
  explicit Client(std::uint16_t port) : session_("127.0.0.1", port) {
    session_.setKeepAlive(true);
    session_.setTimeout(Poco::Timespan(10, 0));
  }

  Reply send(const std::string& method, const std::string& path, const std::string& body = {},
             const std::string& contentType = "application/json", bool chunked = false) {
    Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    request.setKeepAlive(true);
    if (!contentType.empty()) request.setContentType(contentType);
    if (chunked) {
      request.setChunkedTransferEncoding(true);
    } else if (!body.empty() || method == "POST") {
      request.setContentLength64(static_cast<Poco::Int64>(body.size()));
    }
    std::ostream& out = session_.sendRequest(request);
    out.write(body.data(), static_cast<std::streamsize>(body.size()));
    return receive();
  }

  Reply post(const std::string& path, const std::string& body) { return send("POST", path, body); }
  Reply get(const std::string& path) { return send("GET", path); }

  Poco::Net::HTTPClientSession& session() noexcept { return session_; }

 private:
  Reply receive() {
    Poco::Net::HTTPResponse response;
    std::istream& in = session_.receiveResponse(response);
    std::ostringstream body;
    body << in.rdbuf();
    return Reply{static_cast<int>(response.getStatus()),
                 response.getReason(),
                 response.getContentType(),
                 body.str(),
                 response.get("Allow", ""),
                 response.getKeepAlive()};
  }

  Poco::Net::HTTPClientSession session_;
};

}  // namespace kms::http::test
