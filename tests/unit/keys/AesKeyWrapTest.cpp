#include "TestSupport.hpp"
#include "kms/keys/AesKeyWrap.hpp"

using namespace kms::keys;
using namespace kms::keys::test;
using kms::ErrorCode;

TEST_CASE("AES key wrap with padding: RFC 5649 section 6 vectors") {
  const auto kek = secretOf(fromHex("5840df6e29b02af1ab493b705bf16ea1ae8338f4dcc176a8"));
  SUBCASE("20 bytes") {
    const auto key = secretOf(fromHex("c37b7e6492584340bed12207808941155068f738"));
    const auto wrapped = AesKeyWrap::wrap(kek, key);
    CHECK(wrapped == fromHex("138bdeaa9b8fa7fc61f97742e72248ee5ae6ae5360d1ae6a5f54f373fa543b6a"));
    CHECK(AesKeyWrap::unwrap(kek, wrapped) == key);
  }
  SUBCASE("7 bytes") {
    const auto key = secretOf(fromHex("466f7250617369"));
    const auto wrapped = AesKeyWrap::wrap(kek, key);
    CHECK(wrapped == fromHex("afbeb0f07dfbf5419200f2ccb50bb24f"));
    CHECK(AesKeyWrap::unwrap(kek, wrapped) == key);
  }
}

TEST_CASE("AES key unwrap refuses a wrong key, altered data and bad lengths") {
  const auto kek = secretOf(Bytes(32, 0x11));
  const auto other = secretOf(Bytes(32, 0x22));
  const auto material = secretOf(Bytes(1190, 0x5a));  // an RSA-2048 private key's DER length
  auto wrapped = AesKeyWrap::wrap(kek, material);
  CHECK(wrapped.size() == 1200);  // padded to whole 8-byte blocks, plus the 8-byte integrity block
  CHECK(AesKeyWrap::unwrap(kek, wrapped) == material);
  CHECK(errorOf([&] { return AesKeyWrap::unwrap(other, wrapped); }) == ErrorCode::CryptographicFailure);
  wrapped[100] ^= 0x01;
  CHECK(errorOf([&] { return AesKeyWrap::unwrap(kek, wrapped); }) == ErrorCode::CryptographicFailure);
  CHECK(errorOf([&] { return AesKeyWrap::wrap(kek, SecretBytes{}); }) == ErrorCode::InvalidField);
  CHECK(errorOf([&] { return AesKeyWrap::wrap(secretOf(Bytes(20, 1)), material); }) == ErrorCode::InvalidField);
}
