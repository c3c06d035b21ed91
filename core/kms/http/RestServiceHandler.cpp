#include "kms/http/RestServiceHandler.hpp"

#include <Poco/Logger.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <exception>

#include "kms/Exception.hpp"
#include "kms/http/BodyReader.hpp"
#include "kms/http/ErrorResponse.hpp"

namespace kms::http {
namespace {

// The origin the client used, for URLs the service hands back (DKE's key ids). The Host header
// is the client's word: services that must not trust it take a configured URL instead.
std::string originOf(const Poco::Net::HTTPServerRequest& request) {
  std::string host = request.getHost();
  if (host.empty() || host.size() > 255 || host.find_first_of("/\\ \t\r\n\"<>") != std::string::npos) {
    host = request.serverAddress().toString();
  }
  return fmt::format("{}://{}", request.secure() ? "https" : "http", host);
}

class RequestBody : public net::RestBody {
 public:
  RequestBody(Poco::Net::HTTPServerRequest& request, std::size_t limit) : request_(request), limit_(limit) {}
  std::string read() override {
    std::string body = BodyReader::read(request_, limit_);
    read_ = true;
    return body;
  }
  [[nodiscard]] bool wasRead() const noexcept { return read_; }

 private:
  Poco::Net::HTTPServerRequest& request_;
  std::size_t limit_;
  bool read_ = false;
};

net::RestRequest restRequestOf(const Poco::Net::HTTPServerRequest& request, net::RestBody& body) {
  net::RestRequest call;
  call.method = request.getMethod();
  const std::string& uri = request.getURI();
  const std::size_t question = uri.find('?');
  call.path = uri.substr(0, question);
  if (question != std::string::npos) call.query = uri.substr(question + 1);
  call.headers.reserve(request.size());
  for (const auto& [name, value] : request) {
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    call.headers.emplace_back(std::move(lower), value);
  }
  call.origin = originOf(request);
  call.peer = request.clientAddress().toString();
  call.body = &body;
  return call;
}

}  // namespace

RestServiceHandler::RestServiceHandler(net::RestService& service) : service_(service) {}

void RestServiceHandler::handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
  RequestBody body(request, service_.maxBodySize());
  // A body left unread is skipped by Poco before the next request, unless it is too large.
  const auto closeUnlessRead = [&] {
    if (!body.wasRead() && BodyReader::tooLargeToSkip(request)) response.setKeepAlive(false);
  };
  try {
    const net::RestResponse answer = service_.serve(restRequestOf(request, body));
    response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(answer.status));
    for (const auto& [name, value] : answer.headers) response.set(name, value);
    if (answer.closeConnection) response.setKeepAlive(false);
    closeUnlessRead();
    response.setContentType(answer.contentType);
    response.sendBuffer(answer.body.data(), answer.body.size());
    return;
  } catch (const kms::Exception& error) {
    closeUnlessRead();
    ErrorResponse::send(response, error);
    return;
  } catch (const std::exception& error) {
    Poco::Logger::get("kms.http")
        .error(fmt::format("{} {}: unexpected error: {}", request.getMethod(), request.getURI().substr(0, 100),
                           error.what()));
  }
  closeUnlessRead();
  ErrorResponse::sendInternal(response);
}

}  // namespace kms::http
