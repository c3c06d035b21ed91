#pragma once
// Wraps the routed handler: one debug line per request (method, path, status, duration;
// never the body, which holds keys) and the last guard that keeps any exception from
// reaching Poco, so that a request can fail but never the server.
#include <Poco/Net/HTTPRequestHandler.h>

#include <memory>

namespace kms::http {

class LoggingHandler : public Poco::Net::HTTPRequestHandler {
 public:
  explicit LoggingHandler(std::unique_ptr<Poco::Net::HTTPRequestHandler> inner);
  void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override;

 private:
  std::unique_ptr<Poco::Net::HTTPRequestHandler> inner_;
};

}  // namespace kms::http
