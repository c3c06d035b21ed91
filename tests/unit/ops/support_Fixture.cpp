#include "support_Fixture.hpp"

#include <stdlib.h>

#include <stdexcept>

#include "kms/ErrorTable.hpp"
#include "kms/kmip/Dictionary.hpp"
#include "kms/ops/objects/NewObject.hpp"
#include "kms/ops/OperationContext.hpp"

namespace kms::ops::test {

namespace {

std::vector<std::string> vendorsOf(const ProcessorSettings& settings) {
  std::vector<std::string> vendors{settings.vendorIdentification};
  if (settings.vendorIdentification != "cosmian") vendors.emplace_back("cosmian");
  return vendors;
}

}  // namespace

Fixture::Fixture(ProcessorSettings settings) : settings_(std::move(settings)) {
  std::string pattern = "/tmp/kms-ops-test-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  dir_ = pattern;
  store_ = std::make_unique<store::SqliteStore>(dir_);
  repository_ = std::make_unique<objects::ObjectRepository>(*store_, vendorsOf(settings_));
  processor_ = std::make_unique<RequestProcessor>(*store_, settings_);
}

Fixture::~Fixture() {
  processor_.reset();
  repository_.reset();
  store_.reset();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

Ttlv Fixture::process(const Ttlv& request, const std::string& user) {
  return processor_->process(request, RequestContext{user});
}

Ttlv Fixture::bare(const std::string& operation, std::vector<Ttlv> items, const std::string& user) {
  return process(Ttlv::structure(operation, std::move(items)), user);
}

Ttlv Fixture::single(kmip::Operation operation, std::vector<Ttlv> payload, const std::string& user) {
  const auto response = process(requestMessage({batchItem(operation, std::move(payload))}), user);
  const auto items = batchItems(response);
  if (items.size() != 1) throw std::runtime_error("expected one response BatchItem");
  return items.front();
}

std::string Fixture::addKey(const std::string& owner, const std::string& keyName, const std::vector<std::string>& tags,
                            std::vector<Ttlv> extraAttributes, std::uint8_t seed) {
  Ttlv::Bytes material(32);
  for (std::size_t i = 0; i < material.size(); ++i) material[i] = static_cast<std::uint8_t>(seed + i);
  Ttlv key = Ttlv::structure(
      "SymmetricKey",
      {Ttlv::structure(
          "KeyBlock",
          {Ttlv::enumeration("KeyFormatType", static_cast<std::uint32_t>(kmip::KeyFormatType::Raw)),
           Ttlv::structure("KeyValue", {Ttlv::byteString("KeyMaterial", material)}),
           Ttlv::enumeration("CryptographicAlgorithm", static_cast<std::uint32_t>(kmip::CryptographicAlgorithm::AES)),
           Ttlv::integer("CryptographicLength", 256)})});
  std::vector<Ttlv> client{
      Ttlv::enumeration("CryptographicAlgorithm", static_cast<std::uint32_t>(kmip::CryptographicAlgorithm::AES)),
      Ttlv::integer("CryptographicLength", 256), Ttlv::integer("CryptographicUsageMask", 0x0C)};  // Encrypt|Decrypt
  if (!keyName.empty()) client.push_back(name(keyName));
  if (!tags.empty()) client.push_back(tagAttribute(tags));
  for (auto& extra : extraAttributes) client.push_back(std::move(extra));
  RequestContext request{owner};
  std::string placeholder;
  OperationContext ctx{*repository_, settings_, request, placeholder, keys_};
  objects::ManagedObject object =
      objects::NewObject::make(ctx, kmip::ObjectType::SymmetricKey, std::move(key), attributes(std::move(client)));
  repository_->insert({&object});
  return object.uid;
}

objects::ManagedObject Fixture::load(const std::string& uidValue) {
  const auto stored = store_->get(uidValue);
  if (!stored) throw std::runtime_error("no such object " + uidValue);
  return repository_->load(uidValue, stored->owner, "get");
}

Ttlv uid(const std::string& value) {
  return Ttlv::textString("UniqueIdentifier", value);
}

Ttlv name(const std::string& value) {
  return Ttlv::structure(
      "Name", {Ttlv::textString("NameValue", value),
               Ttlv::enumeration("NameType", static_cast<std::uint32_t>(kmip::NameType::UninterpretedTextString))});
}

Ttlv attributes(std::vector<Ttlv> items) {
  return Ttlv::structure("Attributes", std::move(items));
}

Ttlv tagAttribute(const std::vector<std::string>& tags, const std::string& vendor) {
  std::string json = "[";
  for (std::size_t i = 0; i < tags.size(); ++i) json += (i ? ",\"" : "\"") + tags[i] + "\"";
  json += "]";
  return Ttlv::structure("Attribute",
                         {Ttlv::textString("VendorIdentification", vendor), Ttlv::textString("AttributeName", "tag"),
                          Ttlv::textString("AttributeValue", json)});
}

Ttlv reference(const std::string& tagName) {
  const auto code = kmip::Dictionary::tagCode(tagName);
  if (!code) throw std::runtime_error("unknown tag " + tagName);
  return Ttlv::enumeration("AttributeReference", *code);
}

Ttlv protocolVersion(std::int32_t major, std::int32_t minor) {
  return Ttlv::structure("ProtocolVersion",
                         {Ttlv::integer("ProtocolVersionMajor", major), Ttlv::integer("ProtocolVersionMinor", minor)});
}

Ttlv batchItem(kmip::Operation operation, std::vector<Ttlv> payload, std::optional<std::string> batchId) {
  Ttlv item = Ttlv::structure("BatchItem", {Ttlv::enumeration("Operation", static_cast<std::uint32_t>(operation))});
  if (batchId) item.add(Ttlv::byteString("UniqueBatchItemID", Ttlv::Bytes(batchId->begin(), batchId->end())));
  item.add(Ttlv::structure("RequestPayload", std::move(payload)));
  return item;
}

Ttlv requestMessage(std::vector<Ttlv> items, const HeaderOptions& options) {
  Ttlv header = Ttlv::structure("RequestHeader", {protocolVersion(options.major, options.minor)});
  if (options.correlation) header.add(Ttlv::textString("ClientCorrelationValue", *options.correlation));
  if (options.continuation) {
    header.add(Ttlv::enumeration("BatchErrorContinuationOption", static_cast<std::uint32_t>(*options.continuation)));
  }
  header.add(Ttlv::integer("BatchCount", options.batchCount.value_or(static_cast<std::int32_t>(items.size()))));
  Ttlv message = Ttlv::structure("RequestMessage", {std::move(header)});
  for (auto& item : items) message.add(std::move(item));
  return message;
}

std::vector<Ttlv> batchItems(const Ttlv& response) {
  std::vector<Ttlv> out;
  for (const auto* item : response.findAll("BatchItem")) out.push_back(*item);
  return out;
}

bool succeeded(const Ttlv& item) {
  const auto* status = item.find("ResultStatus");
  return status != nullptr && status->asEnumeration() == static_cast<std::uint32_t>(kmip::ResultStatus::Success);
}

std::optional<ErrorCode> failure(const Ttlv& item) {
  const auto* reason = item.find("ResultReason");
  if (reason == nullptr) return std::nullopt;
  const auto* info = ErrorTable::byKmipReason(reason->asEnumeration());
  if (info == nullptr) return ErrorCode::InternalError;
  return info->code;
}

std::string resultMessage(const Ttlv& item) {
  const auto* message = item.find("ResultMessage");
  return message == nullptr ? std::string() : message->asText();
}

const Ttlv& payloadOf(const Ttlv& item) {
  return item.at("ResponsePayload");
}

}  // namespace kms::ops::test
