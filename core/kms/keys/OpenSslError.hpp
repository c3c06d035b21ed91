#pragma once
// Turns a failed OpenSSL call into a kms::Exception. The thread's OpenSSL error queue is always
// drained so that a stale error never surfaces in an unrelated later call on the same thread.
#include <cstddef>
#include <string>

#include "kms/Exception.hpp"

namespace kms::keys {

// Throws Exception(code, message + ": " + OpenSSL's first reason) and clears the queue.
// OpenSSL reasons name the failing check, never key bytes or data.
[[noreturn]] void throwOpenSslError(ErrorCode code, const std::string& message);

// Throws Exception(code, message) without OpenSSL's reason: for outcomes (a bad tag, a bad
// padding) whose exact cause must not be told to the caller (padding oracles).
[[noreturn]] void throwOpaque(ErrorCode code, const std::string& message);

// Discards queued OpenSSL errors, after a failure that is an expected outcome.
void clearOpenSslErrors() noexcept;

// EVP takes int lengths: refuses a size that does not fit, before any cast.
[[nodiscard]] int checkedLength(std::size_t size, const char* what);

}  // namespace kms::keys
