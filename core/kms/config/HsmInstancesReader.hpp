#pragma once
// Reads `[[hsm_instances]]` (TOML array of tables, or a YAML list of maps) into
// HsmInstanceSettings. A structured key, so it lives outside the flat Settings table; the same
// value rules apply (a user name as for hsm_admin, a slot as for hsm_slot) and every message
// names the file, the line and the instance.
#include <string>
#include <vector>

#include "kms/config/Config.hpp"
#include "kms/config/FileNode.hpp"

namespace kms::config {

class HsmInstancesReader {
 public:
  // Throws ConfigError on an unknown key or a value of the wrong type.
  static std::vector<HsmInstanceSettings> read(const FileNode& node, const std::string& fileName);
};

}  // namespace kms::config
