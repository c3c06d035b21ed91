#include "kms/config/TomlSource.hpp"

#include <fmt/format.h>

#include <sstream>
#include <toml++/toml.h>

#include "kms/config/ConfigError.hpp"
#include "kms/config/Printable.hpp"

namespace kms::config {
namespace {

FileNode convert(const toml::node& node) {
  FileNode out;
  out.line = static_cast<int>(node.source().begin.line);
  switch (node.type()) {
    case toml::node_type::table:
      out.type = FileNode::Type::Table;
      for (const auto& [key, child] : *node.as_table()) {
        out.members.emplace_back(std::string(key.str()), convert(child));
      }
      break;
    case toml::node_type::array:
      out.type = FileNode::Type::Array;
      for (const auto& child : *node.as_array()) out.elements.push_back(convert(child));
      break;
    case toml::node_type::string:
      out.type = FileNode::Type::String;
      out.text = node.as_string()->get();
      break;
    case toml::node_type::integer:
      out.type = FileNode::Type::Integer;
      out.text = std::to_string(node.as_integer()->get());
      break;
    case toml::node_type::floating_point:
      out.type = FileNode::Type::Float;
      out.text = fmt::format("{}", node.as_floating_point()->get());
      break;
    case toml::node_type::boolean:
      out.type = FileNode::Type::Boolean;
      out.text = node.as_boolean()->get() ? "true" : "false";
      break;
    default: {
      out.type = FileNode::Type::Date;
      std::ostringstream text;
      node.visit([&text](const auto& value) { text << value; });
      out.text = text.str();
      break;
    }
  }
  return out;
}

}  // namespace

FileNode TomlSource::parse(std::string_view text, const std::string& name) {
  try {
    const toml::table table = toml::parse(text, name);
    return convert(table);
  } catch (const toml::parse_error& error) {
    const auto& where = error.source().begin;
    throw ConfigError(fmt::format("{}:{}:{}: {}", name, where.line, where.column, printable(error.description())));
  }
}

}  // namespace kms::config
