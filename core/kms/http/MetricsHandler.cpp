#include "kms/http/MetricsHandler.hpp"

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <fmt/format.h>

#include "kms/Exception.hpp"
#include "kms/auth/AccessPolicy.hpp"
#include "kms/hsm/HsmRegistry.hpp"
#include "kms/http/Authenticator.hpp"
#include "kms/http/ErrorResponse.hpp"
#include "kms/net/SocketMetrics.hpp"
#include "kms/ops/RequestProcessor.hpp"
#include "kms/ops/crypto/UsableKeys.hpp"

namespace kms::http {
namespace {

void metric(std::string& out, std::string_view name, std::string_view type, std::string_view help,
            std::uint64_t value) {
  out += fmt::format("# HELP {0} {1}\n# TYPE {0} {2}\n{0} {3}\n", name, help, type, value);
}

}  // namespace

MetricsHandler::MetricsHandler(const HandlerContext& context) : context_(context) {}

void MetricsHandler::handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
  static const auth::AccessPolicy kOpenPolicy;
  const auth::AccessPolicy& policy = context_.accessPolicy != nullptr ? *context_.accessPolicy : kOpenPolicy;
  // A scraper on this machine may be let in without credentials (metrics_loopback_unauthenticated);
  // a peer address of ::ffff:127.0.0.1 (IPv4 on an IPv6 socket) is not taken for loopback.
  if (!(policy.metricsOpenToLoopback() && request.clientAddress().host().isLoopback())) {
    try {
      const std::string user = context_.authenticator.authenticate(request);
      if (!policy.mayReadMetrics(user)) {
        throw Exception(ErrorCode::PermissionDenied,
                        "only privileged users, hsm_admin users and metrics_readers may read /metrics");
      }
    } catch (const kms::Exception& error) {
      ErrorResponse::send(response, error);
      return;
    }
  }
  std::string out;
  if (context_.hsm != nullptr && !context_.hsm->empty()) {
    out += "# HELP kms_hsm_driver_calls_total Calls into the HSM driver, per instance.\n";
    out += "# TYPE kms_hsm_driver_calls_total counter\n";
    for (const auto& instance : context_.hsm->instances()) {
      out += fmt::format("kms_hsm_driver_calls_total{{instance=\"{}\"}} {}\n", instance->name(), instance->callCount());
    }
  }
  const auto stats = context_.processor.keyCacheStats();
  metric(out, "kms_key_cache_hits_total", "counter", "Key uses served from the cache.", stats.cache.hits);
  metric(out, "kms_key_cache_misses_total", "counter", "Key uses that had to decode or unwrap the key.",
         stats.cache.misses);
  metric(out, "kms_key_cache_unwraps_total", "counter", "HSM unwraps made to fill the cache.", stats.unwraps);
  metric(out, "kms_key_cache_evictions_total", "counter", "Keys dropped for size, idle time or age.",
         stats.cache.evictions);
  metric(out, "kms_key_cache_invalidations_total", "counter", "Keys dropped because their object changed.",
         stats.cache.invalidations);
  metric(out, "kms_key_cache_entries", "gauge", "Keys in the cache now.", stats.cache.entries);
  if (context_.socketMetrics != nullptr) out += context_.socketMetrics->render();
  response.setContentType("text/plain; version=0.0.4");
  response.sendBuffer(out.data(), out.size());
}

}  // namespace kms::http
