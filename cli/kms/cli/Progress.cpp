#include "kms/cli/Progress.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace kms::cli {
namespace {

constexpr auto kInterval = std::chrono::milliseconds(100);
constexpr int kWidth = 24;

std::string sizeText(double bytes) {
  constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int unit = 0;
  while (bytes >= 1024.0 && unit < 4) {
    bytes /= 1024.0;
    ++unit;
  }
  return unit == 0 ? fmt::format("{:.0f} B", bytes) : fmt::format("{:.1f} {}", bytes, kUnits[unit]);
}

}  // namespace

Progress::Progress(std::string label, std::optional<std::uint64_t> total, bool enabled)
    : label_(std::move(label)), total_(total), enabled_(enabled) {
  start_ = last_ = std::chrono::steady_clock::now();
}

Progress::~Progress() {
  finish();
}

bool Progress::terminal() noexcept {
  return ::isatty(STDERR_FILENO) == 1;
}

void Progress::advance(std::uint64_t bytes) {
  done_ += bytes;
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_ < kInterval) return;
  last_ = now;
  draw();
}

void Progress::draw() {
  const double seconds = std::chrono::duration<double>(last_ - start_).count();
  const std::string rate = seconds > 0 ? sizeText(static_cast<double>(done_) / seconds) + "/s" : std::string();
  std::string line;
  if (total_ && *total_ > 0) {
    const double fraction = std::min(1.0, static_cast<double>(done_) / static_cast<double>(*total_));
    const int filled = static_cast<int>(fraction * kWidth);
    line = fmt::format("{} {:3.0f}% [{}{}] {} / {} {}", label_, fraction * 100, std::string(filled, '='),
                       std::string(kWidth - filled, ' '), sizeText(static_cast<double>(done_)),
                       sizeText(static_cast<double>(*total_)), rate);
  } else {
    line = fmt::format("{} {} {}", label_, sizeText(static_cast<double>(done_)), rate);
  }
  // \r and "erase to the end of the line": the bar redraws in place.
  std::fprintf(stderr, "\r%s\x1b[K", line.c_str());
  std::fflush(stderr);
  drawn_ = true;
}

void Progress::finish() noexcept {
  if (!drawn_) return;
  std::fputs("\r\x1b[K", stderr);
  std::fflush(stderr);
  drawn_ = false;
}

}  // namespace kms::cli
