#include "kms/pkcs11/Settings.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>

#include "kms/pkcs11/Error.hpp"
#include "kms/pkcs11/HashNames.hpp"

namespace kms::pkcs11 {

namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return text;
}

Error badValue(std::string_view name, std::string_view value, std::string_view expected) {
  return Error(KMS_ERR_INVALID_ARGUMENT, fmt::format("setting {}: invalid value '{}' ({})", name, value, expected));
}

bool parseBool(std::string_view name, std::string_view value) {
  const std::string v = lower(trim(value));
  if (v == "true" || v == "1" || v == "yes" || v == "on") return true;
  if (v == "false" || v == "0" || v == "no" || v == "off") return false;
  throw badValue(name, value, "expected true or false");
}

std::uint64_t parseUnsigned(std::string_view name, std::string_view value, std::uint64_t min, std::uint64_t max) {
  const std::string_view v = trim(value);
  std::uint64_t parsed = 0;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), parsed);
  if (v.empty() || ec != std::errc() || end != v.data() + v.size() || parsed < min || parsed > max) {
    throw badValue(name, value, fmt::format("expected an integer from {} to {}", min, max));
  }
  return parsed;
}

std::set<std::int32_t> parseHashes(std::string_view name, std::string_view value) {
  std::set<std::int32_t> hashes;
  std::string_view rest = value;
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    const std::string_view item = trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    if (item.empty()) continue;
    const std::int32_t hash = HashNames::parse(item);
    if (hash == 0) throw badValue(name, value, "expected a list of sha1, sha224, sha256, sha384, sha512");
    hashes.insert(hash);
  }
  return hashes;
}

}  // namespace

const std::vector<std::string>& Settings::names() {
  static const std::vector<std::string> known = {
      "max_data_chunk", "find_batch",  "never_finalize",    "session_pool_size",
      "trace",          "oaep_hashes", "gcm_legacy_params", "kwp_whole_blocks_only"};
  return known;
}

void Settings::apply(std::string_view name, std::string_view value) {
  if (name == "max_data_chunk") {
    maxDataChunk = parseUnsigned(name, value, 0, UINT32_MAX);
  } else if (name == "find_batch") {
    findBatch = static_cast<std::uint32_t>(parseUnsigned(name, value, 1, 4096));
  } else if (name == "never_finalize") {
    neverFinalize = parseBool(name, value);
  } else if (name == "session_pool_size") {
    sessionPoolSize = static_cast<std::uint32_t>(parseUnsigned(name, value, 1, 1024));
  } else if (name == "trace") {
    trace = parseBool(name, value);
  } else if (name == "oaep_hashes") {
    oaepHashes = parseHashes(name, value);
  } else if (name == "gcm_legacy_params") {
    gcmLegacyParams = parseBool(name, value);
  } else if (name == "kwp_whole_blocks_only") {
    kwpWholeBlocksOnly = parseBool(name, value);
  } else {
    throw Error(KMS_ERR_INVALID_ARGUMENT,
                fmt::format("unknown setting '{}' (known: {})", name, fmt::join(names(), ", ")));
  }
}

std::string Settings::oaepHashList() const {
  std::vector<std::string> parts;
  parts.reserve(oaepHashes.size());
  for (const auto hash : oaepHashes) parts.emplace_back(HashNames::display(hash));
  return parts.empty() ? std::string("none") : fmt::format("{}", fmt::join(parts, ", "));
}

}  // namespace kms::pkcs11
