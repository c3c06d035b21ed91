#include "kms/audit/HmacKeyFile.hpp"

#include <fmt/format.h>

#include <fstream>
#include <iterator>

#include "kms/audit/AuditError.hpp"

namespace kms::audit {
namespace {

int hexValue(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

SecureBytes HmacKeyFile::read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw AuditError(fmt::format("cannot read the audit HMAC key file '{}'", path));
  SecureBytes bytes;
  for (std::istreambuf_iterator<char> it(in), end; it != end && bytes.size() <= 256; ++it) {
    bytes.push_back(static_cast<std::uint8_t>(*it));
  }
  if (bytes.size() == 32) return bytes;  // raw
  std::size_t size = bytes.size();
  while (size > 0 && (bytes[size - 1] == '\n' || bytes[size - 1] == '\r')) --size;
  if (size == 64) {
    SecureBytes key(32);
    bool valid = true;
    for (std::size_t i = 0; i < 32; ++i) {
      const int high = hexValue(static_cast<char>(bytes[2 * i]));
      const int low = hexValue(static_cast<char>(bytes[2 * i + 1]));
      valid = valid && high >= 0 && low >= 0;
      key[i] = static_cast<std::uint8_t>((high << 4) | (low & 0x0f));
    }
    secureZero(bytes.data(), bytes.size());
    if (valid) return key;
  }
  throw AuditError(fmt::format("the audit HMAC key file '{}' must hold 64 hex digits or 32 raw bytes", path));
}

}  // namespace kms::audit
