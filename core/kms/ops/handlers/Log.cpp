// KMIP 2.1 section 6.1.29: a client asks the server to log a message. The text is untrusted:
// it goes to the debug sink only, cut to 200 characters, control characters replaced.
#include <algorithm>
#include <string>

#include "kms/ops/handlers/Handlers.hpp"

namespace kms::ops::handlers {

Ttlv log(OperationContext& ctx, const Ttlv& payload) {
  const auto& message = payload.at("LogMessage").asText();
  if (ctx.settings.debugLog) {
    constexpr std::size_t kMax = 200;
    std::string safe;
    safe.reserve(std::min(message.size(), kMax) + 3);
    for (std::size_t i = 0; i < message.size() && i < kMax; ++i) {
      const auto c = static_cast<unsigned char>(message[i]);
      safe += (c < 0x20 || c == 0x7F) ? '?' : static_cast<char>(c);
    }
    if (message.size() > kMax) safe += "...";
    ctx.settings.debugLog("KMIP Log from " + ctx.request.user.substr(0, 64) + ": " + safe);
  }
  return Ttlv::structure("ResponsePayload");
}

}  // namespace kms::ops::handlers
