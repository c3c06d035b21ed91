#include "kms/store/postgres/ConnectionString.hpp"

#include <libpq-fe.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <memory>

#include <fmt/format.h>

#include "kms/Exception.hpp"

namespace kms::store::postgres {
namespace {

constexpr std::string_view kMask = "***";

std::string quoted(std::string_view value) {
  // libpq keyword/value syntax: single quotes, with \ and ' escaped by a backslash.
  std::string out = "'";
  for (const char c : value) {
    if (c == '\\' || c == '\'') out += '\\';
    out += c;
  }
  out += '\'';
  return out;
}

std::string readPasswordFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw Exception(ErrorCode::InvalidField, fmt::format("cannot read the database password file {} (named by {})",
                                                         path, ConnectionString::kPasswordFileVariable));
  }
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Files written by editors or `echo` end with a newline that is no part of the password.
  while (!content.empty() && (content.back() == '\n' || content.back() == '\r')) content.pop_back();
  return content;
}

// Masks the value following every `password` key (keyword/value form or URI query).
std::string maskPasswordParameters(std::string text) {
  std::size_t from = 0;
  for (;;) {
    const std::size_t key = text.find("password", from);
    if (key == std::string::npos) return text;
    std::size_t i = key + 8;
    while (i < text.size() && text[i] == ' ') ++i;
    if (i >= text.size() || text[i] != '=') {
      from = key + 8;
      continue;
    }
    ++i;
    while (i < text.size() && text[i] == ' ') ++i;
    std::size_t end = i;
    if (end < text.size() && text[end] == '\'') {
      ++end;
      while (end < text.size() && text[end] != '\'') end += text[end] == '\\' ? 2 : 1;
      end = std::min(end + 1, text.size());
    } else {
      while (end < text.size() && text[end] != ' ' && text[end] != '&') ++end;
    }
    text.replace(i, end - i, kMask);
    from = i + kMask.size();
  }
}

}  // namespace

ConnectionString::ConnectionString(std::string_view url) {
  char* error = nullptr;
  const std::string text(url);
  std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> options(PQconninfoParse(text.c_str(), &error),
                                                                       &PQconninfoFree);
  if (!options) {
    // libpq's reason may quote the text it refused, password included: it is not repeated.
    if (error != nullptr) PQfreemem(error);
    throw Exception(ErrorCode::InvalidField,
                    fmt::format("the database URL is not a valid PostgreSQL connection string: {}", redact(url)));
  }
  for (const PQconninfoOption* o = options.get(); o->keyword != nullptr; ++o) {
    if (o->val != nullptr) parameters_.emplace_back(o->keyword, o->val);
  }
}

void ConnectionString::set(std::string_view key, std::string value) {
  for (auto& [k, v] : parameters_) {
    if (k == key) {
      v = std::move(value);
      return;
    }
  }
  parameters_.emplace_back(std::string(key), std::move(value));
}

void ConnectionString::setDefault(std::string_view key, std::string value) {
  if (!get(key)) set(key, std::move(value));
}

std::optional<std::string> ConnectionString::get(std::string_view key) const {
  for (const auto& [k, v] : parameters_) {
    if (k == key) return v;
  }
  return std::nullopt;
}

void ConnectionString::mergePasswordFromEnvironment() {
  const char* direct = std::getenv(std::string(kPasswordVariable).c_str());
  const char* file = std::getenv(std::string(kPasswordFileVariable).c_str());
  if (direct != nullptr && file != nullptr) {
    throw Exception(ErrorCode::InvalidField,
                    fmt::format("set only one of {} and {}", kPasswordVariable, kPasswordFileVariable));
  }
  if (direct != nullptr) set("password", direct);
  if (file != nullptr) set("password", readPasswordFile(file));
}

std::string ConnectionString::str() const {
  std::string out;
  for (const auto& [k, v] : parameters_) {
    if (!out.empty()) out += ' ';
    out += k;
    out += '=';
    out += quoted(v);
  }
  return out;
}

std::string ConnectionString::redacted() const {
  std::string out;
  for (const auto& [k, v] : parameters_) {
    if (!out.empty()) out += ' ';
    out += k;
    out += '=';
    out += k == "password" ? std::string(kMask) : quoted(v);
  }
  return out;
}

std::string ConnectionString::scrub(std::string text) const {
  const auto password = get("password");
  if (!password || password->empty()) return text;
  for (std::size_t at = text.find(*password); at != std::string::npos; at = text.find(*password, at + kMask.size())) {
    text.replace(at, password->size(), kMask);
  }
  return text;
}

std::string ConnectionString::redact(std::string_view url) {
  std::string text(url);
  const std::size_t scheme = text.find("://");
  if (scheme != std::string::npos) {
    const std::size_t start = scheme + 3;
    const std::size_t authorityEnd = text.find_first_of("/?", start);
    const std::size_t end = authorityEnd == std::string::npos ? text.size() : authorityEnd;
    const std::size_t at = text.rfind('@', end == 0 ? 0 : end - 1);
    if (at != std::string::npos && at >= start) {
      const std::size_t colon = text.find(':', start);
      if (colon != std::string::npos && colon < at) text.replace(colon + 1, at - colon - 1, kMask);
    }
  }
  return maskPasswordParameters(std::move(text));
}

}  // namespace kms::store::postgres
