#pragma once
// An input read in pieces, so that a file of any size passes through in constant memory:
// a file, or stdin for "-". Read errors are CliError(LocalFile) naming the input.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "kms/SecureBytes.hpp"

namespace kms::cli {

class InputFile {
 public:
  explicit InputFile(std::string path);
  ~InputFile();
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  // Fills `data` with `size` bytes, fewer only when the input ends; returns how many.
  std::size_t read(std::uint8_t* data, std::size_t size);
  // Appends the rest of the input to `out`.
  void readRest(kms::SecureBytes& out);

  // The size of a regular file (for the progress bar); none for stdin or a pipe.
  [[nodiscard]] std::optional<std::uint64_t> size() const noexcept { return size_; }
  [[nodiscard]] const std::string& path() const noexcept { return path_; }
  [[nodiscard]] std::string name() const { return path_ == "-" ? std::string("stdin") : path_; }

 private:
  std::string path_;
  int fd_ = -1;
  bool ended_ = false;
  std::optional<std::uint64_t> size_;
};

}  // namespace kms::cli
