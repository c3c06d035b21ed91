#pragma once
// Error answers. Like Cosmian KMS, the body is plain text for people and clients to show:
// "<name>: <message>", where name is the ErrorTable's stable name ("not_found", ...) and the
// HTTP status is the ErrorTable's. (Cosmian sends the same text as text/html; kmsd says
// text/plain so that a browser never renders a message that quotes request data.)
#include <string_view>

#include "kms/Exception.hpp"

namespace Poco::Net {
class HTTPServerResponse;
}

namespace kms::http {

class ErrorResponse {
 public:
  // Status and name from ErrorTable::lookup(error.code()).
  static void send(Poco::Net::HTTPServerResponse& response, const kms::Exception& error);
  // An HTTP-level refusal that is no KMS error (unknown route, wrong method, media type).
  static void sendStatus(Poco::Net::HTTPServerResponse& response, int status, std::string_view message);
  // 500 with a generic message: the detail goes to the log, never to the client.
  static void sendInternal(Poco::Net::HTTPServerResponse& response);
};

}  // namespace kms::http
