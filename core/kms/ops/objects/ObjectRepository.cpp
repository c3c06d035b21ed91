#include "kms/ops/objects/ObjectRepository.hpp"

#include <algorithm>
#include <array>
#include <optional>

#include <fmt/format.h>

#include "kms/Exception.hpp"
#include "kms/auth/AccessPolicy.hpp"
#include "kms/keys/Random.hpp"
#include "kms/ops/NotFound.hpp"
#include "kms/ops/attributes/AttributeKey.hpp"
#include "kms/ops/attributes/AttributeValues.hpp"
#include "kms/ops/objects/StoredObjectMapper.hpp"

namespace kms::ops::objects {

namespace {

constexpr std::string_view kHsmPrefix = "hsm::";

}  // namespace

ObjectRepository::ObjectRepository(store::ObjectStore& store, std::vector<std::string> vendorIdentifications,
                                   ChangeListener changed)
    : store_(store), vendors_(std::move(vendorIdentifications)), changed_(std::move(changed)) {}

ManagedObject ObjectRepository::load(const std::string& uid, const std::string& user, std::string_view operation) {
  return *loadShared(uid, user, operation);
}

std::shared_ptr<const ManagedObject> ObjectRepository::loadShared(const std::string& uid, const std::string& user,
                                                                  std::string_view operation) {
  if (uid.empty()) throw Exception(ErrorCode::InvalidField, "UniqueIdentifier is empty");
  // `hsm::` UIDs are keys inside an HSM: the handlers that support them branch to
  // ops/hsmkeys before loading; any other operation does not apply to them.
  if (uid.starts_with(kHsmPrefix)) {
    throw Exception(ErrorCode::FeatureNotSupported,
                    fmt::format("'{}' is an HSM key: this operation is not supported on HSM keys", uid.substr(0, 128)));
  }
  std::string resolved = uid;
  if (uid.front() == '[') {
    auto tags = attributes::parseJsonStringArray(uid);
    if (!tags || tags->empty()) {
      throw Exception(ErrorCode::InvalidField, "a tag selector must be a non-empty JSON array of strings");
    }
    store::LocateQuery query;
    query.tags = *tags;
    query.visibleTo = user;
    query.limit = 2;
    const auto uids = store_.locate(query);
    if (uids.empty()) throw notFound(uid);
    if (uids.size() > 1) {
      query.limit.reset();
      const auto all = store_.locate(query);
      throw Exception(
          ErrorCode::InvalidField,
          fmt::format("{} objects carry these tags; a tag selector must designate exactly one", all.size()));
    }
    resolved = uids.front();
  }
  std::shared_ptr<const ManagedObject> object = cache_ != nullptr ? cache_->find(resolved) : nullptr;
  // The owner's cached object needs no read. Everyone else is checked before the object is
  // read, by one store read that costs the same whether the object is missing or someone
  // else's: neither the answer nor its time tells a user without the right that it exists.
  // Rights are read from the store on every request, never cached; reading attributes is part
  // of the right to get the object (AccessPolicy::allows).
  if (object && object->owner == user) return object;
  const auto access = store_.accessOf(resolved, user);
  if (!access || (access->owner != user && !auth::AccessPolicy::allows(access->operations, operation))) {
    throw notFound(uid);
  }
  if (!object) {
    const auto epoch = cache_ != nullptr ? cache_->epoch() : 0;
    auto stored = store_.get(resolved);
    if (!stored) throw notFound(uid);  // removed since the check
    object = cache_ != nullptr ? cache_->put(StoredObjectMapper::fromStored(*stored), epoch)
                               : std::make_shared<const ManagedObject>(StoredObjectMapper::fromStored(*stored));
  }
  return object;
}

void ObjectRepository::forget(const std::string& uid, std::int64_t version) {
  if (cache_ != nullptr) {
    if (uid == "*") {
      cache_->forgetAll();
    } else {
      cache_->forget(uid, version);
    }
  }
  if (changed_) changed_(uid, version);
}

void ObjectRepository::insert(const std::vector<ManagedObject*>& objects) {
  std::vector<store::StoredObject> stored;
  stored.reserve(objects.size());
  for (const auto* object : objects) {
    if (object->uid.starts_with(kHsmPrefix)) {
      throw Exception(ErrorCode::InvalidField, "identifiers starting with 'hsm::' are reserved for HSM keys");
    }
    stored.push_back(StoredObjectMapper::toStored(*object, vendors_));
  }
  store_.insert(stored);
  for (auto* object : objects) object->version = 1;
}

void ObjectRepository::update(ManagedObject& object) {
  try {
    store_.update(StoredObjectMapper::toStored(object, vendors_));
  } catch (...) {
    // A lost version race or an unknown outcome: what this node holds may be stale.
    forget(object.uid);
    throw;
  }
  object.version += 1;
  forget(object.uid);
}

void ObjectRepository::remove(const std::string& uid) {
  const bool removed = store_.remove(uid);
  forget(uid);
  if (!removed) throw notFound(uid);
}

std::vector<std::string> ObjectRepository::locate(const store::LocateQuery& query) {
  return store_.locate(query);
}

std::string ObjectRepository::newUid() {
  auto bytes = keys::Random::bytes(16);
  bytes[6] = static_cast<std::uint8_t>((bytes[6] & 0x0F) | 0x40);  // version 4
  bytes[8] = static_cast<std::uint8_t>((bytes[8] & 0x3F) | 0x80);  // RFC 4122 variant
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (std::size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += kHex[bytes[i] >> 4];
    out += kHex[bytes[i] & 0x0F];
  }
  return out;
}

}  // namespace kms::ops::objects
