#include "kms/integrations/aws_xks/XksBody.hpp"

#include "kms/Exception.hpp"
#include "kms/kmip/JsonReader.hpp"

namespace kms::integrations::aws_xks {

std::unique_ptr<XksBody> XksBody::parse(std::string_view json) {
  kmip::JsonReader reader(json);
  auto out = std::make_unique<XksBody>();
  try {
    if (reader.peek() != '{') return nullptr;
    read(reader, *out, 2);  // the members, and requestMetadata's
    if (!reader.atEnd()) return nullptr;
  } catch (const kms::Exception&) {
    return nullptr;  // not JSON: the caller answers ValidationException
  }
  return out;
}

void XksBody::read(kmip::JsonReader& reader, XksBody& into, int levels) {
  reader.expect('{');
  if (reader.consume('}')) return;
  std::string scratch;
  do {
    std::string name(reader.readString(scratch));
    reader.expect(':');
    Member member;
    const char next = reader.peek();
    if (next == '"') {
      member.kind = Member::Kind::String;
      member.text = std::string(reader.readString(scratch));
    } else if (next == '{' && levels > 1) {
      member.kind = Member::Kind::Object;
      member.object = std::make_shared<XksBody>();
      read(reader, *member.object, levels - 1);  // depth bounded by `levels`
    } else if (next == 'n') {
      reader.readLiteral();  // null: as if absent
    } else {
      member.kind = Member::Kind::Other;
      reader.skipValue();
    }
    into.members_[std::move(name)] = std::move(member);
  } while (reader.consume(','));
  reader.expect('}');
}

bool XksBody::has(const std::string& name) const {
  const auto it = members_.find(name);
  return it != members_.end() && it->second.kind != Member::Kind::Null;
}

const std::string* XksBody::text(const std::string& name) const {
  const auto it = members_.find(name);
  return it != members_.end() && it->second.kind == Member::Kind::String ? &it->second.text : nullptr;
}

const XksBody* XksBody::object(const std::string& name) const {
  const auto it = members_.find(name);
  return it != members_.end() && it->second.kind == Member::Kind::Object ? it->second.object.get() : nullptr;
}

}  // namespace kms::integrations::aws_xks
