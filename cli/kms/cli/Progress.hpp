#pragma once
// A progress bar on stderr for long work on files: "encrypting  42% [======>   ] 430 MiB / 1.0 GiB
// 312 MiB/s". Drawn only when enabled (the caller checks that stderr is a terminal and that
// neither --quiet nor --json was given), at most ten times a second; erased when done, so the
// command's own message follows on a clean line.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace kms::cli {

class Progress {
 public:
  // `total`: the bytes expected (none for a stream: then the bar shows bytes and rate only).
  Progress(std::string label, std::optional<std::uint64_t> total, bool enabled);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void advance(std::uint64_t bytes);
  // Erases the bar.
  void finish() noexcept;

  // stderr is a terminal (and the client may draw on it).
  static bool terminal() noexcept;

 private:
  void draw();

  std::string label_;
  std::optional<std::uint64_t> total_;
  bool enabled_;
  bool drawn_ = false;
  std::uint64_t done_ = 0;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_;
};

}  // namespace kms::cli
