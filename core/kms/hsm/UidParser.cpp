#include "kms/hsm/UidParser.hpp"

#include <fmt/format.h>

#include <cctype>
#include <charconv>

#include "kms/Exception.hpp"

namespace kms::hsm {

namespace {

constexpr std::string_view kSeparator = "::";

std::optional<std::uint64_t> parseSlot(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// "softhsm2" or "softhsm2_1": letters, digits and underscores, starting with a letter.
bool validInstance(std::string_view text) {
  if (text.empty() || !std::isalpha(static_cast<unsigned char>(text.front()))) return false;
  for (const char c : text) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

[[noreturn]] void malformed(std::string_view uid, std::string_view why) {
  throw Exception(ErrorCode::InvalidField,
                  fmt::format("malformed HSM UID '{}': {} (expected hsm::<model>[_N]::<slot>::<key> or "
                              "hsm::<slot>::<key>)",
                              uid, why));
}

}  // namespace

std::string HsmUid::pairLabel() const {
  return publicKey ? key.substr(0, key.size() - UidParser::kPublicSuffix.size()) : key;
}

std::string HsmUid::toString() const {
  return legacy() ? fmt::format("{}{}::{}", UidParser::kPrefix, slot, key) : UidParser::format(instance, slot, key);
}

bool UidParser::isHsmUid(std::string_view uid) noexcept {
  return uid.substr(0, kPrefix.size()) == kPrefix;
}

std::optional<HsmUid> UidParser::parse(std::string_view uid) {
  if (!isHsmUid(uid)) return std::nullopt;
  std::string_view rest = uid.substr(kPrefix.size());
  const auto first = rest.find(kSeparator);
  if (first == std::string_view::npos) malformed(uid, "no slot");
  const std::string_view head = rest.substr(0, first);
  rest = rest.substr(first + kSeparator.size());

  HsmUid parsed;
  // A model never is a number, so a numeric first part is the legacy form's slot. The key is
  // everything after the slot: a label may itself contain "::".
  if (const auto slot = parseSlot(head)) {
    parsed.slot = *slot;
  } else {
    if (!validInstance(head)) malformed(uid, fmt::format("'{}' is neither a slot number nor an HSM instance", head));
    parsed.instance = std::string(head);
    const auto second = rest.find(kSeparator);
    if (second == std::string_view::npos) malformed(uid, "no slot");
    const auto slotText = rest.substr(0, second);
    const auto slotValue = parseSlot(slotText);
    if (!slotValue) malformed(uid, fmt::format("slot '{}' is not a number", slotText));
    parsed.slot = *slotValue;
    rest = rest.substr(second + kSeparator.size());
  }
  if (rest.empty()) malformed(uid, "empty key");
  parsed.key = std::string(rest);
  parsed.publicKey =
      rest.size() > kPublicSuffix.size() && rest.substr(rest.size() - kPublicSuffix.size()) == kPublicSuffix;
  return parsed;
}

std::string UidParser::format(std::string_view instance, std::uint64_t slot, std::string_view key) {
  return fmt::format("{}{}::{}::{}", kPrefix, instance, slot, key);
}

}  // namespace kms::hsm
