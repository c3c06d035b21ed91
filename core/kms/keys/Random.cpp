#include "kms/keys/Random.hpp"

#include <pthread.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <climits>
#include <cstring>
#include <mutex>

#include <openssl/rand.h>

#include "kms/keys/OpenSslError.hpp"

namespace kms::keys {
namespace {

// RAND_bytes takes an int count: larger requests are served in chunks.
template <class Generate>
void fillWith(std::span<std::uint8_t> out, Generate generate) {
  while (!out.empty()) {
    const std::size_t chunk = std::min<std::size_t>(out.size(), INT_MAX);
    if (generate(out.data(), static_cast<int>(chunk)) != 1) {
      throwOpenSslError(ErrorCode::InternalError, "random generator failed");
    }
    out = out.subspan(chunk);
  }
}

// Bumped in every forked child: a thread's pool drawn under an older generation is a copy of
// the parent's and must not be used (two processes would emit the same IVs under one key).
std::atomic<std::uint64_t> forkGeneration{1};

void onForkChild() {
  forkGeneration.fetch_add(1, std::memory_order_relaxed);
}

struct NoncePool {
  static constexpr std::size_t kSize = 4096;
  std::array<std::uint8_t, kSize> bytes{};
  std::size_t used = kSize;  // empty until first drawn
  std::uint64_t generation = 0;
};

thread_local NoncePool pool;

void registerForkHandler() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (pthread_atfork(nullptr, nullptr, onForkChild) != 0) {
      throw Exception(ErrorCode::InternalError, "cannot register the fork handler of the nonce pool");
    }
  });
}

}  // namespace

Bytes Random::bytes(std::size_t n) {
  Bytes out(n);
  fill(out);
  return out;
}

void Random::fill(std::span<std::uint8_t> out) {
  fillWith(out, RAND_bytes);
}

void Random::nonce(std::span<std::uint8_t> out) {
  if (out.size() > NoncePool::kSize / 4) {
    fill(out);  // large requests gain nothing from the pool
    return;
  }
  const std::uint64_t generation = forkGeneration.load(std::memory_order_relaxed);
  if (pool.generation != generation || NoncePool::kSize - pool.used < out.size()) {
    registerForkHandler();
    fill(pool.bytes);
    pool.used = 0;
    pool.generation = generation;
  }
  std::memcpy(out.data(), pool.bytes.data() + pool.used, out.size());
  pool.used += out.size();
}

SecretBytes Random::secretBytes(std::size_t n) {
  SecretBytes out(n);
  fillWith(out, RAND_priv_bytes);
  return out;
}

}  // namespace kms::keys
