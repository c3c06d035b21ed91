#pragma once
// Local files of the commands: reading an input ("-" is stdin) and naming the default output
// the way ckms does (the input with its extension replaced: secret.pem -> secret.enc).
#include <string>

#include "kms/SecureBytes.hpp"

namespace kms::cli {

class Files {
 public:
  // The whole file (or stdin for "-"); CliError(LocalFile) naming the file when it cannot be read.
  static kms::SecureBytes read(const std::string& path);
  static std::string readText(const std::string& path);
  // `input` with its last extension replaced by `extension` ("enc", "plain"); "-" stays "-".
  static std::string withExtension(const std::string& input, const std::string& extension);
};

}  // namespace kms::cli
