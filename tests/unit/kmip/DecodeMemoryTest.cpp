// What a decoded tree may hold in memory (TreeMeter): both decoders stop with a clear error
// past DecodeLimits::maxTreeBytes, ask their DecodeBudget as the tree grows and stop when it
// refuses, and their count follows what the heap really holds (glibc's mallinfo2).
#include <doctest/doctest.h>
#include <malloc.h>

#include <string>
#include <vector>

#include "TestSupport.hpp"
#include "kms/kmip/BinaryCodec.hpp"
#include "kms/kmip/JsonCodec.hpp"

using namespace kms::kmip;
using kms::ErrorCode;

namespace {

// Bytes the heap holds for the program, arenas and mapped blocks together.
long long heapInUse() {
  const struct mallinfo2 info = ::mallinfo2();
  return static_cast<long long>(info.uordblks + info.hblkhd);
}

}  // namespace

namespace {

using Bytes = kms::kmip::Ttlv::Bytes;

// A RequestMessage of `count` empty Structures: 8 bytes each in binary, 20 in JSON, 128 in memory.
Ttlv emptyStructures(std::size_t count) {
  std::vector<Ttlv> items(count, Ttlv::structure("Attribute"));
  return Ttlv::structure("RequestMessage", std::move(items));
}

// A batch of `count` Gets, the densest real message: every item a few bytes on the wire.
Ttlv getBatch(std::size_t count) {
  std::vector<Ttlv> items{
      Ttlv::structure("RequestHeader", {Ttlv::structure("ProtocolVersion", {Ttlv::integer("ProtocolVersionMajor", 2),
                                                                            Ttlv::integer("ProtocolVersionMinor", 1)}),
                                        Ttlv::integer("BatchCount", static_cast<std::int32_t>(count))})};
  for (std::size_t i = 0; i < count; ++i) {
    items.push_back(Ttlv::structure(
        "BatchItem",
        {Ttlv::enumeration("Operation", 0x0A),  // Get
         Ttlv::byteString("UniqueBatchItemID", {static_cast<std::uint8_t>(i), static_cast<std::uint8_t>(i >> 8)}),
         Ttlv::structure("RequestPayload",
                         {Ttlv::textString("UniqueIdentifier", "6f1c3b8e-2a47-4d1e-9a0b-5c3e7d2f1a90")})}));
  }
  return Ttlv::structure("RequestMessage", std::move(items));
}

// The Encrypt request of TestSupport, its batch item repeated `count` times.
Ttlv encryptBatch(std::size_t count) {
  Ttlv message = test::encryptRequest();
  const Ttlv item = *message.find("BatchItem");
  for (std::size_t i = 1; i < count; ++i) message.add(item);
  return message;
}

// What the HTTP layer allows a tree (KmipHandler): 16 times the body and 64 KiB.
DecodeLimits httpLimits(std::size_t bodySize) {
  DecodeLimits limits;
  limits.maxTreeBytes = 64 * 1024 + 16 * bodySize;
  return limits;
}

// Records what the decoder asks; refuses past `limit`.
class RecordingBudget : public DecodeBudget {
 public:
  explicit RecordingBudget(std::size_t limit = SIZE_MAX) : limit_(limit) {}
  void require(std::size_t treeBytes) override {
    asked.push_back(treeBytes);
    if (treeBytes > limit_) throw kms::Exception(ErrorCode::Unavailable, "budget refused");
  }
  std::vector<std::size_t> asked;

 private:
  std::size_t limit_;
};

}  // namespace

