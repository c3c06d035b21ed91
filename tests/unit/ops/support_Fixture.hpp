#pragma once
// Shared by the ops tests (core_* and keys_*): a real SqliteStore in a temporary directory, a
// RequestProcessor on it, and builders for KMIP requests and readers for responses.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kms/Exception.hpp"
#include "kms/kmip/Ttlv.hpp"
#include "kms/kmip/Enums.hpp"
#include "kms/ops/objects/ManagedObject.hpp"
#include "kms/ops/objects/ObjectRepository.hpp"
#include "kms/ops/crypto/UsableKeys.hpp"
#include "kms/ops/RequestProcessor.hpp"
#include "kms/store/sqlite/SqliteStore.hpp"

namespace kms::ops::test {

using kmip::Ttlv;

class Fixture {
 public:
  explicit Fixture(ProcessorSettings settings = {});
  ~Fixture();
  Fixture(const Fixture&) = delete;
  Fixture& operator=(const Fixture&) = delete;

  [[nodiscard]] store::SqliteStore& store() { return *store_; }
  [[nodiscard]] RequestProcessor& processor() { return *processor_; }
  // A repository on the same store, to look at objects under the handlers.
  [[nodiscard]] objects::ObjectRepository& repository() { return *repository_; }

  // RequestProcessor::process as `user`.
  Ttlv process(const Ttlv& request, const std::string& user = "alice");
  // A bare operation `operation` with these payload items; returns the bare response.
  Ttlv bare(const std::string& operation, std::vector<Ttlv> items, const std::string& user = "alice");
  // A one-item RequestMessage; returns the response BatchItem.
  Ttlv single(kmip::Operation operation, std::vector<Ttlv> payload, const std::string& user = "alice");

  // Stores a managed AES key owned by `owner` through objects::NewObject::make (no Create handler
  // needed): 32 raw bytes `seed`, `seed+1`, ...; optional Name, tags, extra client attributes.
  std::string addKey(const std::string& owner = "alice", const std::string& name = {},
                     const std::vector<std::string>& tags = {}, std::vector<Ttlv> extraAttributes = {},
                     std::uint8_t seed = 1);
  [[nodiscard]] objects::ManagedObject load(const std::string& uid);

 private:
  std::filesystem::path dir_;
  std::unique_ptr<store::SqliteStore> store_;
  std::unique_ptr<objects::ObjectRepository> repository_;
  std::unique_ptr<RequestProcessor> processor_;
  ProcessorSettings settings_;
  crypto::UsableKeys keys_{keys::UnwrappedKeyCache::Limits{}};
};

// ---- request builders ---------------------------------------------------------------------
Ttlv uid(const std::string& value);
Ttlv name(const std::string& value);
Ttlv attributes(std::vector<Ttlv> items);
// Cosmian's tag vendor attribute: Attribute{VendorIdentification "cosmian", AttributeName
// "tag", AttributeValue TextString JSON array}.
Ttlv tagAttribute(const std::vector<std::string>& tags, const std::string& vendor = "cosmian");
Ttlv reference(const std::string& tagName);  // AttributeReference enumeration by tag name
Ttlv protocolVersion(std::int32_t major, std::int32_t minor);
Ttlv batchItem(kmip::Operation operation, std::vector<Ttlv> payload, std::optional<std::string> batchId = {});
struct HeaderOptions {
  std::int32_t major = 2;
  std::int32_t minor = 1;
  std::optional<std::string> correlation;
  std::optional<kmip::BatchErrorContinuationOption> continuation;
  std::optional<std::int32_t> batchCount;  // default: the number of items
};
Ttlv requestMessage(std::vector<Ttlv> items, const HeaderOptions& options = {});

// ---- response readers ---------------------------------------------------------------------
// BatchItems of a ResponseMessage.
std::vector<Ttlv> batchItems(const Ttlv& response);
bool succeeded(const Ttlv& batchItem);
// ResultReason of a failed item, as ErrorCode (via the ErrorTable), or nullopt.
std::optional<ErrorCode> failure(const Ttlv& batchItem);
std::string resultMessage(const Ttlv& batchItem);
const Ttlv& payloadOf(const Ttlv& batchItem);
// Runs `fn`, returns the ErrorCode of the kms::Exception it throws (nullopt when none).
template <typename F>
std::optional<ErrorCode> errorOf(F&& fn) {
  try {
    fn();
  } catch (const Exception& e) {
    return e.code();
  }
  return std::nullopt;
}

}  // namespace kms::ops::test
