// KMIP 2.1 section 6.1.16: the versions kmsd speaks, in its order of preference, limited to
// those the client lists (when it lists any).
#include <array>
#include <utility>

#include "kms/ops/handlers/Handlers.hpp"

namespace kms::ops::handlers {

namespace {

constexpr std::array<std::pair<std::int32_t, std::int32_t>, 7> kVersions{
    {{2, 1}, {2, 0}, {1, 4}, {1, 3}, {1, 2}, {1, 1}, {1, 0}}};

}  // namespace

Ttlv discoverVersions(OperationContext& /*ctx*/, const Ttlv& payload) {
  const auto client = payload.findAll("ProtocolVersion");
  Ttlv response = Ttlv::structure("ResponsePayload");
  for (const auto& [major, minor] : kVersions) {
    bool wanted = client.empty();
    for (const auto* v : client) {
      const auto* ma = v->find("ProtocolVersionMajor");
      const auto* mi = v->find("ProtocolVersionMinor");
      if (ma != nullptr && mi != nullptr && ma->asInteger() == major && mi->asInteger() == minor) wanted = true;
    }
    if (!wanted) continue;
    response.add(Ttlv::structure("ProtocolVersion", {Ttlv::integer("ProtocolVersionMajor", major),
                                                     Ttlv::integer("ProtocolVersionMinor", minor)}));
  }
  return response;
}

}  // namespace kms::ops::handlers
