#pragma once
// Parses kms.toml text into a FileNode tree.
#include <string>
#include <string_view>

#include "kms/config/FileNode.hpp"

namespace kms::config {

class TomlSource {
 public:
  // `name` is the file's name, used in messages. Throws ConfigError on a syntax error.
  static FileNode parse(std::string_view text, const std::string& name);
};

}  // namespace kms::config
