#include "kms/integrations/aws_xks/ExternalKeyId.hpp"

#include <algorithm>

namespace kms::integrations::aws_xks {
namespace {

bool allowed(char ch) {
  return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' ||
         ch == '_';
}

std::string replaceAll(std::string_view text, std::string_view from, std::string_view to) {
  std::string out;
  std::size_t start = 0;
  for (std::size_t at = text.find(from); at != std::string_view::npos; at = text.find(from, start)) {
    out.append(text.substr(start, at - start)).append(to);
    start = at + from.size();
  }
  out.append(text.substr(start));
  return out;
}

}  // namespace

std::optional<std::string> ExternalKeyId::toUid(std::string_view keyId) {
  if (keyId.empty() || keyId.size() > kMaxLength || !std::all_of(keyId.begin(), keyId.end(), allowed)) {
    return std::nullopt;
  }
  if (!keyId.starts_with("hsm..")) return std::string(keyId);
  return replaceAll(keyId, "..", "::");
}

std::optional<std::string> ExternalKeyId::fromUid(std::string_view uid) {
  std::string keyId = uid.starts_with("hsm::") ? replaceAll(uid, "::", "..") : std::string(uid);
  if (keyId.empty() || keyId.size() > kMaxLength || !std::all_of(keyId.begin(), keyId.end(), allowed)) {
    return std::nullopt;
  }
  return keyId;
}

}  // namespace kms::integrations::aws_xks
