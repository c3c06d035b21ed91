#pragma once
// Echoing user input in a one-line error message: control characters (a newline in a flag
// value would split the line) are escaped and very long values are cut.
#include <string>
#include <string_view>

namespace kms::config {

std::string printable(std::string_view text);

}  // namespace kms::config
