#include "kms/cli/InputFile.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "kms/cli/CliError.hpp"

namespace kms::cli {

InputFile::InputFile(std::string path) : path_(std::move(path)) {
  if (path_ == "-") {
    fd_ = STDIN_FILENO;
  } else {
    fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) throw CliError(ExitCode::LocalFile, fmt::format("cannot read {}: {}", path_, std::strerror(errno)));
  }
  struct stat status {};
  if (::fstat(fd_, &status) == 0) {
    if (S_ISDIR(status.st_mode)) {
      if (fd_ != STDIN_FILENO) ::close(fd_);
      throw CliError(ExitCode::LocalFile, fmt::format("{} is a directory, not a file", path_));
    }
    if (S_ISREG(status.st_mode)) size_ = static_cast<std::uint64_t>(status.st_size);
  }
#ifdef POSIX_FADV_SEQUENTIAL
  if (size_) ::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
}

InputFile::~InputFile() {
  if (fd_ >= 0 && fd_ != STDIN_FILENO) ::close(fd_);
}

std::size_t InputFile::read(std::uint8_t* data, std::size_t size) {
  std::size_t done = 0;
  while (done < size && !ended_) {
    const ssize_t got = ::read(fd_, data + done, size - done);
    if (got < 0) {
      if (errno == EINTR) continue;
      throw CliError(ExitCode::LocalFile, fmt::format("cannot read {}: {}", name(), std::strerror(errno)));
    }
    if (got == 0) {
      ended_ = true;
      break;
    }
    done += static_cast<std::size_t>(got);
  }
  return done;
}

void InputFile::readRest(kms::SecureBytes& out) {
  constexpr std::size_t kStep = 1 << 20;
  while (!ended_) {
    const std::size_t start = out.size();
    // Grows by doubling (amortized), but a SecureBytes reallocation wipes the old buffer.
    out.resize(start + kStep);
    const std::size_t got = read(out.data() + start, kStep);
    out.resize(start + got);
  }
}

}  // namespace kms::cli
