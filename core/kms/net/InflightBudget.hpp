#pragma once
// What all requests in flight may hold in memory together (http.max_inflight_memory): their
// bodies and their decoded TTLV trees. A request that would pass the limit is refused with
// 503 and Retry-After (kms::Exception(Unavailable)) instead of pushing the server out of
// memory; small requests are never refused while large ones hold the memory, as long as the
// limit is well above max_body_size (each request holds at least a small grant).
//
// A request takes a Reservation: its body's size before the body is read, then its tree's
// growth as the decoder asks (kmip::DecodeBudget). One atomic add when it starts and one when
// it ends is all a small request pays. When a large reservation ends, freed heap memory goes
// back to the system (malloc_trim), or the allocator keeps it for good: a burst of large
// requests would leave the process hundreds of MiB larger.
#include <atomic>
#include <cstddef>
#include <mutex>

#include "kms/kmip/DecodeLimits.hpp"

namespace kms::net {

class InflightBudget {
 public:
  // A reservation this large gives memory back to the system when it ends.
  static constexpr std::size_t kTrimAfter = std::size_t{4} << 20;

  explicit InflightBudget(std::size_t limit) noexcept : limit_(limit) {}

  // Process-wide, once: blocks of 256 KiB and more (bodies, the vectors of large Structures) are
  // mapped for themselves and unmapped when freed, and a heap's free top is given back past
  // 1 MiB. glibc's default raises both thresholds after the first large block is freed, after
  // which a thread's arena keeps what a large request took (malloc_trim leaves arena tops).
  static void configureAllocator();

  class Reservation final : public kmip::DecodeBudget {
   public:
    // No budget: nothing is counted, nothing refused.
    explicit Reservation(InflightBudget* budget) noexcept : budget_(budget) {}
    ~Reservation() override;
    Reservation(const Reservation&) = delete;
    Reservation& operator=(const Reservation&) = delete;

    // Makes sure the body may take `bytes`; throws kms::Exception(Unavailable) when the budget
    // cannot give them.
    void requireBody(std::size_t bytes);
    void require(std::size_t treeBytes) override;

   private:
    void hold(std::size_t total);

    InflightBudget* budget_;
    std::size_t body_ = 0;
    std::size_t tree_ = 0;
    std::size_t held_ = 0;
  };

  [[nodiscard]] std::size_t limit() const noexcept { return limit_; }
  [[nodiscard]] std::size_t used() const noexcept { return used_.load(); }

 private:
  bool take(std::size_t bytes) noexcept;
  void give(std::size_t bytes) noexcept;
  void trim();

  const std::size_t limit_;
  std::atomic<std::size_t> used_{0};
  std::mutex trimMutex_;
  std::atomic<bool> trimAgain_{false};
};

}  // namespace kms::net
