#pragma once
// The server socket could not be opened (port in use, unknown host, no permission). One line.
#include <stdexcept>
#include <string>

namespace kms::http {

class ListenError : public std::runtime_error {
 public:
  explicit ListenError(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace kms::http
