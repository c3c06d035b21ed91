#include "kms/config/HsmInstancesReader.hpp"

#include <fmt/format.h>

#include "kms/config/ConfigError.hpp"
#include "kms/config/Printable.hpp"
#include "kms/config/ValueParser.hpp"

namespace kms::config {
namespace {

using Type = FileNode::Type;

class InstanceReader {
 public:
  InstanceReader(const std::string& fileName, std::size_t index) : fileName_(fileName), index_(index) {}

  HsmInstanceSettings read(const FileNode& table) {
    HsmInstanceSettings out;
    out.origin = fmt::format("{}: hsm_instances[{}]", where(table), index_);
    if (table.type != Type::Table) {
      throw ConfigError(fmt::format("{}: each HSM instance must be a table", out.origin));
    }
    for (const auto& [key, value] : table.members) {
      const std::string origin = fmt::format("{}: hsm_instances[{}].{}", where(value), index_, key);
      if (key == "hsm_model") {
        out.model = text(value, origin);
      } else if (key == "hsm_admin") {
        for (const auto* item : elements(value)) out.admins.push_back(ValueParser::user(text(*item, origin), origin));
      } else if (key == "hsm_slot") {
        for (const auto* item : elements(value)) {
          if (item->type != Type::Integer && item->type != Type::Untyped) {
            throw ConfigError(fmt::format("{}: expected an array of integers", origin));
          }
          out.slots.push_back(ValueParser::slot(item->text, origin));
        }
      } else if (key == "hsm_password") {
        // Never echoed: a misplaced value may be a PIN.
        for (const auto* item : elements(value)) out.passwords.push_back(text(*item, origin));
      } else if (key == "hsm_password_file") {
        out.passwordFile = text(value, origin);
      } else if (key == "hsm_library") {
        out.library = text(value, origin);
      } else if (key == "critical") {
        if (value.type != Type::Boolean && value.type != Type::Untyped) {
          throw ConfigError(fmt::format("{}: expected true or false", origin));
        }
        out.critical = ValueParser::boolean(value.text, origin);
      } else if (key == "settings") {
        if (value.type != Type::Table) throw ConfigError(fmt::format("{}: expected a table of name = value", origin));
        for (const auto& [name, setting] : value.members) {
          if (setting.type == Type::Table || setting.type == Type::Array || setting.type == Type::Null) {
            throw ConfigError(fmt::format("{}.{}: expected a string, number or boolean", origin, printable(name)));
          }
          out.settings.emplace_back(name, setting.text);
        }
      } else {
        throw ConfigError(
            fmt::format("{}: unknown key '{}' (hsm_model, hsm_admin, hsm_slot, hsm_password, "
                        "hsm_password_file, hsm_library, critical, settings)",
                        where(value), printable(key)));
      }
    }
    return out;
  }

 private:
  // A single value counts as a one-element array, as for the flat keys.
  static std::vector<const FileNode*> elements(const FileNode& node) {
    std::vector<const FileNode*> out;
    if (node.type == Type::Array) {
      for (const auto& element : node.elements) out.push_back(&element);
    } else if (node.type != Type::Null) {
      out.push_back(&node);
    }
    return out;
  }

  static std::string text(const FileNode& node, const std::string& origin) {
    if (node.type != Type::String && node.type != Type::Untyped) {
      throw ConfigError(fmt::format("{}: expected a string", origin));
    }
    return node.text;
  }

  std::string where(const FileNode& node) const {
    return node.line > 0 ? fmt::format("{}:{}", fileName_, node.line) : fileName_;
  }

  const std::string& fileName_;
  std::size_t index_;
};

}  // namespace

std::vector<HsmInstanceSettings> HsmInstancesReader::read(const FileNode& node, const std::string& fileName) {
  std::vector<HsmInstanceSettings> out;
  if (node.type == Type::Null) return out;
  if (node.type != Type::Array) {
    throw ConfigError(
        fmt::format("{}:{}: hsm_instances must be an array of tables ([[hsm_instances]])", fileName, node.line));
  }
  for (std::size_t i = 0; i < node.elements.size(); ++i) {
    out.push_back(InstanceReader(fileName, i).read(node.elements[i]));
  }
  return out;
}

}  // namespace kms::config
