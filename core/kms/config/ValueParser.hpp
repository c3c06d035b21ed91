#pragma once
// Text -> typed value for every setting, whatever its source, so that a flag, an environment
// variable and a file key accept exactly the same spellings and fail with the same message.
// `origin` names where the text came from ("--port", "KMS_PORT", "kms.toml:3: http.port").
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "kms/config/Config.hpp"

namespace kms::config {

class ValueParser {
 public:
  static std::uint16_t port(std::string_view text, const std::string& origin);
  // Bytes, optionally with a binary suffix: 1048576, 1024KiB, 64MiB, 1GiB.
  static std::size_t size(std::string_view text, const std::string& origin, std::size_t min, std::size_t max);
  // A duration: an integer in `bareUnit` (Cosmian counts cache ages in minutes, timeouts in
  // seconds) or a number with a unit: 500ms, 2s, 15m, 1h.
  static std::chrono::milliseconds duration(std::string_view text, const std::string& origin,
                                            std::chrono::milliseconds bareUnit, std::chrono::milliseconds min,
                                            std::chrono::milliseconds max);
  static unsigned count(std::string_view text, const std::string& origin, unsigned min, unsigned max);
  static DatabaseType databaseType(std::string_view text, const std::string& origin);
  static LogLevel logLevel(std::string_view text, const std::string& origin);
  // true/false (also 1/0, yes/no, on/off: environment variables are often written so).
  static bool boolean(std::string_view text, const std::string& origin);
  static ClientCertUser clientCertUser(std::string_view text, const std::string& origin);
  // "ISSUER,JWKS_URI,AUDIENCE[,AUDIENCE...]": JWKS_URI and the audiences may be empty.
  static JwtProvider jwtProvider(std::string_view text, const std::string& origin);
  // An HSM slot number (PKCS#11 CK_SLOT_ID).
  static std::uint64_t slot(std::string_view text, const std::string& origin);
  // A user name: not empty, no control characters.
  static std::string user(std::string_view text, const std::string& origin);
};

}  // namespace kms::config
