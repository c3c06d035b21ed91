#pragma once
// GET /health: 200 {"status":"ok"} when the database answers, 503 otherwise (the reason goes
// to the log). Load balancers use it to take a node out of rotation.
#include <Poco/Net/HTTPRequestHandler.h>

namespace kms::store {
class ObjectStore;
}

namespace kms::http {

class HealthHandler : public Poco::Net::HTTPRequestHandler {
 public:
  explicit HealthHandler(store::ObjectStore& store);
  void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override;

 private:
  store::ObjectStore& store_;
};

}  // namespace kms::http
