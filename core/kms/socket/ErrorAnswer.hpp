#pragma once
// The ResponseMessage for a message that failed as a whole (malformed, too large, refused for
// memory, not authenticated): one BatchItem with ResultStatus OperationFailed, the ResultReason
// of its error (ErrorTable) and its text, in the request's protocol version when the message's
// first bytes still tell it, else 1.0, which every client reads.
#include <cstdint>
#include <span>

#include "kms/Exception.hpp"
#include "kms/kmip/Ttlv.hpp"

namespace kms::socket {

class ErrorAnswer {
 public:
  struct Version {
    std::int32_t major = 1;
    std::int32_t minor = 0;
  };

  // The ProtocolVersion at its place in a RequestMessage (the RequestHeader's first item),
  // without decoding the rest; the default when `message` is too short or laid out otherwise.
  [[nodiscard]] static Version versionOf(std::span<const std::uint8_t> message) noexcept;
  [[nodiscard]] static kmip::Ttlv build(const Exception& error, Version version);
};

}  // namespace kms::socket
