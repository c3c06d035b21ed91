#include "kms/integrations/aws_xks/XksService.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/Logger.h>
#include <fmt/format.h>

#include <chrono>
#include <memory>
#include <sstream>

#include "kms/Exception.hpp"
#include "kms/integrations/aws_xks/ExternalKeyId.hpp"
#include "kms/integrations/aws_xks/XksBody.hpp"
#include "kms/integrations/aws_xks/RequestMetadata.hpp"
#include "kms/integrations/aws_xks/XksError.hpp"

namespace kms::integrations::aws_xks {
namespace {

Poco::Logger& logger() {
  // Logger::get locks a global registry: look it up once, not per request.
  static Poco::Logger& instance = Poco::Logger::get("kms.aws_xks");
  return instance;
}

std::vector<SigV4Credential> credentialsOf(const config::AwsXksConfig& config) {
  std::vector<SigV4Credential> out{{config.primary.accessKeyId, config.primary.secretAccessKey}};
  if (!config.secondary.accessKeyId.empty()) {
    out.push_back({config.secondary.accessKeyId, config.secondary.secretAccessKey});
  }
  return out;
}

std::string baseOf(std::string prefix) {
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  return prefix + "/kms/xks/v1";
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

net::RestResponse errorResponse(const XksError& error) {
  Poco::JSON::Object body;
  body.set("errorName", std::string(XksError::nameOf(error.name())));
  // SigV4 failures say why in the log only: a prober learns nothing about the credentials.
  body.set("errorMessage", error.name() == XksErrorName::AuthenticationFailedException
                               ? std::string("The request was rejected due to an invalid AWS SigV4 signature.")
                               : messageText(error.what()));
  std::ostringstream text;
  body.stringify(text);
  net::RestResponse response;
  response.status = XksError::statusOf(error.name());
  response.body = std::move(text).str();
  return response;
}

}  // namespace

XksService::XksService(const config::AwsXksConfig& config, ops::RequestProcessor& processor, hsm::HsmRegistry* hsm)
    : base_(baseOf(config.uriPathPrefix)),
      verifier_(credentialsOf(config), config.region, config.service),
      operations_(processor, config.user),
      health_(std::make_unique<XksHealth>(hsm, config.healthProbeInterval)) {}

bool XksService::serves(std::string_view path) const noexcept {
  return path.find("/kms/xks/") != std::string_view::npos;
}

net::RestResponse XksService::serve(const net::RestRequest& request) {
  const auto started = std::chrono::steady_clock::now();
  const Route route = routeOf(request.path, base_);
  RequestMetadata metadata;
  std::string outcome = "200";
  net::RestResponse response;

  try {
    if (request.method != "POST") {
      // The specification: GET on the API's URIs is 405 (every method but POST, here). The body
      // is not read: the server closes the connection when it is too large to skip.
      response.status = 405;
      response.headers.emplace_back("Allow", "POST");
      response.body = R"({"errorName":"ValidationException","errorMessage":"use POST"})";
      outcome = "405";
    } else {
      const std::string_view amzDate = request.header("x-amz-date");
      const auto authorization =
          verifier_.precheck(request.header("authorization"), amzDate, std::chrono::system_clock::now());
      std::string body;
      try {
        body = request.body->read();
      } catch (const kms::Exception& error) {
        throw XksError::fromKms(error, false);
      }
      verifier_.verify(authorization, request.method, request.path, request.query, request.headers, amzDate, body);

      if (route.api == Api::Unknown) {
        throw XksError(XksErrorName::InvalidUriPathException, "no XKS API at this path");
      }
      const std::unique_ptr<XksBody> json = XksBody::parse(body);
      if (route.api == Api::Health) {
        if (json) metadata = RequestMetadata::read(*json, false);
        response.body = health_->answer();
      } else {
        if (!json) throw XksError(XksErrorName::ValidationException, "the body is not a JSON object");
        metadata = RequestMetadata::read(*json, true);
        const auto uid = ExternalKeyId::toUid(route.keyId);
        if (!uid) throw XksError(XksErrorName::ValidationException, "the externalKeyId is not valid");
        if (route.api == Api::Metadata) response.body = operations_.metadata(*uid, json.get());
        if (route.api == Api::Encrypt) response.body = operations_.encrypt(*uid, *json);
        if (route.api == Api::Decrypt) response.body = operations_.decrypt(*uid, *json);
      }
    }
  } catch (const XksError& error) {
    outcome = fmt::format("{} {} ({})", XksError::statusOf(error.name()), XksError::nameOf(error.name()),
                          messageText(error.what()));
    response = errorResponse(error);
  } catch (const std::exception& error) {
    outcome = fmt::format("500 InternalException ({})", messageText(error.what()));
    response = errorResponse(XksError(XksErrorName::InternalException, "internal error"));
  }
  // Logged before the answer is written now (the server writes it): the line still says how
  // long the work took, which is what the operator compares with AWS's 250 ms budget.
  const std::chrono::duration<double, std::milli> elapsed = std::chrono::steady_clock::now() - started;
  logger().information(fmt::format("aws_xks {} key={} -> {}{} {:.2f}ms from {}", apiName(route.api),
                                   messageText(route.keyId.substr(0, 128)), outcome, metadata.logText(),
                                   elapsed.count(), request.peer));
  return response;
}

}  // namespace kms::integrations::aws_xks
