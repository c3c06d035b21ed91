#include "kms/ops/attributes/AttributeValues.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

#include <chrono>
#include <sstream>

#include "kms/kmip/Dictionary.hpp"

namespace kms::ops::attributes {

std::int64_t nowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// ---- JSON string arrays (tags) ------------------------------------------------------------

std::optional<std::vector<std::string>> parseJsonStringArray(std::string_view text) {
  try {
    Poco::JSON::Parser parser;
    const Poco::Dynamic::Var parsed = parser.parse(std::string(text));
    const auto& array = parsed.extract<Poco::JSON::Array::Ptr>();
    std::vector<std::string> values;
    values.reserve(array->size());
    for (const auto& item : *array) {
      if (!item.isString()) return std::nullopt;
      values.push_back(item.extract<std::string>());
    }
    return values;
  } catch (const Poco::Exception&) {  // not JSON, or not an array (BadCastException)
    return std::nullopt;
  }
}

std::string formatJsonStringArray(const std::vector<std::string>& values) {
  Poco::JSON::Array array;
  for (const auto& value : values) array.add(value);
  std::ostringstream out;
  array.stringify(out);
  return out.str();
}

std::string stateText(kmip::State state) {
  return kmip::Dictionary::enumText("State", static_cast<std::uint32_t>(state));
}

// ---- attribute rules ----------------------------------------------------------------------

}  // namespace kms::ops::attributes
