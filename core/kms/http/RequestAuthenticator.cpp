#include "kms/http/RequestAuthenticator.hpp"

#include <Poco/Logger.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/String.h>
#include <fmt/format.h>

#include "kms/Exception.hpp"
#include "kms/audit/AuditLog.hpp"
#include "kms/auth/AuthenticationError.hpp"
#include "kms/http/ServerRequest.hpp"

namespace kms::http {
namespace {

Poco::Logger& logger() {
  static Poco::Logger& instance = Poco::Logger::get("kms.auth");
  return instance;
}

// The audit line of a refused authentication (the reason as the server log gives it: never a
// credential). Not waited for: see AuditLog::note.
void auditFailure(const Poco::Net::HTTPServerRequest& request, const std::string& reason) {
  try {
    audit::AuditEvent event;
    event.type = "auth.failure";
    event.operation = request.getMethod() + " " + request.getURI().substr(0, request.getURI().find('?')).substr(0, 100);
    event.result = "denied";
    event.reason = "AuthenticationFailed";
    event.message = reason;
    event.peer = request.clientAddress().host().toString();
    event.transport = "http";
    audit::AuditLog::note(std::move(event), false);
  } catch (const std::exception& error) {
    logger().error(fmt::format("audit: {}", error.what()));
  }
}

}  // namespace

RequestAuthenticator::RequestAuthenticator(const auth::AuthenticatorChain& chain) : chain_(chain) {}

auth::Credentials RequestAuthenticator::credentialsOf(const Poco::Net::HTTPServerRequest& request) {
  auth::Credentials credentials;
  if (request.has("Authorization")) {
    const std::string& header = request.get("Authorization");
    const auto space = header.find(' ');
    const std::string scheme = Poco::toLower(header.substr(0, space));
    if (scheme == "bearer" && space != std::string::npos) {
      std::string token = header.substr(space + 1);
      Poco::trimInPlace(token);
      credentials.bearer = std::move(token);
    } else {
      credentials.otherAuthorization = true;
    }
  }
  if (request.secure()) {
    // The handshake verified any certificate the client sent (the server context asks for
    // one only when a client CA is configured, and refuses one that does not verify).
    if (const auto* served = dynamic_cast<const ServerRequest*>(&request)) {
      Poco::Net::SecureStreamSocket socket(served->socket());
      if (socket.havePeerCertificate()) credentials.clientCertificate = socket.peerCertificate();
    }
  }
  return credentials;
}

std::string RequestAuthenticator::authenticate(const Poco::Net::HTTPServerRequest& request) {
  try {
    return chain_.authenticate(credentialsOf(request));
  } catch (const auth::AuthenticationError& error) {
    logger().warning(fmt::format("authentication failed for {} {} from {}: {}", request.getMethod(),
                                 request.getURI().substr(0, 100), request.clientAddress().host().toString(),
                                 error.what()));
    auditFailure(request, error.what());
  } catch (const Poco::Exception& error) {
    logger().warning(fmt::format("authentication failed for {} {} from {}: {}", request.getMethod(),
                                 request.getURI().substr(0, 100), request.clientAddress().host().toString(),
                                 error.displayText()));
    auditFailure(request, error.displayText());
  }
  throw Exception(ErrorCode::AuthenticationFailed, std::string(kRefusal));
}

}  // namespace kms::http
