#pragma once
// The JSON body of an XKS request, read with kmsd's own pull tokenizer (kmip::JsonReader)
// instead of a DOM: every XKS request is one object of string members and one nested object
// (requestMetadata), and a DOM parser built for any JSON cost more than the AES-GCM operations
// of the request. Members that are not strings (numbers, arrays, ...) are kept as "present but
// not a string", so that validation names them as before; deeper values are skipped, not
// stored. Duplicate members: the last one wins (as most JSON parsers do).
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace kms::kmip {
class JsonReader;
}

namespace kms::integrations::aws_xks {

class XksBody {
 public:
  // nullptr when `json` is not one JSON object (syntax error, another type, trailing data).
  [[nodiscard]] static std::unique_ptr<XksBody> parse(std::string_view json);

  // Present and not null.
  [[nodiscard]] bool has(const std::string& name) const;
  // The member's text; nullptr when absent, null or not a string.
  [[nodiscard]] const std::string* text(const std::string& name) const;
  // The nested object; nullptr when absent or not an object.
  [[nodiscard]] const XksBody* object(const std::string& name) const;

 private:
  struct Member {
    enum class Kind { Null, String, Object, Other } kind = Kind::Null;
    std::string text;
    std::shared_ptr<XksBody> object;
  };
  // Reads the object whose '{' comes next; objects inside are read while `levels` > 1.
  static void read(kmip::JsonReader& reader, XksBody& into, int levels);

  std::map<std::string, Member, std::less<>> members_;
};

}  // namespace kms::integrations::aws_xks
