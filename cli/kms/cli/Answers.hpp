#pragma once
// Readers of the server's answers: the values the commands print or write, with a clear
// message when an answer lacks what it should hold.
#include <string>
#include <vector>

#include "kms/SecureBytes.hpp"
#include "kms/kmip/Ttlv.hpp"

namespace kms::cli {

class Answers {
 public:
  using Ttlv = kmip::Ttlv;

  static const std::string& text(const Ttlv& answer, std::string_view tag);
  static const kms::SecureBytes& bytes(const Ttlv& answer, std::string_view tag);
  // The managed object of a Get/Export answer (its tag is the object type or "Object").
  static const Ttlv& object(const Ttlv& answer);
  // The object type's name ("PublicKey", ...), from ObjectType or the object's tag.
  static std::string objectTypeName(const Ttlv& answer);
  // The KeyMaterial ByteString of a key object (clear, not wrapped).
  static const kms::SecureBytes& keyMaterial(const Ttlv& object);
  static std::vector<std::string> uids(const Ttlv& answer);
};

}  // namespace kms::cli
