#pragma once
// An output written in pieces that appears whole or not at all. The pieces go to a temporary
// file beside the target (created on the first write, readable by its owner only); commit()
// gives it the target's name: without --force only if no file has it, atomically (link(2)
// fails on an existing name), with --force by rename(2). An output destroyed without commit()
// (an exception on the way) removes its temporary file: a failure leaves nothing behind.
//
// "-" writes to stdout as the pieces come: there, a failure after the first piece leaves the
// pieces already written (the command still exits non-zero).
#include <cstddef>
#include <cstdint>
#include <string>

namespace kms::cli {

class StreamingOutput {
 public:
  // Checks at once that `path` may be written: CliError(LocalFile) when it is a directory, or
  // exists and `force` is false.
  StreamingOutput(std::string path, bool force);
  ~StreamingOutput();
  StreamingOutput(const StreamingOutput&) = delete;
  StreamingOutput& operator=(const StreamingOutput&) = delete;

  void write(const std::uint8_t* data, std::size_t size);
  // Flushes (fsync) and names the file; the output is complete.
  void commit();

  [[nodiscard]] const std::string& path() const noexcept { return path_; }
  [[nodiscard]] bool isStdout() const noexcept { return path_ == "-"; }

  // The check of the constructor, for outputs written whole (OutputFile).
  static void checkTarget(const std::string& path, bool force);

 private:
  void open();
  void discard() noexcept;

  std::string path_;
  bool force_;
  std::string temporary_;
  int fd_ = -1;
  bool committed_ = false;
};

}  // namespace kms::cli
