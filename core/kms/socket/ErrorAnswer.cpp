#include "kms/socket/ErrorAnswer.hpp"

#include <ctime>

#include "kms/ErrorTable.hpp"
#include "kms/kmip/Enums.hpp"

namespace kms::socket {
namespace {

// RequestMessage(8) RequestHeader(8) ProtocolVersion(8) Major(8 + 8) Minor(8 + 8).
constexpr std::size_t kVersionEnd = 56;
constexpr std::uint32_t kRequestHeader = 0x42007701;
constexpr std::uint32_t kProtocolVersion = 0x42006901;
constexpr std::uint32_t kMajor = 0x42006A02;
constexpr std::uint32_t kMinor = 0x42006B02;

std::uint32_t word(std::span<const std::uint8_t> bytes, std::size_t at) noexcept {
  return (std::uint32_t{bytes[at]} << 24) | (std::uint32_t{bytes[at + 1]} << 16) | (std::uint32_t{bytes[at + 2]} << 8) |
         bytes[at + 3];
}

}  // namespace

ErrorAnswer::Version ErrorAnswer::versionOf(std::span<const std::uint8_t> message) noexcept {
  const Version fallback;
  if (message.size() < kVersionEnd) return fallback;
  if (word(message, 8) != kRequestHeader || word(message, 16) != kProtocolVersion || word(message, 24) != kMajor ||
      word(message, 28) != 4 || word(message, 40) != kMinor || word(message, 44) != 4) {
    return fallback;
  }
  const auto major = static_cast<std::int32_t>(word(message, 32));
  const auto minor = static_cast<std::int32_t>(word(message, 48));
  // Only the versions KMIP defines: an answer never echoes arbitrary numbers.
  if (major < 1 || major > 2 || minor < 0 || minor > 4) return fallback;
  return Version{major, minor};
}

kmip::Ttlv ErrorAnswer::build(const Exception& error, Version version) {
  using kmip::Ttlv;
  Ttlv header = Ttlv::structure("ResponseHeader");
  header.add(Ttlv::structure("ProtocolVersion", {Ttlv::integer("ProtocolVersionMajor", version.major),
                                                 Ttlv::integer("ProtocolVersionMinor", version.minor)}));
  header.add(Ttlv::dateTime("TimeStamp", static_cast<std::int64_t>(std::time(nullptr))));
  header.add(Ttlv::integer("BatchCount", 1));
  Ttlv item = Ttlv::structure("BatchItem");
  item.add(Ttlv::enumeration("ResultStatus", static_cast<std::uint32_t>(kmip::ResultStatus::OperationFailed)));
  item.add(Ttlv::enumeration("ResultReason", ErrorTable::lookup(error.code()).kmipResultReason));
  item.add(Ttlv::textString("ResultMessage", error.what()));
  return Ttlv::structure("ResponseMessage", {std::move(header), std::move(item)});
}

}  // namespace kms::socket
