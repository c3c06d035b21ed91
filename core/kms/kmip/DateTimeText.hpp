#pragma once
// ISO 8601 / RFC 3339 date-times for the text codecs, computed from the civil calendar
// directly: no locale, no time zone database, no timegm() portability questions.
#include <cstdint>
#include <string>
#include <string_view>

namespace kms::kmip::datetime {

// '-'? yyyy '-' mm '-' dd 'T' hh ':' mm ':' ss ('.' digits)? ('Z' | ('+'|'-') hh ':' mm)?
// (XSD dateTime as the KMIP JSON/XML encodings use it; no zone means UTC). Fractional
// digits beyond microseconds are truncated. Returns false on anything else.
bool parseMicros(std::string_view text, std::int64_t& epochMicros) noexcept;

// Appends "YYYY-MM-DDTHH:MM:SSZ". Returns false (appending nothing) when the year falls
// outside 0000-9999, which has no RFC 3339 form; callers then use hex.
bool appendSeconds(std::string& out, std::int64_t epochSeconds);
// Appends "YYYY-MM-DDTHH:MM:SS.ffffffZ"; same range rule.
bool appendMicros(std::string& out, std::int64_t epochMicros);

// Seconds from a parsed microsecond value, rounding towards the past, so that a fraction
// is truncated in calendar terms ("...:59.9Z" stays in second 59).
constexpr std::int64_t floorSeconds(std::int64_t micros) noexcept {
  std::int64_t s = micros / 1'000'000;
  if (micros % 1'000'000 < 0) --s;
  return s;
}

}  // namespace kms::kmip::datetime
