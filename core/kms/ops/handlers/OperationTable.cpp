#include "kms/ops/handlers/OperationTable.hpp"

#include <array>

#include "kms/hsm/UidParser.hpp"
#include "kms/ops/handlers/Handlers.hpp"
#include "kms/ops/hsmkeys/HsmHandlers.hpp"

namespace kms::ops::handlers {

using kmip::Operation;

namespace {

struct Entry {
  Operation operation;
  Handler handler;
};

// An operation on one object that may be a key inside an HSM: the UID's form (hsm::...) picks
// the HSM's handler, anything else the database's. The one place these operations branch; the
// cryptographic ones find their key through crypto::KeyResolver instead, and Create /
// CreateKeyPair look at the UID they are asked to create after validating the request. The
// UID is read here first, as each handler did: a missing or malformed one answers alike.
template <Handler database, Handler hsmKey>
Ttlv routed(OperationContext& ctx, const Ttlv& payload) {
  if (hsm::UidParser::isHsmUid(ctx.uidOf(payload))) return hsmKey(ctx, payload);
  return database(ctx, payload);
}

constexpr std::array kTable{
    Entry{Operation::Create, &create},
    Entry{Operation::CreateKeyPair, &createKeyPair},
    Entry{Operation::Register, &registerObject},
    Entry{Operation::Locate, &locate},
    Entry{Operation::Get, &routed<&get, &hsmkeys::get>},
    Entry{Operation::GetAttributes, &routed<&getAttributes, &hsmkeys::getAttributes>},
    Entry{Operation::GetAttributeList, &getAttributeList},
    Entry{Operation::AddAttribute, &addAttribute},
    Entry{Operation::ModifyAttribute, &modifyAttribute},
    Entry{Operation::DeleteAttribute, &deleteAttribute},
    Entry{Operation::Activate, &activate},
    Entry{Operation::Revoke, &revoke},
    Entry{Operation::Destroy, &routed<&destroy, &hsmkeys::destroy>},
    Entry{Operation::Query, &query},
    Entry{Operation::DiscoverVersions, &discoverVersions},
    Entry{Operation::Encrypt, &encrypt},
    Entry{Operation::Decrypt, &decrypt},
    Entry{Operation::Sign, &sign},
    Entry{Operation::SignatureVerify, &signatureVerify},
    Entry{Operation::MAC, &mac},
    Entry{Operation::MACVerify, &macVerify},
    Entry{Operation::Hash, &hash},
    Entry{Operation::RNGRetrieve, &rngRetrieve},
    Entry{Operation::RNGSeed, &rngSeed},
    Entry{Operation::Import, &importObject},
    Entry{Operation::Export, &routed<&exportObject, &hsmkeys::exportKey>},
    Entry{Operation::Log, &log},
    Entry{Operation::SetAttribute, &setAttribute},
    Entry{Operation::Interop, &interop},
};

}  // namespace

Handler handlerFor(Operation operation) noexcept {
  for (const auto& e : kTable) {
    if (e.operation == operation) return e.handler;
  }
  return nullptr;
}

std::vector<Operation> supportedOperations() {
  std::vector<Operation> out;
  out.reserve(kTable.size());
  for (const auto& e : kTable) out.push_back(e.operation);
  return out;
}

}  // namespace kms::ops::handlers
