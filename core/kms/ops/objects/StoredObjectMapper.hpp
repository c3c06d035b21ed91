#pragma once
// ManagedObject <-> store::StoredObject: the object and its Attributes travel as binary TTLV
// blobs (kmip::BinaryCodec); the index columns (type, state, algorithm, length, names, tags)
// are read from the attributes through attributes::AttributeSet.
#include <string>
#include <vector>

#include "kms/ops/objects/ManagedObject.hpp"
#include "kms/store/ObjectStore.hpp"

namespace kms::ops::objects {

class StoredObjectMapper {
 public:
  // `vendors` are the vendor identifications whose `tag` attribute feeds the tag index.
  [[nodiscard]] static store::StoredObject toStored(const ManagedObject& object,
                                                    const std::vector<std::string>& vendors);
  // Throws InternalError when a blob does not decode (a corrupted row is a server fault).
  [[nodiscard]] static ManagedObject fromStored(const store::StoredObject& stored);
};

}  // namespace kms::ops::objects
