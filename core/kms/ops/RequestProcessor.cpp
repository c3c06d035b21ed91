#include "kms/ops/RequestProcessor.hpp"

#include <array>
#include <exception>
#include <utility>

#include <fmt/format.h>

#include "kms/ErrorTable.hpp"
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

  Ttlv bare(const Ttlv& request, const RequestContext& context) {
    const auto code = kmip::Dictionary::enumValue("Operation", request.tag());
    if (!code) {
      throw Exception(ErrorCode::OperationNotSupported,
                      fmt::format("'{}' is not a KMIP operation", request.tag().substr(0, 64)));
    }
    std::string placeholder;
    try {
      Ttlv response = run(static_cast<Operation>(*code), request, context, placeholder);
      return response.withTag(request.tag() + "Response");
    } catch (...) {
      throw outward(std::current_exception());
    }
  }

  Ttlv message(const Ttlv& request, const RequestContext& context) {
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
        out.add(Ttlv::enumeration("ResultStatus", static_cast<std::uint32_t>(kmip::ResultStatus::Success)));
        out.add(std::move(result));
        responseItems.push_back(std::move(out));
      } catch (...) {
        const Exception error = outward(std::current_exception());
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
  if (!request.isStructure()) throw Exception(ErrorCode::InvalidMessage, "a KMIP request must be a Structure");
  if (request.tag() == "RequestMessage") return impl_->message(request, context);
  return impl_->bare(request, context);
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
  return impl_->asServer(user, [&](OperationContext& ctx) { return wrapping::Rewrapper::run(ctx, from, to, limit); });
}

access::AccessRights& RequestProcessor::accessRights() noexcept {
  return impl_->access;
}

}  // namespace kms::ops
