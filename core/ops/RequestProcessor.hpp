#pragma once
// The transport-free entry point of every KMIP request.
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "kms/auth/AccessPolicy.hpp"
#include "kms/kmip/Ttlv.hpp"
#include "kms/ops/RequestContext.hpp"

namespace kms::store {
class ObjectStore;
}
namespace kms::hsm {
class HsmRegistry;
}

namespace kms::ops {

struct ProcessorSettings {
  std::string vendorIdentification = "cosmian";  // vendor attributes under this id (and "cosmian")
  std::string serverVersion;                     // Query ServerInformation/ServerVersion (omitted if empty)
  // Debug-level log sink for client-supplied text (the Log operation); already truncated and
  // stripped of control characters. Unset: such text is dropped.
  std::function<void(std::string_view)> debugLog;
  // Who may create objects (privileged_users); per-object rights are checked by
  // ObjectRepository against the owner and the store's grants.
  auth::AccessPolicy accessPolicy;
  // The HSM instances serving hsm:: UIDs; nullptr (or empty) when kmsd runs without HSM.
  hsm::HsmRegistry* hsm = nullptr;
};

class RequestProcessor {
 public:
  RequestProcessor(store::ObjectStore& store, ProcessorSettings settings);
  ~RequestProcessor();
  RequestProcessor(const RequestProcessor&) = delete;
  RequestProcessor& operator=(const RequestProcessor&) = delete;

  // `request` is either a bare operation (tag "Create", ...), answered by the bare response
  // payload (tag "CreateResponse", ...), or a RequestMessage, answered by a ResponseMessage.
  // A bare operation that fails throws kms::Exception; a RequestMessage never throws for a
  // failed batch item (the item carries ResultStatus/ResultReason/ResultMessage) and throws
  // kms::Exception(InvalidMessage) only when the message itself is unusable.
  kmip::Ttlv process(const kmip::Ttlv& request, const RequestContext& context);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kms::ops
