#include "kms/cli/StreamingOutput.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "kms/cli/CliError.hpp"

namespace kms::cli {
namespace {

[[noreturn]] void fail(const std::string& what, const std::string& path, int error) {
  throw CliError(ExitCode::LocalFile, fmt::format("cannot {} {}: {}", what, path, std::strerror(error)));
}

std::string existsMessage(const std::string& path) {
  return fmt::format("{} exists: remove it, choose another file with -o, or pass --force to overwrite it", path);
}

}  // namespace

void StreamingOutput::checkTarget(const std::string& path, bool force) {
  if (path == "-") return;
  std::error_code ec;
  const auto status = std::filesystem::symlink_status(path, ec);
  if (std::filesystem::is_directory(status)) {
    throw CliError(ExitCode::LocalFile, fmt::format("{} is a directory: name an output file", path));
  }
  if (!force && std::filesystem::exists(status)) throw CliError(ExitCode::LocalFile, existsMessage(path));
}

StreamingOutput::StreamingOutput(std::string path, bool force) : path_(std::move(path)), force_(force) {
  checkTarget(path_, force_);
}

StreamingOutput::~StreamingOutput() {
  if (!committed_) discard();
}

void StreamingOutput::discard() noexcept {
  if (fd_ >= 0 && fd_ != STDOUT_FILENO) ::close(fd_);
  fd_ = -1;
  if (!temporary_.empty()) ::unlink(temporary_.c_str());
  temporary_.clear();
}

void StreamingOutput::open() {
  if (isStdout()) {
    std::cout.flush();  // anything the client printed before goes first
    fd_ = STDOUT_FILENO;
    return;
  }
  std::filesystem::path target(path_);
  const auto directory = target.has_parent_path() ? target.parent_path() : std::filesystem::path(".");
  std::string temporary = (directory / ("." + target.filename().string() + ".kms-XXXXXX")).string();
  // Files the client writes may hold keys or plaintexts: readable by their owner only (mkstemp: 0600).
  const int fd = ::mkstemp(temporary.data());
  if (fd < 0) fail("create a file in", directory.string(), errno);
  fd_ = fd;
  temporary_ = std::move(temporary);
}

void StreamingOutput::write(const std::uint8_t* data, std::size_t size) {
  if (fd_ < 0) open();
  std::size_t left = size;
  while (left > 0) {
    const ssize_t written = ::write(fd_, data, left);
    if (written < 0) {
      if (errno == EINTR) continue;
      const int error = errno;
      if (isStdout()) {
        throw CliError(ExitCode::LocalFile, fmt::format("cannot write to stdout: {}", std::strerror(error)));
      }
      fail("write", path_, error);
    }
    data += written;
    left -= static_cast<std::size_t>(written);
  }
}

void StreamingOutput::commit() {
  if (fd_ < 0) open();  // an empty output is still a file
  if (isStdout()) {
    committed_ = true;
    return;
  }
  int error = 0;
  if (::fsync(fd_) != 0) error = errno;
  if (::close(fd_) != 0 && error == 0) error = errno;
  fd_ = -1;
  if (error == 0) {
    if (force_) {
      if (::rename(temporary_.c_str(), path_.c_str()) != 0) error = errno;
    } else if (::link(temporary_.c_str(), path_.c_str()) != 0) {
      error = errno;
    }
  }
  ::unlink(temporary_.c_str());  // after rename: nothing; after link: the second name
  temporary_.clear();
  if (error == EEXIST) throw CliError(ExitCode::LocalFile, existsMessage(path_));
  if (error != 0) fail("write", path_, error);
  committed_ = true;
}

}  // namespace kms::cli
