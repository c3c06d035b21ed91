#pragma once
// The 8 bytes that open every binary TTLV message (KMIP 2.1 section 9.1.1): tag (3 bytes), type
// (1) and length (4, big-endian). They say how much to read next, so they are checked before
// anything is allocated: a RequestMessage, a Structure, a length that is a multiple of 8 (a
// Structure's items are padded to 8) and not above the maximum message size.
#include <array>
#include <cstddef>
#include <cstdint>

namespace kms::socket {

struct FrameHeader {
  static constexpr std::size_t kSize = 8;
  static constexpr std::uint32_t kRequestMessage = 0x420078;

  std::uint32_t tag = 0;
  std::uint8_t type = 0;
  std::uint32_t length = 0;  // of the value: the message is kSize + length bytes

  [[nodiscard]] static FrameHeader parse(const std::array<std::uint8_t, kSize>& bytes) noexcept;
  // Throws kms::Exception: InvalidMessage for anything but a RequestMessage Structure of a
  // length that is a multiple of 8, PayloadTooLarge past `maxMessageSize` (the whole message).
  void check(std::size_t maxMessageSize) const;
};

}  // namespace kms::socket
