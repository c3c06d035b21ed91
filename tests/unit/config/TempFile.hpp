#pragma once
// A file in a fresh temporary directory, removed with its directory at scope exit.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace kms::config::test {

class TempFile {
 public:
  TempFile(std::string_view name, std::string_view content) {
    std::string pattern = (std::filesystem::temp_directory_path() / "kms-config-XXXXXX").string();
    directory_ = ::mkdtemp(pattern.data());
    path_ = (directory_ / name).string();
    std::ofstream(path_, std::ios::binary) << content;
  }
  ~TempFile() {
    std::error_code ignored;
    std::filesystem::remove_all(directory_, ignored);
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  [[nodiscard]] const std::string& path() const noexcept { return path_; }

 private:
  std::filesystem::path directory_;
  std::string path_;
};

}  // namespace kms::config::test
