#include "kms/pkcs11/SessionLease.hpp"

#include "kms/pkcs11/SessionPool.hpp"

namespace kms::pkcs11 {

SessionLease::SessionLease(SessionLease&& other) noexcept
    : pool_(other.pool_), handle_(other.handle_), generation_(other.generation_), broken_(other.broken_) {
  other.pool_ = nullptr;
}

SessionLease::~SessionLease() {
  if (pool_ != nullptr) pool_->release(handle_, generation_, broken_);
}

}  // namespace kms::pkcs11
