#pragma once
// Answers a fixed HTTP-level refusal: 404 for an unknown route, 405 (with Allow) for a
// known route and a wrong method, 413 for a declared body above the limit.
#include <Poco/Net/HTTPRequestHandler.h>

#include <string>

namespace kms::http {

class StatusHandler : public Poco::Net::HTTPRequestHandler {
 public:
  StatusHandler(int status, std::string message, std::string allow = {});
  void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override;

 private:
  const int status_;
  const std::string message_;
  const std::string allow_;
};

}  // namespace kms::http
