// kms-evploop: baseline (c), the crypto floor. T threads, each with one EVP_CIPHER_CTX keyed once
// with AES-256-GCM, encrypt --size bytes for D seconds: per operation a new IV (a counter, or
// RAND_bytes(12) with --rand-iv, as a server must draw it), EncryptUpdate, EncryptFinal and the
// 16-byte tag. --fresh-ctx creates and keys a new context per operation instead.
// Output: one JSON object on stdout.

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "kms-evploop: %s failed\n", what);
  std::exit(1);
}

void encryptOnce(EVP_CIPHER_CTX* ctx, const unsigned char* key, bool rekey, bool randIv, uint64_t& counter,
                 const std::vector<unsigned char>& in, std::vector<unsigned char>& out) {
  unsigned char iv[12] = {};
  if (randIv) {
    if (RAND_bytes(iv, sizeof iv) != 1) fail("RAND_bytes");
  } else {
    ++counter;
    std::memcpy(iv, &counter, sizeof counter);
  }
  if (rekey) {
    if (EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), nullptr, key, iv) != 1) fail("EVP_EncryptInit_ex");
  } else if (EVP_EncryptInit_ex(ctx, nullptr, nullptr, nullptr, iv) != 1) {
    fail("EVP_EncryptInit_ex(iv)");
  }
  int len = 0, fin = 0;
  if (EVP_EncryptUpdate(ctx, out.data(), &len, in.data(), static_cast<int>(in.size())) != 1) fail("EVP_EncryptUpdate");
  if (EVP_EncryptFinal_ex(ctx, out.data() + len, &fin) != 1) fail("EVP_EncryptFinal_ex");
  unsigned char tag[16];
  if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, sizeof tag, tag) != 1) fail("GET_TAG");
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 1;
  double duration = 2;
  size_t size = 64;
  bool randIv = false, freshCtx = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "kms-evploop: missing value after %s\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--threads")
      threads = std::max(1, std::atoi(next()));
    else if (a == "--duration")
      duration = std::atof(next());
    else if (a == "--size")
      size = static_cast<size_t>(std::atol(next()));
    else if (a == "--rand-iv")
      randIv = true;
    else if (a == "--fresh-ctx")
      freshCtx = true;
    else {
      std::fprintf(stderr,
                   "usage: kms-evploop [--threads T] [--duration S] [--size BYTES] [--rand-iv] [--fresh-ctx]\n");
      return 2;
    }
  }
  unsigned char key[32];
  if (RAND_bytes(key, sizeof key) != 1) fail("RAND_bytes");

  std::atomic<bool> go{false}, stop{false};
  std::vector<unsigned long long> counts(static_cast<size_t>(threads), 0);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      std::vector<unsigned char> in(size, 0x5a), out(size + 32);
      uint64_t counter = static_cast<uint64_t>(t) << 40;
      EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
      if (EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), nullptr, key, nullptr) != 1) fail("EVP_EncryptInit_ex(key)");
      while (!go.load()) std::this_thread::yield();
      unsigned long long n = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        if (freshCtx) {
          EVP_CIPHER_CTX* fresh = EVP_CIPHER_CTX_new();
          encryptOnce(fresh, key, true, randIv, counter, in, out);
          EVP_CIPHER_CTX_free(fresh);
        } else {
          encryptOnce(ctx, key, false, randIv, counter, in, out);
        }
        ++n;
      }
      EVP_CIPHER_CTX_free(ctx);
      counts[static_cast<size_t>(t)] = n;
    });
  }
  const auto begin = std::chrono::steady_clock::now();
  go = true;
  std::this_thread::sleep_for(std::chrono::duration<double>(duration));
  stop = true;
  for (auto& th : pool) th.join();
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  unsigned long long total = 0;
  for (auto c : counts) total += c;
  const double rate = static_cast<double>(total) / elapsed;
  std::printf(
      "{\"threads\": %d, \"size\": %zu, \"rand_iv\": %s, \"fresh_ctx\": %s, \"ops\": %llu, "
      "\"elapsed_s\": %.3f, \"ops_per_s\": %.1f, \"us_per_op_per_thread\": %.3f}\n",
      threads, size, randIv ? "true" : "false", freshCtx ? "true" : "false", total, elapsed, rate,
      rate > 0 ? 1e6 * threads / rate : 0.0);
  std::fprintf(stderr, "evploop threads=%d rand_iv=%d fresh_ctx=%d: %.0f ops/s\n", threads, randIv, freshCtx, rate);
  return 0;
}
