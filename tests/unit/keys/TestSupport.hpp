#pragma once
// Helpers shared by the key layer's tests.
#include <doctest/doctest.h>

#include <optional>
#include <stdexcept>
#include <string_view>

#include "kms/Exception.hpp"
#include "kms/keys/CryptoKey.hpp"
#include "kms/keys/KeyGenerator.hpp"

namespace kms::keys::test {

inline Bytes fromHex(std::string_view hex) {
  const auto nibble = [](char c) -> std::uint8_t {
    if (c >= '0' && c <= '9') return static_cast<std::uint8_t>(c - '0');
    if (c >= 'a' && c <= 'f') return static_cast<std::uint8_t>(c - 'a' + 10);
    if (c >= 'A' && c <= 'F') return static_cast<std::uint8_t>(c - 'A' + 10);
    throw std::invalid_argument("bad hex digit");
  };
  Bytes out;
  out.reserve(hex.size() / 2);
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<std::uint8_t>(nibble(hex[i]) << 4 | nibble(hex[i + 1])));
  }
  return out;
}

inline Bytes bytesOf(std::string_view text) {
  return Bytes(text.begin(), text.end());
}

template <class Container>
Bytes plain(const Container& c) {
  return Bytes(c.begin(), c.end());
}

inline SecretBytes secretOf(const Bytes& b) {
  return SecretBytes(b.begin(), b.end());
}

// The code of the kms::Exception that f throws; nullopt (and a failed check) if it returns.
template <class F>
std::optional<ErrorCode> errorOf(F&& f) {
  try {
    static_cast<void>(f());
  } catch (const Exception& e) {
    return e.code();
  }
  FAIL_CHECK("expected a kms::Exception");
  return std::nullopt;
}

// RSA generation takes ~0.1 s: one key pair per test binary.
inline const RsaKeyPairDer& generatedRsa2048() {
  static const RsaKeyPairDer pair = KeyGenerator::rsa(2048);
  return pair;
}

}  // namespace kms::keys::test
