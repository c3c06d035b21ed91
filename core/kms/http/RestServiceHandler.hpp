#pragma once
// Serves one call of a net::RestService (a cloud integration): the request line and headers
// handed over, the body read within the service's limit when the service asks, and the
// service's answer written back; kms::Exception escaping the service is answered as the other
// routes answer it.
#include <Poco/Net/HTTPRequestHandler.h>

#include "kms/net/RestService.hpp"

namespace kms::http {

class RestServiceHandler : public Poco::Net::HTTPRequestHandler {
 public:
  explicit RestServiceHandler(net::RestService& service);
  void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override;

 private:
  net::RestService& service_;
};

}  // namespace kms::http
