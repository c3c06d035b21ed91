#pragma once
// A KMIP managed object as the handlers see it: the object itself (e.g. a SymmetricKey with
// its KeyBlock) and its attributes, both as TTLV trees.
#include <cstdint>
#include <string>

#include "kms/kmip/Enums.hpp"
#include "kms/kmip/Ttlv.hpp"

namespace kms::ops::objects {

struct ManagedObject {
  std::string uid;
  std::string owner;
  kmip::ObjectType objectType = kmip::ObjectType::SymmetricKey;
  // The KMIP object structure, tagged by its type name ("SymmetricKey", "PrivateKey", ...).
  // After Destroy it is an empty structure: the key material is gone, the metadata stays.
  kmip::Ttlv object;
  // A structure tagged "Attributes" (KMIP 2.1 form). The State, the dates, Name, usage mask,
  // vendor attributes and tags all live here; see attributes::AttributeSet for typed access.
  kmip::Ttlv attributes;
  std::int64_t version = 0;  // the store's optimistic-concurrency version
  // Canonical hsm:: UID of the key the SERVER wrapped the key material under (DESIGN §8); empty
  // when the material is clear or was wrapped by the client. Only such objects are ever
  // unwrapped by the server: a client-supplied wrapped blob must not turn kmsd into an unwrap
  // oracle for HSM keys the client has no right to.
  std::string wrappingKey;
};

}  // namespace kms::ops::objects
