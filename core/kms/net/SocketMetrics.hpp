#pragma once
// The KMIP socket server's counters, kept by socket::SocketServer and shown by http's /metrics
// (both front ends may use this room; neither includes the other): connections open, accepted
// and refused, failures by kind, and the latency of each operation as a Prometheus histogram.
//
// Operations are labelled by their KMIP name from the dictionary (a bounded set): a client
// cannot grow the table with names of its own, an unknown operation counts as "Unknown".
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace kms::net {

class SocketMetrics {
 public:
  enum class Failure : std::uint8_t {
    Handshake,       // TLS handshake failed or did not finish by its deadline
    Authentication,  // the certificate names no user
    Framing,         // a header or message that is not a KMIP RequestMessage (InvalidMessage)
    TooLarge,        // a header announcing more than socket_server_max_message_size
    Timeout,         // a message did not arrive by its deadline
    Busy,            // the in-flight memory budget refused the message
    Internal,        // an unexpected error
  };
  static constexpr std::size_t kFailureKinds = 7;
  // Upper bounds (seconds) of the latency buckets; +Inf follows.
  static constexpr std::array<double, 10> kBuckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 2.5};

  void opened() noexcept;
  void closed() noexcept;
  // Connections Poco's server refused because its queue was full (its own running total).
  void setRefused(std::uint64_t total) noexcept { refused_.store(total, std::memory_order_relaxed); }
  void failed(Failure failure) noexcept;
  // One message answered: `operation` is its first batch item's operation (a KMIP name).
  void observe(std::string_view operation, std::chrono::steady_clock::duration latency);

  // The Prometheus text of every counter (kms_socket_*).
  [[nodiscard]] std::string render() const;

 private:
  struct Histogram {
    std::array<std::uint64_t, kBuckets.size()> buckets{};  // not cumulative; render() sums
    std::uint64_t count = 0;
    double sum = 0;
  };

  std::atomic<std::uint64_t> open_{0};
  std::atomic<std::uint64_t> total_{0};
  std::atomic<std::uint64_t> refused_{0};
  std::array<std::atomic<std::uint64_t>, kFailureKinds> failures_{};
  mutable std::mutex mutex_;
  std::map<std::string, Histogram, std::less<>> latency_;  // guarded by mutex_
};

}  // namespace kms::net
