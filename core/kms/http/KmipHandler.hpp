#pragma once
// POST /kmip/2_1 and POST /kmip: TTLV in, the same encoding out.
//   /kmip/2_1  a bare operation (answered by its bare response) or a RequestMessage; any
//              Content-Type is read as JSON, so that `curl -d` works as with Cosmian KMS.
//   /kmip      a RequestMessage as application/json (JSON TTLV) or application/octet-stream
//              (binary TTLV, KMIP 2.1 section 9.1); any other type is answered 415.
// A message that cannot be decoded is answered with the HTTP status and text of its error, in
// either encoding; failed batch items are answered inside the ResponseMessage.
#include <Poco/Net/HTTPRequestHandler.h>

#include "kms/http/HandlerContext.hpp"

namespace kms::http {

class KmipHandler : public Poco::Net::HTTPRequestHandler {
 public:
  enum class Route { Kmip21, Kmip };

  KmipHandler(const HandlerContext& context, Route route);
  void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override;

 private:
  enum class Encoding { Json, Binary };
  // From the Content-Type of a /kmip request; throws for any other type.
  [[nodiscard]] static Encoding encodingOf(const Poco::Net::HTTPServerRequest& request);
  void serve(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response, bool& bodyRead);

  const HandlerContext& context_;
  const Route route_;
};

}  // namespace kms::http
