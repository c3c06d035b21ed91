// Throughput of the codecs on a typical request: reported, not asserted (timings vary with
// load and sanitizers), so that a regression shows in the test log.
#include <doctest/doctest.h>

#include <time.h>

#include <string>

#include "TestSupport.hpp"
#include "kms/kmip/BinaryCodec.hpp"
#include "kms/kmip/JsonCodec.hpp"

using namespace kms::kmip;

namespace {

double threadCpuMicros() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

// CPU time rather than wall time: the build machines are shared, and a busy neighbour
// should not show as a slow codec.
template <typename F>
double microsPerCall(int calls, F&& f) {
  f();  // warm-up: the dictionary's index is built on first use
  const double start = threadCpuMicros();
  for (int i = 0; i < calls; ++i) f();
  return (threadCpuMicros() - start) / calls;
}

}  // namespace

TEST_CASE("Speed: decode + encode of an Encrypt request") {
  constexpr int kCalls = 20'000;
  const Ttlv request = test::encryptRequest();
  const std::string json = JsonCodec::encode(request);
  const auto binary = BinaryCodec::encode(request);
  std::size_t sink = 0;
  const double jsonDecode = microsPerCall(kCalls, [&] { sink += JsonCodec::decode(json).items().size(); });
  const double jsonEncode = microsPerCall(kCalls, [&] { sink += JsonCodec::encode(request).size(); });
  const double binaryDecode = microsPerCall(kCalls, [&] { sink += BinaryCodec::decode(binary).items().size(); });
  const double binaryEncode = microsPerCall(kCalls, [&] { sink += BinaryCodec::encode(request).size(); });
  CHECK(sink > 0);
  MESSAGE("JSON   ", json.size(), " bytes: decode ", jsonDecode, " us + encode ", jsonEncode,
          " us = ", 1e6 / (jsonDecode + jsonEncode), " round trips per CPU-second");
  MESSAGE("binary ", binary.size(), " bytes: decode ", binaryDecode, " us + encode ", binaryEncode,
          " us = ", 1e6 / (binaryDecode + binaryEncode), " round trips per CPU-second");
}
