#pragma once
// The transport-free entry point of every KMIP request.
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "kms/auth/AccessPolicy.hpp"
#include "kms/keys/UnwrappedKeyCache.hpp"
#include "kms/kmip/Ttlv.hpp"
#include "kms/ops/RequestContext.hpp"

namespace kms::store {
class ObjectStore;
}
namespace kms::hsm {
class HsmRegistry;
}
namespace kms::ops::access {
class AccessRights;
}

namespace kms::ops {

struct ProcessorSettings {
  std::string vendorIdentification = "cosmian";  // vendor attributes under this id (and "cosmian")
  std::string serverVersion;                     // Query ServerInformation/ServerVersion (omitted if empty)
  // Debug-level log sink for client-supplied text (the Log operation); already truncated and
  // stripped of control characters. Unset: such text is dropped.
  std::function<void(std::string_view)> debugLog;
  // Who may create objects (privileged_users); per-object rights are checked by
  // objects::ObjectRepository against the owner and the store's grants.
  auth::AccessPolicy accessPolicy;
  // The HSM instances serving hsm:: UIDs; nullptr (or empty) when kmsd runs without HSM.
  hsm::HsmRegistry* hsm = nullptr;
  // hsm:: UID of the server key-encryption key; empty: none (DESIGN §8).
  std::string keyEncryptionKey;
  keys::UnwrappedKeyCache::Limits keyCache;
  // Decoded objects kept in memory (objects::ObjectCache): how many, and after how long one is read
  // again from the store whatever notifications said (0: never; one SQLite node needs none).
  std::size_t objectCacheSize = 10000;
  std::chrono::milliseconds objectCacheMaxAge{0};
  // rsa_pkcs1v15_decrypt: RSA PKCS#1 v1.5 Decrypt allowed (a padding oracle; DecryptPolicy.hpp).
  bool rsaPkcs1v15Decrypt = false;
};

namespace crypto {
struct KeyCacheStats;
}  // namespace crypto

// Outcome of RequestProcessor::rewrap.
struct RewrapResult {
  std::size_t rewrapped = 0;
  std::size_t failed = 0;     // left wrapped by `from`; the log says why
  std::size_t remaining = 0;  // still wrapped by `from` after this call
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

  // Start-up check of the key-encryption key: its HSM instance serves it and the key exists.
  // Throws kms::Exception naming key_encryption_key otherwise. No-op without a KEK.
  void checkKeyEncryptionKey();
  // An object changed (store notification: from another node, or this node's own change coming
  // back), or "*": anything may have. `version`: its version after the change, 0 if unknown or
  // removed; what this node holds of that version or a later one is kept.
  void objectChanged(const std::string& uid, std::int64_t version = 0);
  [[nodiscard]] crypto::KeyCacheStats keyCacheStats() const;
  // Re-wraps objects the server wrapped under `from` with `to`, each in its own transaction
  // (version-checked): interrupted, every object is still wrapped by one of the two keys, and
  // calling again finishes. `user` must be hsm_admin of both keys' instances (PermissionDenied,
  // also for an instance that does not exist). `limit` 0: all. Rules: wrapping::Rewrapper.
  RewrapResult rewrap(const std::string& from, const std::string& to, const std::string& user, std::size_t limit);
  // Grant, revoke and list access rights (access::AccessRights), on this processor's store,
  // access policy and HSMs.
  [[nodiscard]] access::AccessRights& accessRights() noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kms::ops
