#include "kms/net/SocketMetrics.hpp"

#include <fmt/format.h>

namespace kms::net {
namespace {

constexpr std::array<std::string_view, SocketMetrics::kFailureKinds> kFailureNames{
    "handshake", "authentication", "framing", "too_large", "timeout", "busy", "internal"};

void counter(std::string& out, std::string_view name, std::string_view type, std::string_view help,
             std::uint64_t value) {
  out += fmt::format("# HELP {0} {1}\n# TYPE {0} {2}\n{0} {3}\n", name, help, type, value);
}

}  // namespace

void SocketMetrics::opened() noexcept {
  open_.fetch_add(1, std::memory_order_relaxed);
  total_.fetch_add(1, std::memory_order_relaxed);
}

void SocketMetrics::closed() noexcept {
  open_.fetch_sub(1, std::memory_order_relaxed);
}

void SocketMetrics::failed(Failure failure) noexcept {
  failures_.at(static_cast<std::size_t>(failure)).fetch_add(1, std::memory_order_relaxed);
}

void SocketMetrics::observe(std::string_view operation, std::chrono::steady_clock::duration latency) {
  const double seconds = std::chrono::duration<double>(latency).count();
  const std::lock_guard lock(mutex_);
  auto found = latency_.find(operation);
  if (found == latency_.end()) found = latency_.emplace(std::string(operation), Histogram{}).first;
  Histogram& histogram = found->second;
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets.at(i)) {
      ++histogram.buckets.at(i);
      break;
    }
  }
  ++histogram.count;
  histogram.sum += seconds;
}

std::string SocketMetrics::render() const {
  std::string out;
  counter(out, "kms_socket_connections_open", "gauge", "Binary KMIP connections open now.",
          open_.load(std::memory_order_relaxed));
  counter(out, "kms_socket_connections_total", "counter", "Binary KMIP connections accepted.",
          total_.load(std::memory_order_relaxed));
  counter(out, "kms_socket_connections_refused_total", "counter",
          "Binary KMIP connections refused because every thread was busy and the queue full.",
          refused_.load(std::memory_order_relaxed));
  out += "# HELP kms_socket_errors_total Binary KMIP connections or messages that failed, by kind.\n";
  out += "# TYPE kms_socket_errors_total counter\n";
  for (std::size_t i = 0; i < kFailureKinds; ++i) {
    out += fmt::format("kms_socket_errors_total{{kind=\"{}\"}} {}\n", kFailureNames.at(i),
                       failures_.at(i).load(std::memory_order_relaxed));
  }
  out += "# HELP kms_socket_request_duration_seconds Binary KMIP messages, from their header to the answer sent.\n";
  out += "# TYPE kms_socket_request_duration_seconds histogram\n";
  const std::lock_guard lock(mutex_);
  for (const auto& [operation, histogram] : latency_) {
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < kBuckets.size(); ++i) {
      cumulative += histogram.buckets.at(i);
      out += fmt::format("kms_socket_request_duration_seconds_bucket{{operation=\"{}\",le=\"{}\"}} {}\n", operation,
                         kBuckets.at(i), cumulative);
    }
    out += fmt::format("kms_socket_request_duration_seconds_bucket{{operation=\"{}\",le=\"+Inf\"}} {}\n", operation,
                       histogram.count);
    out += fmt::format("kms_socket_request_duration_seconds_sum{{operation=\"{}\"}} {}\n", operation, histogram.sum);
    out +=
        fmt::format("kms_socket_request_duration_seconds_count{{operation=\"{}\"}} {}\n", operation, histogram.count);
  }
  return out;
}

}  // namespace kms::net
