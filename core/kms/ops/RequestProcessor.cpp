#include "kms/ops/RequestProcessor.hpp"

#include <algorithm>
#include <array>
#include <exception>
#include <utility>

#include <fmt/format.h>

#include "kms/ErrorTable.hpp"
#include "kms/audit/AuditError.hpp"
#include "kms/audit/AuditLog.hpp"
#include "kms/Exception.hpp"
#include "kms/kmip/Dictionary.hpp"
#include "kms/ops/handlers/OperationTable.hpp"
#include "kms/ops/attributes/AttributeKey.hpp"
#include "kms/ops/attributes/AttributeValues.hpp"
#include "kms/ops/handlers/Handlers.hpp"
#include "kms/ops/objects/ObjectRepository.hpp"
#include "kms/ops/OperationContext.hpp"
#include "kms/ops/access/AccessRights.hpp"
#include "kms/ops/crypto/UsableKeys.hpp"
#include "kms/ops/hsmkeys/HsmKeyAccess.hpp"
#include "kms/ops/kmip1/Translator.hpp"
#include "kms/ops/wrapping/KeyWrapper.hpp"
#include "kms/ops/wrapping/Rewrapper.hpp"

namespace kms::ops {

using kmip::ItemType;
using kmip::Operation;
using kmip::Ttlv;

// ---- processor ----------------------------------------------------------------------------

namespace {

std::vector<std::string> vendorList(const ProcessorSettings& settings) {
  std::vector<std::string> vendors;
  if (!settings.vendorIdentification.empty()) vendors.push_back(settings.vendorIdentification);
  if (!attributes::sameVendor(settings.vendorIdentification, "cosmian")) vendors.emplace_back("cosmian");
  return vendors;
}

std::string operationName(Operation operation) {
  return kmip::Dictionary::enumText("Operation", static_cast<std::uint32_t>(operation));
}

// The outward form of any failure: kms::Exception as is, anything else a generic InternalError
// (its text may name internals and never leaves the server).
Exception outward(std::exception_ptr error) {
  try {
    std::rethrow_exception(std::move(error));
  } catch (const Exception& e) {
    return e;
  } catch (...) {
    return Exception(ErrorCode::InternalError, "internal server error");
  }
}

struct ProtocolVersion {
  std::int32_t major = 2;
  std::int32_t minor = 1;
};

ProtocolVersion readVersion(const Ttlv& header) {
  const auto* pv = header.find("ProtocolVersion");
  if (pv == nullptr || !pv->isStructure()) {
    throw Exception(ErrorCode::InvalidMessage, "RequestHeader has no ProtocolVersion");
  }
  const auto* major = pv->find("ProtocolVersionMajor");
  const auto* minor = pv->find("ProtocolVersionMinor");
  if (major == nullptr || minor == nullptr || major->type() != ItemType::Integer ||
      minor->type() != ItemType::Integer) {
    throw Exception(ErrorCode::InvalidMessage, "ProtocolVersion needs Integer ProtocolVersionMajor and Minor");
  }
  ProtocolVersion v{major->asInteger(), minor->asInteger()};
  const bool supported =
      (v.major == 2 && (v.minor == 0 || v.minor == 1)) || (v.major == 1 && v.minor >= 0 && v.minor <= 4);
  if (!supported) {
    throw Exception(ErrorCode::InvalidMessage,
                    fmt::format("protocol version {}.{} is not supported (2.1, 2.0, 1.4-1.0 are)", v.major, v.minor));
  }
  return v;
}

Ttlv versionItem(const ProtocolVersion& v) {
  return Ttlv::structure("ProtocolVersion", {Ttlv::integer("ProtocolVersionMajor", v.major),
                                             Ttlv::integer("ProtocolVersionMinor", v.minor)});
}

void addUids(std::vector<std::string>& uids, const Ttlv* structure) {
  if (structure == nullptr || !structure->isStructure()) return;
  for (const auto& item : structure->items()) {
    if (item.tag() != "UniqueIdentifier" || item.type() != ItemType::TextString) continue;
    if (std::find(uids.begin(), uids.end(), item.text()) == uids.end()) uids.push_back(item.text());
  }
}

// The audit events of one request (docs/audit.md): one per operation or batch item, with the
// UIDs of its request and response payloads (a Create's new UID, a Locate's finds) and its
// result; never a payload's other fields, which hold key material, plaintext and ciphertext.
// Under the `event` flush policy, commit() waits once for the request's last line to be synced.
class AuditTrail {
 public:
  explicit AuditTrail(audit::AuditLog* log) noexcept : log_(log) {}

