// Mutation fuzzing: whatever the bytes, the decoders return or throw kms::Exception, and
// what they accept encodes again to the same tree.
#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

#include "TestSupport.hpp"
#include "kms/kmip/BinaryCodec.hpp"
#include "kms/kmip/JsonCodec.hpp"

using namespace kms::kmip;

namespace {

constexpr int kIterations = 20'000;
constexpr std::uint32_t kSeed = 0x4B4D5344;  // "KMSD": runs are reproducible

// Bytes that are meaningful to one of the two syntaxes, so that mutations reach past the
// first check more often than random bytes would.
constexpr char kInteresting[] = "{}[]\",:\\0x9-eE.tnfu| \x01\x42\xFF\x80\x07\x08";

template <typename Buffer>
Buffer mutate(const Buffer& seed, std::mt19937& rng) {
  Buffer b = seed;
  const auto pick = [&](std::size_t n) {
    return n == 0 ? std::size_t{0} : std::uniform_int_distribution<std::size_t>(0, n - 1)(rng);
  };
  const auto someByte = [&] {
    if (rng() % 2 == 0) return static_cast<typename Buffer::value_type>(kInteresting[pick(sizeof kInteresting - 1)]);
    return static_cast<typename Buffer::value_type>(rng() & 0xFF);
  };
  const int edits = 1 + static_cast<int>(rng() % 4);
  for (int e = 0; e < edits; ++e) {
    switch (rng() % 6) {
      case 0:
        if (!b.empty()) b[pick(b.size())] = someByte();
        break;
      case 1:
        b.insert(b.begin() + static_cast<std::ptrdiff_t>(pick(b.size() + 1)), someByte());
        break;
      case 2:
        if (!b.empty()) b.erase(b.begin() + static_cast<std::ptrdiff_t>(pick(b.size())));
        break;
      case 3:
        b.resize(pick(b.size() + 1));
        break;
      case 4: {  // duplicate a chunk elsewhere
        if (b.empty()) break;
        const std::size_t from = pick(b.size());
        const std::size_t length = std::min<std::size_t>(pick(32) + 1, b.size() - from);
        const Buffer chunk(b.begin() + static_cast<std::ptrdiff_t>(from),
                           b.begin() + static_cast<std::ptrdiff_t>(from + length));
        b.insert(b.begin() + static_cast<std::ptrdiff_t>(pick(b.size() + 1)), chunk.begin(), chunk.end());
        break;
      }
      default:
        if (!b.empty()) b[pick(b.size())] ^= static_cast<typename Buffer::value_type>(1u << (rng() % 8));
    }
  }
  return b;
}

DecodeLimits someLimits(std::mt19937& rng) {
  DecodeLimits limits;
  if (rng() % 4 == 0) {
    limits.maxDepth = 1 + rng() % 4;
    limits.maxItems = 1 + rng() % 40;
    limits.maxValueBytes = rng() % 64;
  }
  return limits;
}

}  // namespace

TEST_CASE("Fuzz: JSON decoder") {
  const std::vector<std::string> seeds = {
      JsonCodec::encode(test::everyType()), JsonCodec::encode(test::encryptRequest()),
      R"({ "value" : [ {"value":"Encrypt Decrypt","tag":"CryptographicUsageMask","type":"Integer"},)"
      R"({"tag":"0x420057","type":"Enumeration","value":"0x00000002","name":"x"},)"
      R"({"tag":"Name","type":"TextString","value":"\u00e9\ud83d\udd11"}], "tag" : "Attributes" })"};
  std::mt19937 rng(kSeed);
  int accepted = 0;
  for (int i = 0; i < kIterations; ++i) {
    const std::string input = mutate(seeds[static_cast<std::size_t>(i) % seeds.size()], rng);
    const DecodeLimits limits = someLimits(rng);
    try {
      const Ttlv t = JsonCodec::decode(input, limits);
      ++accepted;
      const Ttlv again = JsonCodec::decode(JsonCodec::encode(t), limits);
      if (!(again == t)) FAIL("re-encoding changed the tree: ", input);
    } catch (const kms::Exception& e) {
      if (e.code() != kms::ErrorCode::InvalidMessage) FAIL("unexpected code for ", input);
    } catch (...) {
      FAIL("foreign exception for ", input);
    }
  }
  MESSAGE("JSON fuzz: ", accepted, " of ", kIterations, " mutants accepted");
}

TEST_CASE("Fuzz: binary decoder") {
  const std::vector<kms::kmip::Ttlv::Bytes> seeds = {BinaryCodec::encode(test::everyType()),
                                                     BinaryCodec::encode(test::encryptRequest())};
  std::mt19937 rng(kSeed);
  int accepted = 0;
  for (int i = 0; i < kIterations; ++i) {
    const auto input = mutate(seeds[static_cast<std::size_t>(i) % seeds.size()], rng);
    const DecodeLimits limits = someLimits(rng);
    try {
      const Ttlv t = BinaryCodec::decode(input, limits);
      ++accepted;
      if (!(BinaryCodec::decode(BinaryCodec::encode(t), limits) == t)) FAIL("re-encoding changed the tree");
      // What binary accepts, JSON carries too.
      if (!(JsonCodec::decode(JsonCodec::encode(t), limits) == t)) FAIL("JSON changed the tree");
    } catch (const kms::Exception& e) {
      if (e.code() != kms::ErrorCode::InvalidMessage) FAIL("unexpected error code");
    } catch (...) {
      FAIL("foreign exception");
    }
  }
  MESSAGE("binary fuzz: ", accepted, " of ", kIterations, " mutants accepted");
}
