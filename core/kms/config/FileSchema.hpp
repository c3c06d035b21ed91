#pragma once
// Interprets a configuration file (TOML or YAML, as a FileNode tree) against the Settings
// table, with Cosmian KMS key names so that an existing kms.toml keeps working.
//
// Unknown keys are refused with one line naming the key: a typo must not silently leave a
// default in place. Cosmian keys that kmsd does not implement yet are known, and split in two:
//  - keys whose absence only removes a feature (logging, UI, Google CSE, ...) are ignored with
//    one warning listing them;
//  - keys whose absence would make the server less safe than configured (Cosmian's API token
//    key, HSMs, key-encryption key, roles, allowlists, audit) are refused, so that kmsd never
//    runs weaker than the file asks.
// Either kind is accepted silently when its value changes nothing: false, 0, "", an empty
// array or a table of such values (Cosmian's sample file carries many of those).
#include <string>
#include <vector>

#include "kms/config/Assignment.hpp"
#include "kms/config/Config.hpp"
#include "kms/config/FileNode.hpp"

namespace kms::config {

class FileSchema {
 public:
  struct Result {
    std::vector<Assignment> assignments;
    std::vector<std::string> warnings;
    // [[hsm_instances]] (a structured key outside the Settings table); empty when absent.
    std::vector<HsmInstanceSettings> hsmInstances;
  };

  // `name` is the file's name, used in messages. Throws ConfigError.
  static Result interpret(const FileNode& root, const std::string& name);
};

}  // namespace kms::config
