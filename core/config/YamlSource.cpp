#include "kms/config/YamlSource.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "kms/config/ConfigError.hpp"
#include "kms/config/Printable.hpp"

namespace kms::config {
namespace {

FileNode convert(const YAML::Node& node, const std::string& name) {
  FileNode out;
  out.line = node.Mark().line >= 0 ? node.Mark().line + 1 : 0;
  switch (node.Type()) {
    case YAML::NodeType::Map:
      out.type = FileNode::Type::Table;
      for (const auto& entry : node) {
        if (!entry.first.IsScalar()) {
          throw ConfigError(fmt::format("{}:{}: keys must be plain strings", name, entry.first.Mark().line + 1));
        }
        out.members.emplace_back(entry.first.Scalar(), convert(entry.second, name));
      }
      break;
    case YAML::NodeType::Sequence:
      out.type = FileNode::Type::Array;
      for (const auto& child : node) out.elements.push_back(convert(child, name));
      break;
    case YAML::NodeType::Scalar:
      out.type = FileNode::Type::Untyped;
      out.text = node.Scalar();
      break;
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      out.type = FileNode::Type::Null;
      break;
  }
  return out;
}

}  // namespace

FileNode YamlSource::parse(std::string_view text, const std::string& name) {
  try {
    return convert(YAML::Load(std::string(text)), name);
  } catch (const YAML::Exception& error) {
    throw ConfigError(
        fmt::format("{}:{}:{}: {}", name, error.mark.line + 1, error.mark.column + 1, printable(error.msg)));
  }
}

}  // namespace kms::config
