#include "kms/kmip/DateTimeText.hpp"

namespace kms::kmip::datetime {
namespace {

constexpr std::int64_t kMicrosPerSecond = 1'000'000;
constexpr std::int64_t kSecondsPerDay = 86'400;
// 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z: the years RFC 3339 can write.
constexpr std::int64_t kMinSeconds = -62'167'219'200;
constexpr std::int64_t kMaxSeconds = 253'402'300'799;

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
constexpr std::int64_t daysFromCivil(std::int64_t y, unsigned m, unsigned d) noexcept {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct Civil {
  std::int64_t year;
  unsigned month;
  unsigned day;
};

constexpr Civil civilFromDays(std::int64_t z) noexcept {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0), m, d};
}

static_assert(daysFromCivil(1970, 1, 1) == 0);
static_assert(daysFromCivil(2000, 3, 1) == 11017);
static_assert(civilFromDays(11017).year == 2000 && civilFromDays(11017).month == 3);

constexpr bool isLeap(std::int64_t y) noexcept {
  return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

constexpr unsigned daysInMonth(std::int64_t y, unsigned m) noexcept {
  constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && isLeap(y) ? 29 : kDays[m - 1];
}

// Reads exactly `n` decimal digits at `pos`.
bool digits(std::string_view text, std::size_t& pos, std::size_t n, unsigned& out) noexcept {
  if (text.size() - pos < n) return false;
  unsigned value = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const char c = text[pos + i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  pos += n;
  out = value;
  return true;
}

bool literal(std::string_view text, std::size_t& pos, char c) noexcept {
  if (pos >= text.size() || text[pos] != c) return false;
  ++pos;
  return true;
}

void append2(std::string& out, unsigned v) {
  out += static_cast<char>('0' + v / 10);
  out += static_cast<char>('0' + v % 10);
}

void appendCivil(std::string& out, std::int64_t epochSeconds) {
  std::int64_t days = epochSeconds / kSecondsPerDay;
  std::int64_t secs = epochSeconds % kSecondsPerDay;
  if (secs < 0) {
    secs += kSecondsPerDay;
    --days;
  }
  const Civil c = civilFromDays(days);
  const auto year = static_cast<unsigned>(c.year);
  append2(out, year / 100);
  append2(out, year % 100);
  out += '-';
  append2(out, c.month);
  out += '-';
  append2(out, c.day);
  out += 'T';
  append2(out, static_cast<unsigned>(secs / 3600));
  out += ':';
  append2(out, static_cast<unsigned>(secs / 60 % 60));
  out += ':';
  append2(out, static_cast<unsigned>(secs % 60));
}

}  // namespace

bool parseMicros(std::string_view text, std::int64_t& epochMicros) noexcept {
  std::size_t pos = 0;
  const bool negativeYear = literal(text, pos, '-');
  unsigned year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!digits(text, pos, 4, year) || !literal(text, pos, '-') || !digits(text, pos, 2, month) ||
      !literal(text, pos, '-') || !digits(text, pos, 2, day)) {
    return false;
  }
  if (!literal(text, pos, 'T') && !literal(text, pos, 't')) return false;
  if (!digits(text, pos, 2, hour) || !literal(text, pos, ':') || !digits(text, pos, 2, minute) ||
      !literal(text, pos, ':') || !digits(text, pos, 2, second)) {
    return false;
  }
  const std::int64_t y = negativeYear ? -static_cast<std::int64_t>(year) : year;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(y, month) || hour > 23 || minute > 59 || second > 59) {
    return false;
  }

  std::int64_t fraction = 0;
  if (literal(text, pos, '.')) {
    const std::size_t start = pos;
    std::int64_t scale = 100'000;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      fraction += (text[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return false;
  }

  std::int64_t offsetSeconds = 0;
  if (pos < text.size()) {
    const char sign = text[pos++];
    if (sign == 'Z' || sign == 'z') {
      // UTC
    } else if (sign == '+' || sign == '-') {
      unsigned oh = 0, om = 0;
      if (!digits(text, pos, 2, oh) || !literal(text, pos, ':') || !digits(text, pos, 2, om) || oh > 23 || om > 59) {
        return false;
      }
      offsetSeconds = static_cast<std::int64_t>(oh * 3600 + om * 60) * (sign == '-' ? -1 : 1);
    } else {
      return false;
    }
  }
  if (pos != text.size()) return false;

  // Local time minus its offset is UTC.
  const std::int64_t seconds = daysFromCivil(y, month, day) * kSecondsPerDay + std::int64_t{hour} * 3600 +
                               std::int64_t{minute} * 60 + second - offsetSeconds;
  epochMicros = seconds * kMicrosPerSecond + fraction;
  return true;
}

bool appendSeconds(std::string& out, std::int64_t epochSeconds) {
  if (epochSeconds < kMinSeconds || epochSeconds > kMaxSeconds) return false;
  appendCivil(out, epochSeconds);
  out += 'Z';
  return true;
}

bool appendMicros(std::string& out, std::int64_t epochMicros) {
  const std::int64_t seconds = floorSeconds(epochMicros);
  if (seconds < kMinSeconds || seconds > kMaxSeconds) return false;
  appendCivil(out, seconds);
  auto micros = static_cast<unsigned>(epochMicros - seconds * kMicrosPerSecond);
  char fraction[7] = {'.', '0', '0', '0', '0', '0', '0'};
  for (int i = 6; i >= 1; --i, micros /= 10) fraction[i] = static_cast<char>('0' + micros % 10);
  out.append(fraction, 7);
  out += 'Z';
  return true;
}

}  // namespace kms::kmip::datetime
