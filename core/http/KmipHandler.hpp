#pragma once
// POST /kmip/2_1 and POST /kmip: JSON TTLV in, JSON TTLV out.
//   /kmip/2_1  a bare operation (answered by its bare response) or a RequestMessage; any
//              Content-Type is read as JSON, so that `curl -d` works as with Cosmian KMS.
//   /kmip      a RequestMessage as application/json; application/octet-stream (binary TTLV)
//              is answered 415 until the binary codec is wired in.
#include <Poco/Net/HTTPRequestHandler.h>

#include "kms/http/HandlerContext.hpp"

namespace kms::http {

class KmipHandler : public Poco::Net::HTTPRequestHandler {
 public:
  enum class Route { Kmip21, Kmip };

  KmipHandler(const HandlerContext& context, Route route);
  void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override;

 private:
  // The refusal for an unusable Content-Type on /kmip, or an empty string when it is JSON.
  [[nodiscard]] static std::string mediaTypeRefusal(const Poco::Net::HTTPServerRequest& request);
  void serve(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response, bool& bodyRead);

  const HandlerContext& context_;
  const Route route_;
};

}  // namespace kms::http
