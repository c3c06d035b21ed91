#include "kms/cli/Files.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>

#include "kms/cli/CliError.hpp"

namespace kms::cli {

kms::SecureBytes Files::read(const std::string& path) {
  kms::SecureBytes out;
  if (path == "-") {
    char buffer[65536];
    while (std::cin.read(buffer, sizeof buffer) || std::cin.gcount() > 0) {
      out.insert(out.end(), buffer, buffer + std::cin.gcount());
    }
    return out;
  }
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw CliError(ExitCode::LocalFile, fmt::format("{} is a directory, not a file", path));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw CliError(ExitCode::LocalFile, fmt::format("cannot read {}: {}", path, std::strerror(errno)));
  in.seekg(0, std::ios::end);
  const auto size = in.tellg();
  in.seekg(0, std::ios::beg);
  if (size > 0) {
    out.resize(static_cast<std::size_t>(size));
    in.read(reinterpret_cast<char*>(out.data()), size);
  }
  if (in.bad()) throw CliError(ExitCode::LocalFile, fmt::format("cannot read {}", path));
  return out;
}

std::string Files::readText(const std::string& path) {
  const auto bytes = read(path);
  return std::string(bytes.begin(), bytes.end());
}

std::string Files::withExtension(const std::string& input, const std::string& extension) {
  if (input == "-") return input;
  std::filesystem::path path(input);
  path.replace_extension(extension);
  return path.string();
}

}  // namespace kms::cli
