#include "kms/ops/objects/StoredObjectMapper.hpp"

#include <fmt/format.h>

#include "kms/Exception.hpp"
#include "kms/kmip/BinaryCodec.hpp"
#include "kms/ops/attributes/AttributeSet.hpp"

namespace kms::ops::objects {

store::StoredObject StoredObjectMapper::toStored(const ManagedObject& object, const std::vector<std::string>& vendors) {
  store::StoredObject stored;
  stored.uid = object.uid;
  stored.owner = object.owner;
  stored.objectType = static_cast<std::uint32_t>(object.objectType);
  kmip::Ttlv attributes = object.attributes;
  attributes::AttributeSet set(attributes);
  stored.state = static_cast<std::uint32_t>(set.state().value_or(kmip::State::PreActive));
  if (auto algorithm = set.algorithm()) stored.algorithm = static_cast<std::uint32_t>(*algorithm);
  if (auto length = set.length()) stored.length = *length;
  stored.names = set.names();
  stored.tags = set.tags(vendors);
  stored.object = kmip::BinaryCodec::encode(object.object);
  stored.attributes = kmip::BinaryCodec::encode(object.attributes);
  stored.version = object.version;
  stored.wrappingKey = object.wrappingKey;
  return stored;
}

ManagedObject StoredObjectMapper::fromStored(const store::StoredObject& stored) {
  ManagedObject object;
  object.uid = stored.uid;
  object.owner = stored.owner;
  object.objectType = static_cast<kmip::ObjectType>(stored.objectType);
  object.version = stored.version;
  object.wrappingKey = stored.wrappingKey;
  try {
    object.object = kmip::BinaryCodec::decode(stored.object);
    object.attributes = kmip::BinaryCodec::decode(stored.attributes);
  } catch (const Exception&) {
    throw Exception(ErrorCode::InternalError, fmt::format("stored object {} does not decode", stored.uid));
  }
  return object;
}

}  // namespace kms::ops::objects
