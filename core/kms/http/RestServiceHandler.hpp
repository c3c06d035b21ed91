#pragma once
// Serves one call of a net::RestService (a cloud integration's route): the request's body read
// within the service's limit, its Authorization header, path and origin handed over, and the
// service's answer written back; kms::Exception escaping the service is answered as the other
// routes answer it.
#include <Poco/Net/HTTPRequestHandler.h>

#include <string>

#include "kms/net/RestService.hpp"

namespace kms::http {

class RestServiceHandler : public Poco::Net::HTTPRequestHandler {
 public:
  // `path`: the request's path after the service's prefix.
  RestServiceHandler(net::RestService& service, std::string path);
  void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override;

 private:
  net::RestService& service_;
  const std::string path_;
};

}  // namespace kms::http