  [[nodiscard]] bool on() const noexcept { return log_ != nullptr; }

  void operation(const RequestContext& context, std::string operation, const Ttlv* request, const Ttlv* response,
                 const Exception* error) {
    if (log_ == nullptr) return;
    audit::AuditEvent event;
    event.type = "kmip";
    event.user = context.user;
    event.operation = std::move(operation);
    addUids(event.uids, response);
    addUids(event.uids, request);
    if (error != nullptr) {
      event.result = error->code() == ErrorCode::PermissionDenied ? "denied" : "failure";
      event.reason = std::string(ErrorTable::lookup(error->code()).name);
      event.message = error->what();
    }
    event.requestId = context.requestId;
    event.peer = context.peer;
    event.transport = context.transport;
    event.fields = context.auditFields;
    try {
      last_ = log_->submit(std::move(event));
    } catch (const audit::AuditError& e) {
      throw Exception(ErrorCode::Unavailable, std::string("audit log: ") + e.what());
    }
  }

  void commit() {
    if (log_ == nullptr || last_ == 0) return;
    try {
      log_->await(last_);
    } catch (const audit::AuditError& e) {
      throw Exception(ErrorCode::Unavailable, std::string("audit log: ") + e.what());
    }
  }

 private:
  audit::AuditLog* log_;
  std::uint64_t last_ = 0;
};

}  // namespace

struct RequestProcessor::Impl {
  Impl(store::ObjectStore& store, ProcessorSettings s)
      : settings(std::move(s)),
        keys(settings.keyCache),
        objects(settings.objectCacheSize, settings.objectCacheMaxAge),
        repository(store, vendorList(settings),
                   [this](const std::string& uid, std::int64_t version) { keys.invalidate(uid, version); }),
        access(store, settings.accessPolicy, settings.hsm) {
    repository.setCache(&objects);
  }

  ProcessorSettings settings;
  crypto::UsableKeys keys;
  objects::ObjectCache objects;
  objects::ObjectRepository repository;
  access::AccessRights access;

  // A context for work the server does on its own behalf (start-up checks, admin operations).
  template <class Fn>
  auto asServer(const std::string& user, Fn fn) {
    const RequestContext request{user};
    std::string placeholder;
    OperationContext ctx{repository, settings, request, placeholder, keys};
    return fn(ctx);
  }

  // Runs one operation; the payload is retagged "RequestPayload", the result "ResponsePayload".
  Ttlv run(Operation operation, const Ttlv& payload, const RequestContext& context, std::string& placeholder) {
    const auto handler = handlers::handlerFor(operation);
    if (handler == nullptr) {
      throw Exception(ErrorCode::OperationNotSupported,
                      fmt::format("operation {} is not supported", operationName(operation)));
    }
    if (!payload.isStructure()) throw Exception(ErrorCode::InvalidMessage, "the request payload must be a Structure");
    OperationContext ctx{repository, settings, context, placeholder, keys};
    Ttlv response = handler(ctx, payload.tag() == "RequestPayload" ? payload : payload.withTag("RequestPayload"));
    return response.tag() == "ResponsePayload" ? std::move(response) : response.withTag("ResponsePayload");
  }

  Ttlv bare(const Ttlv& request, const RequestContext& context, AuditTrail& trail) {
    const auto code = kmip::Dictionary::enumValue("Operation", request.tag());
    if (!code) {
      const Exception error(ErrorCode::OperationNotSupported,
                            fmt::format("'{}' is not a KMIP operation", request.tag().substr(0, 64)));
      trail.operation(context, request.tag().substr(0, 64), nullptr, nullptr, &error);
      throw error;
    }
    std::string placeholder;
    try {
      Ttlv response = run(static_cast<Operation>(*code), request, context, placeholder);
      trail.operation(context, request.tag(), &request, &response, nullptr);
      return response.withTag(request.tag() + "Response");
    } catch (...) {
      const Exception error = outward(std::current_exception());
      if (trail.on()) trail.operation(context, request.tag(), &request, nullptr, &error);
      throw error;
    }
  }

