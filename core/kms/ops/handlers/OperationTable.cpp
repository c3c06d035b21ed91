#include "kms/ops/handlers/OperationTable.hpp"

#include <array>

#include "kms/ops/handlers/Handlers.hpp"

namespace kms::ops::handlers {

using kmip::Operation;

namespace {

struct Entry {
  Operation operation;
  Handler handler;
};

constexpr std::array kTable{
    Entry{Operation::Create, &create},
    Entry{Operation::CreateKeyPair, &createKeyPair},
    Entry{Operation::Register, &registerObject},
    Entry{Operation::Locate, &locate},
    Entry{Operation::Get, &get},
    Entry{Operation::GetAttributes, &getAttributes},
    Entry{Operation::GetAttributeList, &getAttributeList},
    Entry{Operation::AddAttribute, &addAttribute},
    Entry{Operation::ModifyAttribute, &modifyAttribute},
    Entry{Operation::DeleteAttribute, &deleteAttribute},
    Entry{Operation::Activate, &activate},
    Entry{Operation::Revoke, &revoke},
    Entry{Operation::Destroy, &destroy},
    Entry{Operation::Query, &query},
    Entry{Operation::DiscoverVersions, &discoverVersions},
    Entry{Operation::Encrypt, &encrypt},
    Entry{Operation::Decrypt, &decrypt},
    Entry{Operation::Sign, &sign},
    Entry{Operation::SignatureVerify, &signatureVerify},
    Entry{Operation::Import, &importObject},
    Entry{Operation::Export, &exportObject},
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
