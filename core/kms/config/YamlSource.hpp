#pragma once
// Parses kms.yaml text (the same keys as kms.toml) into a FileNode tree.
#include <string>
#include <string_view>

#include "kms/config/FileNode.hpp"

namespace kms::config {

class YamlSource {
 public:
  // `name` is the file's name, used in messages. Throws ConfigError on a syntax error.
  static FileNode parse(std::string_view text, const std::string& name);
};

}  // namespace kms::config
