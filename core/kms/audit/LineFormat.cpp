#include "kms/audit/LineFormat.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <ctime>

#include "kms/audit/Digest.hpp"

namespace kms::audit {
namespace {

constexpr std::string_view kMacField = R"(,"mac":")";
constexpr std::string_view kSeqField = R"({"seq":)";

// The length of the valid UTF-8 sequence starting `text`, or 0 when it is not one.
std::size_t utf8Length(std::string_view text) noexcept {
  const auto lead = static_cast<unsigned char>(text[0]);
  std::size_t length = 0;
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
  } else {
    return 0;
  }
  if (text.size() < length) return 0;
  for (std::size_t i = 1; i < length; ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xc0U) != 0x80U) return 0;
  }
  return length;
}

void appendField(std::string& out, std::string_view name, std::string_view value) {
  out.append(",\"").append(name).append("\":");
  LineFormat::appendString(out, value);
}

}  // namespace

void LineFormat::appendString(std::string& out, std::string_view text) {
  const bool cut = text.size() > kMaxText;
  if (cut) text = text.substr(0, kMaxText);
  out.push_back('"');
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c < 0x20 || c == 0x7f) {
      out.append(fmt::format("\\u{:04x}", c));
    } else if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else if (const std::size_t length = utf8Length(text.substr(i)); length != 0) {
      out.append(text.substr(i, length));
      i += length - 1;
    } else {
      out.append("\\ufffd");  // not UTF-8 (or cut by the truncation): the replacement character
    }
  }
  if (cut) out.append("...");
  out.push_back('"');
}

std::string LineFormat::timeText(std::chrono::system_clock::time_point time) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday,
                     utc.tm_hour, utc.tm_min, utc.tm_sec, ms % 1000);
}

std::string LineFormat::render(std::uint64_t seq, const AuditEvent& event, std::string_view prev,
                               std::span<const std::uint8_t> key) {
  std::string line;
  line.reserve(320);
  line.append(kSeqField).append(std::to_string(seq));
  appendField(line, "time", timeText(event.time));
  appendField(line, "type", event.type);
  appendField(line, "user", event.user);
  if (!event.operation.empty()) appendField(line, "op", event.operation);
  if (!event.uids.empty()) {
    line.append(",\"uids\":[");
    const std::size_t kept = std::min(event.uids.size(), kMaxUids);
    for (std::size_t i = 0; i < kept; ++i) {
      if (i != 0) line.push_back(',');
      appendString(line, event.uids[i]);
    }
    line.push_back(']');
    if (kept < event.uids.size()) line.append(",\"uid_count\":").append(std::to_string(event.uids.size()));
  }
  appendField(line, "result", event.result);
  if (!event.reason.empty()) appendField(line, "reason", event.reason);
  if (!event.message.empty()) appendField(line, "msg", event.message.substr(0, 200));
  if (!event.requestId.empty()) appendField(line, "request_id", event.requestId);
  if (!event.peer.empty()) appendField(line, "peer", event.peer);
  if (!event.transport.empty()) appendField(line, "transport", event.transport);
  if (!event.fields.empty()) {
    line.append(",\"ctx\":{");
    const std::size_t kept = std::min(event.fields.size(), kMaxFields);
    for (std::size_t i = 0; i < kept; ++i) {
      if (i != 0) line.push_back(',');
      appendString(line, event.fields[i].first.substr(0, 64));
      line.push_back(':');
      appendString(line, event.fields[i].second);
    }
    line.push_back('}');
  }
  line.append(R"(,"prev":")").append(prev).append("\"}");
  if (!key.empty()) {
    const std::string mac = Digest::hmacSha256(key, line);
    line.pop_back();  // the closing brace: the mac goes last
    line.append(kMacField).append(mac).append("\"}");
  }
  return line;
}

std::optional<LineFormat::Signed> LineFormat::splitMac(std::string_view line) {
  // ...,"mac":"<64 hex>"}
  const std::size_t tail = kMacField.size() + Digest::kHexSize + 2;
  if (line.size() < tail + 1 || !line.ends_with("\"}")) return std::nullopt;
  const std::size_t at = line.size() - tail;
  if (line.substr(at, kMacField.size()) != kMacField) return std::nullopt;
  Signed out;
  out.mac = line.substr(at + kMacField.size(), Digest::kHexSize);
  out.text.reserve(at + 1);
  out.text.append(line.substr(0, at)).push_back('}');
  return out;
}

std::optional<std::uint64_t> LineFormat::sequenceOf(std::string_view line) noexcept {
  if (!line.starts_with(kSeqField)) return std::nullopt;
  std::uint64_t seq = 0;
  const char* begin = line.data() + kSeqField.size();
  const char* end = line.data() + line.size();
  const auto [ptr, error] = std::from_chars(begin, end, seq);
  if (error != std::errc() || ptr == begin || ptr == end || *ptr != ',') return std::nullopt;
  return seq;
}

}  // namespace kms::audit
