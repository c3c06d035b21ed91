#pragma once
// Attribute values the handlers compute: DateTime "now", the text of a State, and the JSON
// arrays that carry tags (the Cosmian convention for Locate and Create).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kms/kmip/Enums.hpp"

namespace kms::ops::attributes {

// Now, in seconds since the epoch (KMIP DateTime resolution).
[[nodiscard]] std::int64_t nowSeconds();

// `["a","b"]` -> {"a","b"}. Returns nullopt when the text is not a JSON array of strings.
[[nodiscard]] std::optional<std::vector<std::string>> parseJsonStringArray(std::string_view text);
[[nodiscard]] std::string formatJsonStringArray(const std::vector<std::string>& values);

[[nodiscard]] std::string stateText(kmip::State state);

}  // namespace kms::ops::attributes
