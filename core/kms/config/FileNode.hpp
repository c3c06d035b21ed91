#pragma once
// A configuration file as a neutral tree, so that TOML and YAML are interpreted by the same
// code (FileSchema) and cannot drift apart.
#include <string>
#include <utility>
#include <vector>

namespace kms::config {

struct FileNode {
  enum class Type {
    Table,
    Array,
    String,
    Integer,
    Float,
    Boolean,
    Date,     // TOML dates and times
    Untyped,  // a YAML scalar: text whose type the reader decides
    Null,     // a YAML null or an empty YAML document
  };

  // Declared here, defined below the class: clang with libstdc++ (the fuzz build) cannot
  // instantiate the members' vector of pairs while FileNode is still incomplete.
  FileNode();

  Type type = Type::Null;
  std::string text;                                       // scalars; Boolean as "true"/"false"
  int line = 0;                                           // 1-based; 0 when unknown
  std::vector<std::pair<std::string, FileNode>> members;  // Table, in the reader's order
  std::vector<FileNode> elements;                         // Array
};

inline FileNode::FileNode() = default;

}  // namespace kms::config
