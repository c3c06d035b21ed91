#pragma once
// kmsd --help, generated from the Settings table so that it lists every flag.
#include <string>

namespace kms::config {

class HelpText {
 public:
  static std::string render();
};

}  // namespace kms::config
