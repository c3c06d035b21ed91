#include "kms/integrations/aws_xks/XksRequestHandler.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Logger.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <fmt/format.h>

#include <chrono>
#include <optional>
#include <sstream>

#include "kms/Exception.hpp"
#include "kms/http/BodyReader.hpp"
#include "kms/integrations/aws_xks/ExternalKeyId.hpp"
#include "kms/integrations/aws_xks/RequestMetadata.hpp"
#include "kms/integrations/aws_xks/XksError.hpp"
#include "kms/integrations/aws_xks/XksRoutes.hpp"

namespace kms::integrations::aws_xks {
namespace {

Poco::Logger& logger() {
  // Logger::get locks a global registry: look it up once, not per request.
  static Poco::Logger& instance = Poco::Logger::get("kms.aws_xks");
  return instance;
}

enum class Api { Metadata, Encrypt, Decrypt, Health, Unknown };

struct Route {
  Api api = Api::Unknown;
  std::string keyId;
};

const char* apiName(Api api) {
  switch (api) {
    case Api::Metadata:
      return "GetKeyMetadata";
    case Api::Encrypt:
      return "Encrypt";
    case Api::Decrypt:
      return "Decrypt";
    case Api::Health:
      return "GetHealthStatus";
    case Api::Unknown:
      break;
  }
  return "unknown";
}

Route routeOf(std::string_view path, std::string_view base) {
  if (!path.starts_with(base)) return {};
  std::string_view rest = path.substr(base.size());
  if (rest == "/health") return {Api::Health, {}};
  constexpr std::string_view kKeys = "/keys/";
  if (!rest.starts_with(kKeys)) return {};
  rest.remove_prefix(kKeys.size());
  const std::size_t slash = rest.find('/');
  if (slash == std::string_view::npos || slash == 0) return {};
  const std::string_view operation = rest.substr(slash + 1);
  Route out{Api::Unknown, std::string(rest.substr(0, slash))};
  if (operation == "metadata") out.api = Api::Metadata;
  if (operation == "encrypt") out.api = Api::Encrypt;
  if (operation == "decrypt") out.api = Api::Decrypt;
  return out;
}

// The errorMessage: under 512 characters of printable ASCII (the specification's rule).
std::string messageText(std::string_view text) {
  std::string out;
  for (const char ch : text.substr(0, 500)) out.push_back(ch >= 0x20 && ch <= 0x7e ? ch : '?');
  return out;
}

void sendError(Poco::Net::HTTPServerResponse& response, const XksError& error) {
  Poco::JSON::Object body;
  body.set("errorName", std::string(XksError::nameOf(error.name())));
  // SigV4 failures say why in the log only: a prober learns nothing about the credentials.
  body.set("errorMessage", error.name() == XksErrorName::AuthenticationFailedException
                               ? std::string("The request was rejected due to an invalid AWS SigV4 signature.")
                               : messageText(error.what()));
  std::ostringstream text;
  body.stringify(text);
  response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(XksError::statusOf(error.name())));
  response.setContentType("application/json");
  const std::string json = text.str();
  response.sendBuffer(json.data(), json.size());
}

Poco::JSON::Object::Ptr parseBody(const std::string& body) {
  try {
    Poco::JSON::Parser parser;
    parser.setDepth(32);  // requestMetadata is two levels deep; refuse deep nesting early
    const Poco::Dynamic::Var parsed = parser.parse(body);
    if (parsed.type() == typeid(Poco::JSON::Object::Ptr)) return parsed.extract<Poco::JSON::Object::Ptr>();
  } catch (const Poco::Exception&) {  // NOLINT(bugprone-empty-catch): why below
    // Not JSON at all: the caller answers ValidationException for any body that is not an object.
  }
  return nullptr;
}

}  // namespace

XksRequestHandler::XksRequestHandler(const XksRoutes& routes) : routes_(routes) {}

void XksRequestHandler::handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
  const auto started = std::chrono::steady_clock::now();
  const std::string& uri = request.getURI();
  const std::size_t question = uri.find('?');
  const std::string_view path = std::string_view(uri).substr(0, question);
  const std::string_view query =
      question == std::string::npos ? std::string_view{} : std::string_view(uri).substr(question + 1);
  const Route route = routeOf(path, routes_.base());
  RequestMetadata metadata;
  std::string outcome = "200";
  bool bodyRead = false;

  try {
    if (request.getMethod() != Poco::Net::HTTPRequest::HTTP_POST) {
      // The specification: GET on the API's URIs is 405 (every method but POST, here).
      if (http::BodyReader::tooLargeToSkip(request)) response.setKeepAlive(false);
      response.set("Allow", "POST");
      response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_METHOD_NOT_ALLOWED);
      response.setContentType("application/json");
      const std::string body = R"({"errorName":"ValidationException","errorMessage":"use POST"})";
      response.sendBuffer(body.data(), body.size());
      outcome = "405";
    } else {
      const std::string amzDate = request.get("X-Amz-Date", "");
      const auto authorization =
          routes_.verifier().precheck(request.get("Authorization", ""), amzDate, std::chrono::system_clock::now());
      std::string body;
      try {
        body = http::BodyReader::read(request, XksRoutes::kMaxBody);
      } catch (const kms::Exception& error) {
        throw XksError::fromKms(error, false);
      }
      bodyRead = true;
      std::vector<SigV4::Header> headers;
      for (const auto& [name, value] : request) headers.emplace_back(name, value);
      routes_.verifier().verify(authorization, request.getMethod(), path, query, headers, amzDate, body);

      if (route.api == Api::Unknown) {
        throw XksError(XksErrorName::InvalidUriPathException, "no XKS API at this path");
      }
      const Poco::JSON::Object::Ptr json = parseBody(body);
      std::string answer;
      if (route.api == Api::Health) {
        if (json) metadata = RequestMetadata::read(*json, false);
        answer = routes_.health().answer();
      } else {
        if (!json) throw XksError(XksErrorName::ValidationException, "the body is not a JSON object");
        metadata = RequestMetadata::read(*json, true);
        const auto uid = ExternalKeyId::toUid(route.keyId);
        if (!uid) throw XksError(XksErrorName::ValidationException, "the externalKeyId is not valid");
        if (route.api == Api::Metadata) answer = routes_.operations().metadata(*uid);
        if (route.api == Api::Encrypt) answer = routes_.operations().encrypt(*uid, *json);
        if (route.api == Api::Decrypt) answer = routes_.operations().decrypt(*uid, *json);
      }
      response.setContentType("application/json");
      response.sendBuffer(answer.data(), answer.size());
    }
  } catch (const XksError& error) {
    if (!bodyRead && http::BodyReader::tooLargeToSkip(request)) response.setKeepAlive(false);
    outcome = fmt::format("{} {} ({})", XksError::statusOf(error.name()), XksError::nameOf(error.name()),
                          messageText(error.what()));
    sendError(response, error);
  } catch (const std::exception& error) {
    if (!bodyRead && http::BodyReader::tooLargeToSkip(request)) response.setKeepAlive(false);
    outcome = fmt::format("500 InternalException ({})", messageText(error.what()));
    sendError(response, XksError(XksErrorName::InternalException, "internal error"));
  }
  const std::chrono::duration<double, std::milli> elapsed = std::chrono::steady_clock::now() - started;
  logger().information(fmt::format("aws_xks {} key={} -> {}{} {:.2f}ms from {}", apiName(route.api),
                                   messageText(route.keyId.substr(0, 128)), outcome, metadata.logText(),
                                   elapsed.count(), request.clientAddress().toString()));
}

}  // namespace kms::integrations::aws_xks
