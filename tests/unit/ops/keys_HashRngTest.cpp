// Hash, RNG Retrieve and RNG Seed through RequestProcessor: FIPS 180 known answers, the
// bounds of RNG Retrieve, and the refusals.
#include <set>

#include "keys_Fixture.hpp"

namespace kms::ops::keystest {
namespace {

using H = kmip::HashingAlgorithm;

Ttlv hashRequest(std::optional<H> algorithm, std::optional<Bytes> data, std::vector<Ttlv> extra = {}) {
  std::vector<Ttlv> items;
  if (algorithm) {
    items.push_back(Ttlv::structure("CryptographicParameters",
                                    {Ttlv::enumeration("HashingAlgorithm", static_cast<std::uint32_t>(*algorithm))}));
  }
  if (data) items.push_back(Ttlv::byteString("Data", *data));
  for (auto& e : extra) items.push_back(std::move(e));
  return Ttlv::structure("Hash", std::move(items));
}

Ttlv rngRequest(std::int32_t length) {
  return Ttlv::structure("RNGRetrieve", {Ttlv::integer("DataLength", length)});
}

Bytes abc() {
  return Bytes{'a', 'b', 'c'};
}

}  // namespace

TEST_CASE_FIXTURE(Fixture, "Hash: FIPS 180 'abc' and empty-message answers for SHA-1 and SHA-2") {
  struct Case {
    H algorithm;
    const char* abc;
    const char* empty;
  };
  const Case cases[] = {
      {H::SHA_1, "a9993e364706816aba3e25717850c26c9cd0d89d", "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
      {H::SHA_224, "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7",
       "d14a028c2a3a2bc9476102bb288234c415a2b01f828ea62ac5b3e42f"},
      {H::SHA_256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
      {H::SHA_384, "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7",
       "38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b95b"},
      {H::SHA_512,
       "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80"
       "e2"
       "a9ac94fa54ca49f",
       "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a8"
       "1a538327af927da3e"},
  };
  for (const auto& c : cases) {
    CAPTURE(static_cast<std::uint32_t>(c.algorithm));
    const auto answer = run(hashRequest(c.algorithm, abc()));
    CHECK(answer.at("Data").asBytes() == hex(c.abc));
    CHECK(run(hashRequest(c.algorithm, Bytes{})).at("Data").asBytes() == hex(c.empty));
  }
}

TEST_CASE_FIXTURE(Fixture, "Hash: refusals name what is missing or unsupported") {
  CHECK(failure(hashRequest(std::nullopt, abc())) == ErrorCode::MissingData);
  CHECK(failure(Ttlv::structure("Hash", {Ttlv::structure("CryptographicParameters", {}),
                                         Ttlv::byteString("Data", abc())})) == ErrorCode::MissingData);
  CHECK(failure(hashRequest(H::SHA_256, std::nullopt)) == ErrorCode::MissingData);
  CHECK(failure(hashRequest(H::MD5, abc())) == ErrorCode::FeatureNotSupported);
  CHECK(failure(hashRequest(H::SHA_256, abc(), {Ttlv::boolean("InitIndicator", true)})) ==
        ErrorCode::FeatureNotSupported);
}

TEST_CASE_FIXTURE(Fixture, "RNG Retrieve: the length asked, fresh bytes each time, bounded") {
  std::set<Bytes> seen;
  for (const std::int32_t length : {1, 16, 32, 65536}) {
    CAPTURE(length);
    const auto data = run(rngRequest(length)).at("Data").asBytes();
    CHECK(data.size() == static_cast<std::size_t>(length));
    CHECK(seen.insert(data).second);
  }
  // 32 random bytes twice in a row are equal with probability 2^-256.
  CHECK(run(rngRequest(32)).at("Data").asBytes() != run(rngRequest(32)).at("Data").asBytes());
  CHECK(failure(rngRequest(0)) == ErrorCode::InvalidField);
  CHECK(failure(rngRequest(-1)) == ErrorCode::InvalidField);
  CHECK(failure(rngRequest(65537)) == ErrorCode::ResponseTooLarge);
  CHECK(failure(Ttlv::structure("RNGRetrieve", {})) == ErrorCode::MissingData);
}

TEST_CASE_FIXTURE(Fixture, "RNG Seed: accepted and not used (DataLength 0); Data is required") {
  const auto answer = run(Ttlv::structure("RNGSeed", {Ttlv::byteString("Data", Bytes(32, 7))}));
  CHECK(answer.at("DataLength").asInteger() == 0);
  CHECK(failure(Ttlv::structure("RNGSeed", {})) == ErrorCode::MissingData);
}

TEST_CASE_FIXTURE(Fixture, "Query lists Hash, RNGRetrieve and RNGSeed among the operations") {
  const auto answer = run(Ttlv::structure(
      "Query", {Ttlv::enumeration("QueryFunction", static_cast<std::uint32_t>(kmip::QueryFunction::QueryOperations))}));
  std::set<std::uint32_t> operations;
  for (const auto* op : answer.findAll("Operation")) operations.insert(op->asEnumeration());
  for (const auto op : {kmip::Operation::Hash, kmip::Operation::RNGRetrieve, kmip::Operation::RNGSeed}) {
    CHECK(operations.count(static_cast<std::uint32_t>(op)) == 1);
  }
}

}  // namespace kms::ops::keystest
