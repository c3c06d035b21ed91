#pragma once
// GET /version: the version as a JSON string ("0.1.0"), as Cosmian KMS answers.
#include <Poco/Net/HTTPRequestHandler.h>

namespace kms::http {

class VersionHandler : public Poco::Net::HTTPRequestHandler {
 public:
  void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override;
};

}  // namespace kms::http
