#include "kms/config/YamlSource.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "kms/config/ConfigError.hpp"
#include "kms/config/Printable.hpp"

namespace kms::config {
namespace {

// yaml-cpp resolves aliases to shared nodes: an alias inside its own anchor makes the tree a
// cycle, and aliases of aliases expand exponentially. Both bounds are far above any real
// kms.yaml (found by tests/fuzz: the cycle overflowed the stack).
constexpr int kMaxDepth = 64;
constexpr std::size_t kMaxValues = 100'000;

struct Budget {
  const std::string& name;
  std::size_t values = 0;
};

FileNode convert(const YAML::Node& node, Budget& budget, int depth) {
  const std::string& name = budget.name;
  FileNode out;
  out.line = node.Mark().line >= 0 ? node.Mark().line + 1 : 0;
  if (depth > kMaxDepth) {
    throw ConfigError(fmt::format("{}:{}: nested deeper than {} levels (or an alias inside its own anchor)", name,
                                  out.line, kMaxDepth));
  }
  if (++budget.values > kMaxValues) {
    throw ConfigError(fmt::format("{}:{}: more than {} values once aliases are expanded", name, out.line, kMaxValues));
  }
  switch (node.Type()) {
    case YAML::NodeType::Map:
      out.type = FileNode::Type::Table;
      for (const auto& entry : node) {
        if (!entry.first.IsScalar()) {
          throw ConfigError(fmt::format("{}:{}: keys must be plain strings", name, entry.first.Mark().line + 1));
        }
        out.members.emplace_back(entry.first.Scalar(), convert(entry.second, budget, depth + 1));
      }
      break;
    case YAML::NodeType::Sequence:
      out.type = FileNode::Type::Array;
      for (const auto& child : node) out.elements.push_back(convert(child, budget, depth + 1));
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
    Budget budget{name};
    return convert(YAML::Load(std::string(text)), budget, 0);
  } catch (const YAML::Exception& error) {
    throw ConfigError(
        fmt::format("{}:{}:{}: {}", name, error.mark.line + 1, error.mark.column + 1, printable(error.msg)));
  }
}

}  // namespace kms::config
