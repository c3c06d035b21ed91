#pragma once
// PEM armour of the DER keys the server exports and imports (RFC 7468 labels).
#include <string>

#include "kms/SecureBytes.hpp"

namespace kms::cli {

class Pem {
 public:
  static std::string encode(const kms::SecureBytes& der, const std::string& label);
  // The first PEM block of `text`: its DER and its label ("PUBLIC KEY", ...).
  struct Block {
    std::string label;
    kms::SecureBytes der;
  };
  static Block decode(const std::string& text, const std::string& source);
};

}  // namespace kms::cli
