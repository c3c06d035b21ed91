#pragma once
// The audit line: one JSON object on one line, fields in a fixed order so that a line is a
// deterministic function of its event, sequence number and predecessor:
//
//   {"seq":7,"time":"2026-12-07T16:46:37.123Z","type":"kmip","user":"alice","op":"Encrypt",
//    "uids":["..."],"result":"success","request_id":"...","peer":"10.0.0.5","transport":"http",
//    "ctx":{"kmsKeyArn":"..."},"prev":"<SHA-256 of line 6>","mac":"<HMAC-SHA-256>"}
//
// `prev` is the SHA-256 (hex) of the previous line's bytes without its newline, the whole line
// with its mac: changing, removing or moving a line breaks the link of the line after it.
// `mac`, present when the operator configured a key, is HMAC-SHA-256 under that key of the line
// as it would read without the mac (the same bytes ending in `"prev":"..."}`): whoever rewrites
// the file, recomputing every hash, cannot recompute the macs without the key. `mac` is the last
// field, so a verifier finds the signed text without re-serialising anything.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "kms/audit/AuditEvent.hpp"

namespace kms::audit {

class LineFormat {
 public:
  // Longest text kept of one field (messages, ARNs, names); longer ones end in "...".
  static constexpr std::size_t kMaxText = 512;
  static constexpr std::size_t kMaxUids = 16;    // beyond: "uid_count" says how many there were
  static constexpr std::size_t kMaxFields = 16;  // extra fields beyond are dropped

  // The line, without its newline. `key` empty: no mac.
  [[nodiscard]] static std::string render(std::uint64_t seq, const AuditEvent& event, std::string_view prev,
                                          std::span<const std::uint8_t> key);

  struct Signed {
    std::string_view mac;  // the hex mac
    std::string text;      // what it signs: the line without `,"mac":"..."`
  };
  // Splits a line into its mac and the text it signs; nullopt when the line has no mac field.
  [[nodiscard]] static std::optional<Signed> splitMac(std::string_view line);
  // The sequence number a line starts with, or nullopt when it does not start as render() writes.
  [[nodiscard]] static std::optional<std::uint64_t> sequenceOf(std::string_view line) noexcept;
  // RFC 3339, UTC, milliseconds: 2026-12-07T16:46:37.123Z.
  [[nodiscard]] static std::string timeText(std::chrono::system_clock::time_point time);
  // Appends `text` as a JSON string (quoted, escaped, truncated to kMaxText). Bytes outside
  // printable ASCII are escaped or replaced so that every line is valid UTF-8 JSON.
  static void appendString(std::string& out, std::string_view text);
};

}  // namespace kms::audit
