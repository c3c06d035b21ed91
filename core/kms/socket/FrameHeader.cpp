#include "kms/socket/FrameHeader.hpp"

#include <fmt/format.h>

#include "kms/Exception.hpp"

namespace kms::socket {
namespace {

constexpr std::uint8_t kStructure = 0x01;
constexpr std::uint32_t kPadding = 8;

}  // namespace

FrameHeader FrameHeader::parse(const std::array<std::uint8_t, kSize>& bytes) noexcept {
  FrameHeader header;
  header.tag = (std::uint32_t{bytes[0]} << 16) | (std::uint32_t{bytes[1]} << 8) | bytes[2];
  header.type = bytes[3];
  header.length =
      (std::uint32_t{bytes[4]} << 24) | (std::uint32_t{bytes[5]} << 16) | (std::uint32_t{bytes[6]} << 8) | bytes[7];
  return header;
}

void FrameHeader::check(std::size_t maxMessageSize) const {
  // The reasons name the rule broken, never the bytes the client sent.
  if (tag != kRequestMessage || type != kStructure) {
    throw Exception(ErrorCode::InvalidMessage, "a binary KMIP message must be a RequestMessage Structure");
  }
  if (length % kPadding != 0) {
    throw Exception(ErrorCode::InvalidMessage, "the RequestMessage length is not a multiple of 8");
  }
  if (std::size_t{length} + kSize > maxMessageSize) {
    throw Exception(ErrorCode::PayloadTooLarge,
                    fmt::format("the message of {} bytes is larger than the {} bytes allowed "
                                "(socket_server_max_message_size)",
                                std::size_t{length} + kSize, maxMessageSize));
  }
}

}  // namespace kms::socket