TEST_CASE("a message whose tree would pass maxTreeBytes stops with a clear error, in both encodings") {
  const Ttlv message = emptyStructures(99'999);  // and the RequestMessage: maxItems
  const Bytes binary = BinaryCodec::encode(message);
  const std::string json = JsonCodec::encode(message);
  DecodeLimits limits;
  limits.maxTreeBytes = 4u << 20;  // the tree takes 12.8 MB, 16.8 MB in JSON (vectors doubling)
  const std::string expected = "the decoded message would take more than 4194304 bytes of memory";
  CHECK(test::errorOf([&] { BinaryCodec::decode(binary, limits); }, ErrorCode::PayloadTooLarge) == expected);
  CHECK(test::errorOf([&] { JsonCodec::decode(json, limits); }, ErrorCode::PayloadTooLarge) == expected);
  limits.maxTreeBytes = 18u << 20;
  CHECK(BinaryCodec::decode(binary, limits).items().size() == 99'999);
  CHECK(JsonCodec::decode(json, limits).items().size() == 99'999);
}

TEST_CASE("real messages decode within the HTTP layer's bound: 16 times the body and 64 KiB") {
  for (const Ttlv& message : {getBatch(5000), encryptBatch(2000), test::encryptRequest()}) {
    const Bytes binary = BinaryCodec::encode(message);
    const std::string json = JsonCodec::encode(message);
    CHECK_NOTHROW(BinaryCodec::decode(binary, httpLimits(binary.size())));
    CHECK_NOTHROW(JsonCodec::decode(json, httpLimits(json.size())));
  }
}

TEST_CASE("the budget is asked in 64 KiB steps as the tree grows, and its refusal ends the decode") {
  SUBCASE("a small message asks once") {
    RecordingBudget budget;
    DecodeLimits limits;
    limits.budget = &budget;
    BinaryCodec::decode(BinaryCodec::encode(test::encryptRequest()), limits);
    CHECK(budget.asked == std::vector<std::size_t>{64 * 1024});
    budget.asked.clear();
    JsonCodec::decode(JsonCodec::encode(test::encryptRequest()), limits);
    CHECK(budget.asked == std::vector<std::size_t>{64 * 1024});
  }
  SUBCASE("a large one asks again and again, each time for more") {
    RecordingBudget budget;
    DecodeLimits limits;
    limits.budget = &budget;
    JsonCodec::decode(JsonCodec::encode(getBatch(2000)), limits);
    REQUIRE(budget.asked.size() > 3);
    for (std::size_t i = 1; i < budget.asked.size(); ++i) CHECK(budget.asked[i] >= budget.asked[i - 1] + 64 * 1024);
  }
  SUBCASE("a refusal ends the decode with the budget's error") {
    RecordingBudget budget(1u << 20);
    DecodeLimits limits;
    limits.budget = &budget;
    const Ttlv message = emptyStructures(100'000);
    CHECK(test::errorOf([&] { BinaryCodec::decode(BinaryCodec::encode(message), limits); }, ErrorCode::Unavailable) ==
          "budget refused");
    // Binary reserves a Structure's slots before it decodes them: asked for before they exist.
    CHECK(budget.asked.back() > (1u << 20));
    CHECK(budget.asked.back() <= 100'000 * sizeof(Ttlv) + 64 * 1024 + sizeof(Ttlv));
    CHECK(test::errorOf([&] { JsonCodec::decode(JsonCodec::encode(message), limits); }, ErrorCode::Unavailable) ==
          "budget refused");
  }
}

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kOwnAllocator = true;  // ASan's allocator: mallinfo2() does not see its heap
#else
constexpr bool kOwnAllocator = false;
#endif

TEST_CASE("the count follows what the decoded tree holds on the heap" * doctest::skip(kOwnAllocator)) {
  // The last amount asked is the count rounded up to the next 64 KiB step.
  const auto check = [](const auto& decode) {
    RecordingBudget budget;
    DecodeLimits limits;
    limits.budget = &budget;
    const long long before = heapInUse();
    Ttlv tree = decode(limits);
    const auto live = static_cast<double>(heapInUse() - before) + sizeof(Ttlv);  // the root is on the stack here
    const auto counted = static_cast<double>(budget.asked.back());
    CAPTURE(live);
    CAPTURE(counted);
    MESSAGE("tree " << live << " bytes on the heap, counted " << counted);
    CHECK(counted >= live * 0.95);
    CHECK(counted <= live * 1.1 + 64 * 1024);
  };
  for (const Ttlv& message : {getBatch(5000), encryptBatch(2000), emptyStructures(50'000)}) {
    const Bytes binary = BinaryCodec::encode(message);
    const std::string json = JsonCodec::encode(message);
    CAPTURE(binary.size());
    check([&](const DecodeLimits& limits) { return BinaryCodec::decode(binary, limits); });
    check([&](const DecodeLimits& limits) { return JsonCodec::decode(json, limits); });
  }
}