  Ttlv message(const Ttlv& request, const RequestContext& context, AuditTrail& trail) {
    const auto* header = request.find("RequestHeader");
    if (header == nullptr || !header->isStructure()) {
      throw Exception(ErrorCode::InvalidMessage, "RequestMessage has no RequestHeader");
    }
    const ProtocolVersion version = readVersion(*header);
    const auto* count = header->find("BatchCount");
    if (count == nullptr || count->type() != ItemType::Integer) {
      throw Exception(ErrorCode::InvalidMessage, "RequestHeader has no Integer BatchCount");
    }
    const auto items = request.findAll("BatchItem");
    if (count->asInteger() < 1 || static_cast<std::size_t>(count->asInteger()) != items.size()) {
      throw Exception(ErrorCode::InvalidMessage, fmt::format("BatchCount is {} but the message holds {} BatchItem",
                                                             count->asInteger(), items.size()));
    }
    auto option = kmip::BatchErrorContinuationOption::Stop;  // section 9.6: Stop when omitted
    if (const auto* o = header->find("BatchErrorContinuationOption")) {
      if (o->type() != ItemType::Enumeration) {
        throw Exception(ErrorCode::InvalidMessage, "BatchErrorContinuationOption must be an Enumeration");
      }
      option = static_cast<kmip::BatchErrorContinuationOption>(o->asEnumeration());
      if (option != kmip::BatchErrorContinuationOption::Continue &&
          option != kmip::BatchErrorContinuationOption::Stop && option != kmip::BatchErrorContinuationOption::Undo) {
        throw Exception(ErrorCode::InvalidMessage, "unknown BatchErrorContinuationOption");
      }
    }
    // kmsd cannot undo committed operations: an Undo batch of several items runs nothing and
    // fails every item; a single item needs no undo and runs as with Stop.
    const bool refuseUndo = option == kmip::BatchErrorContinuationOption::Undo && items.size() > 1;

    Ttlv response = Ttlv::structure("ResponseMessage");
    Ttlv responseHeader = Ttlv::structure("ResponseHeader");
    responseHeader.add(versionItem(version));
    responseHeader.add(Ttlv::dateTime("TimeStamp", attributes::nowSeconds()));
    // Section 8.5 allows it in the response header; echoing lets clients and logs correlate.
    if (const auto* correlation = header->find("ClientCorrelationValue");
        correlation != nullptr && correlation->type() == ItemType::TextString) {
      responseHeader.add(*correlation);
    }

    std::vector<Ttlv> responseItems;
    std::string placeholder;  // the ID placeholder lives for this message only
    for (const auto* item : items) {
      Ttlv out = Ttlv::structure("BatchItem");
      std::optional<Operation> operation;
      try {
        if (!item->isStructure()) throw Exception(ErrorCode::InvalidMessage, "BatchItem must be a Structure");
        const auto* op = item->find("Operation");
        if (op == nullptr || op->type() != ItemType::Enumeration) {
          throw Exception(ErrorCode::InvalidMessage, "BatchItem has no Operation enumeration");
        }
        operation = static_cast<Operation>(op->asEnumeration());
        out.add(*op);
        if (const auto* id = item->find("UniqueBatchItemID")) out.add(*id);
        if (refuseUndo) {
          throw Exception(ErrorCode::FeatureNotSupported,
                          "BatchErrorContinuationOption Undo is not supported for several items; nothing was run");
        }
        const auto* payload = item->find("RequestPayload");
        if (payload == nullptr) throw Exception(ErrorCode::MissingData, "BatchItem has no RequestPayload");
        // KMIP 1.x: the translation layer maps the payload to 2.1 and the answer back.
        Ttlv result =
            version.major == 1
                ? kmip1::Translator::run(*operation, *payload, version.minor,
                                         [&](Operation op, const Ttlv& p) { return run(op, p, context, placeholder); })
                : run(*operation, *payload, context, placeholder);
        if (trail.on()) trail.operation(context, operationName(*operation), payload, &result, nullptr);
        out.add(Ttlv::enumeration("ResultStatus", static_cast<std::uint32_t>(kmip::ResultStatus::Success)));
        out.add(std::move(result));
        responseItems.push_back(std::move(out));
      } catch (...) {
        const Exception error = outward(std::current_exception());
        if (trail.on()) {
          const Ttlv* payload = item->isStructure() ? item->find("RequestPayload") : nullptr;
          trail.operation(context, operation ? operationName(*operation) : std::string("BatchItem"), payload, nullptr,
                          &error);
        }
        out.add(Ttlv::enumeration("ResultStatus", static_cast<std::uint32_t>(kmip::ResultStatus::OperationFailed)));
        const std::uint32_t reason = ErrorTable::lookup(error.code()).kmipResultReason;
        out.add(Ttlv::enumeration(
            "ResultReason", version.major == 1 ? kmip1::Translator::resultReason(reason, version.minor) : reason));
        out.add(Ttlv::textString("ResultMessage", error.what()));
        responseItems.push_back(std::move(out));
        if (option != kmip::BatchErrorContinuationOption::Continue && !refuseUndo) break;
      }
    }
    responseHeader.add(Ttlv::integer("BatchCount", static_cast<std::int32_t>(responseItems.size())));
    response.add(std::move(responseHeader));
    for (auto& i : responseItems) response.add(std::move(i));
    return response;
  }
};

RequestProcessor::RequestProcessor(store::ObjectStore& store, ProcessorSettings settings)
    : impl_(std::make_unique<Impl>(store, std::move(settings))) {}

RequestProcessor::~RequestProcessor() = default;

Ttlv RequestProcessor::process(const Ttlv& request, const RequestContext& context) {
  auto* log = audit::AuditLog::current();
  // An audit log that cannot be written any more refuses every operation: serving them
  // unrecorded is what an intruder would want (docs/audit.md).
  if (log != nullptr && !log->healthy()) {
    throw Exception(ErrorCode::Unavailable, "the audit log cannot be written: operations are refused");
  }
  AuditTrail trail(log);
  if (!request.isStructure()) throw Exception(ErrorCode::InvalidMessage, "a KMIP request must be a Structure");
  if (request.tag() != "RequestMessage") {
    try {
      Ttlv response = impl_->bare(request, context, trail);
      trail.commit();
      return response;
    } catch (const Exception&) {
      trail.commit();
      throw;
    }
  }
  try {
    Ttlv response = impl_->message(request, context, trail);
    trail.commit();
    return response;
  } catch (const Exception& error) {
    // The message as a whole is unusable (no header, bad BatchCount, ...): one line for it.
    if (trail.on()) trail.operation(context, "RequestMessage", nullptr, nullptr, &error);
    trail.commit();
    throw;
  }
}

void RequestProcessor::checkKeyEncryptionKey() {
  const auto& kek = impl_->settings.keyEncryptionKey;
  if (kek.empty()) return;
  try {
    static_cast<void>(impl_->asServer(
        std::string(), [&](OperationContext& ctx) { return wrapping::KeyWrapper::forServer(ctx, kek); }));
  } catch (const Exception& e) {
    throw Exception(e.code(), fmt::format("key_encryption_key {}: {}", kek, e.what()));
  }
}

void RequestProcessor::objectChanged(const std::string& uid, std::int64_t version) {
  impl_->repository.forget(uid, version);  // which tells the usable keys too
}

crypto::KeyCacheStats RequestProcessor::keyCacheStats() const {
  return impl_->keys.stats();
}

RewrapResult RequestProcessor::rewrap(const std::string& from, const std::string& to, const std::string& user,
                                      std::size_t limit) {
  audit::AuditEvent event;
  event.type = "rewrap";
  event.user = user;
  event.operation = "rewrap";
  event.uids = {from, to};
  try {
    const RewrapResult result =
        impl_->asServer(user, [&](OperationContext& ctx) { return wrapping::Rewrapper::run(ctx, from, to, limit); });
    event.fields = {{"rewrapped", std::to_string(result.rewrapped)},
                    {"failed", std::to_string(result.failed)},
                    {"remaining", std::to_string(result.remaining)}};
    audit::AuditLog::note(std::move(event));
    return result;
  } catch (const Exception& error) {
    event.result = error.code() == ErrorCode::PermissionDenied ? "denied" : "failure";
    event.reason = std::string(ErrorTable::lookup(error.code()).name);
    event.message = error.what();
    try {
      audit::AuditLog::note(std::move(event));
    } catch (const std::exception&) {  // NOLINT(bugprone-empty-catch): the log's failure is logged by its writer
    }
    throw;
  }
}

access::AccessRights& RequestProcessor::accessRights() noexcept {
  return impl_->access;
}

}  // namespace kms::ops
