#pragma once
// What a handler receives besides its request payload.
#include <string>

#include "kms/ops/objects/ObjectRepository.hpp"
#include "kms/ops/RequestContext.hpp"
#include "kms/ops/RequestProcessor.hpp"
#include "kms/ops/crypto/UsableKeys.hpp"

namespace kms::ops {

struct OperationContext {
  objects::ObjectRepository& objects;
  const ProcessorSettings& settings;
  const RequestContext& request;
  // The ID placeholder of the current RequestMessage: the uid of the last object created
  // (or acted upon, as KMIP 2.1 section 6.1 says per operation). A handler whose payload
  // has no UniqueIdentifier uses it; a handler that creates an object sets it.
  std::string& idPlaceholder;
  // Usable keys of database objects (cached; unwrapped in the HSM when stored wrapped).
  crypto::UsableKeys& keys;

  // The payload's UniqueIdentifier, else the placeholder; MissingData when neither exists.
  [[nodiscard]] std::string uidOrPlaceholder(const kmip::Ttlv& payload) const { return uidOf(payload); }
  // The same without a copy: valid while `payload` and the placeholder are unchanged.
  [[nodiscard]] const std::string& uidOf(const kmip::Ttlv& payload) const;
};

}  // namespace kms::ops
