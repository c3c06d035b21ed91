#pragma once
// An output file that appears whole or not at all: the bytes go to a temporary file beside
// the target, which then takes the target's name (without --force only if no file has it,
// atomically: link(2) fails on an existing name). A failure leaves nothing behind.
// "-" writes to stdout instead. (A StreamingOutput written in one piece.)
#include <string>

#include "kms/SecureBytes.hpp"

namespace kms::cli {

class OutputFile {
 public:
  // Checks at once that `path` may be written, before any server call: CliError(LocalFile)
  // when it exists and `force` is false.
  OutputFile(std::string path, bool force);

  void commit(const kms::SecureBytes& data) const;
  void commit(const std::string& text) const;

  [[nodiscard]] const std::string& path() const noexcept { return path_; }
  [[nodiscard]] bool isStdout() const noexcept { return path_ == "-"; }

 private:
  void commit(const void* data, std::size_t size) const;

  std::string path_;
  bool force_;
};

}  // namespace kms::cli
