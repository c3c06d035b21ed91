#include "kms/cli/OutputFile.hpp"

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

OutputFile::OutputFile(std::string path, bool force) : path_(std::move(path)), force_(force) {
  if (isStdout()) return;
  std::error_code ec;
  const auto status = std::filesystem::symlink_status(path_, ec);
  if (std::filesystem::is_directory(status)) {
    throw CliError(ExitCode::LocalFile, fmt::format("{} is a directory: name an output file", path_));
  }
  if (!force_ && std::filesystem::exists(status)) throw CliError(ExitCode::LocalFile, existsMessage(path_));
}

void OutputFile::commit(const kms::SecureBytes& data) const {
  commit(data.data(), data.size());
}

void OutputFile::commit(const std::string& text) const {
  commit(text.data(), text.size());
}

void OutputFile::commit(const void* data, std::size_t size) const {
  if (isStdout()) {
    std::cout.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
    std::cout.flush();
    if (!std::cout) throw CliError(ExitCode::LocalFile, "cannot write to stdout");
    return;
  }
  std::filesystem::path target(path_);
  const auto directory = target.has_parent_path() ? target.parent_path() : std::filesystem::path(".");
  std::string temporary = (directory / ("." + target.filename().string() + ".kms-XXXXXX")).string();
  // Files the client writes may hold keys or plaintexts: readable by their owner only.
  const int fd = ::mkstemp(temporary.data());
  if (fd < 0) fail("create a file in", directory.string(), errno);
  const auto* cursor = static_cast<const char*>(data);
  std::size_t left = size;
  int error = 0;
  while (left > 0) {
    const ssize_t written = ::write(fd, cursor, left);
    if (written < 0) {
      if (errno == EINTR) continue;
      error = errno;
      break;
    }
    cursor += written;
    left -= static_cast<std::size_t>(written);
  }
  if (error == 0 && ::fsync(fd) != 0) error = errno;
  if (::close(fd) != 0 && error == 0) error = errno;
  if (error == 0) {
    if (force_) {
      if (::rename(temporary.c_str(), path_.c_str()) != 0) error = errno;
    } else if (::link(temporary.c_str(), path_.c_str()) != 0) {
      error = errno;
    }
  }
  ::unlink(temporary.c_str());  // after rename: nothing; after link: the second name
  if (error == EEXIST) throw CliError(ExitCode::LocalFile, existsMessage(path_));
  if (error != 0) fail("write", path_, error);
}

}  // namespace kms::cli
