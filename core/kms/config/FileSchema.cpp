#include "kms/config/FileSchema.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <array>
#include <string_view>

#include "kms/config/ConfigError.hpp"
#include "kms/config/HsmInstancesReader.hpp"
#include "kms/config/Printable.hpp"

namespace kms::config {
namespace {

enum class Deferral { Ignored, Refused };

struct DeferredKey {
  std::string_view path;  // a key, or a whole section (every key below it)
  Deferral deferral;
};

// Cosmian KMS keys kmsd does not implement yet. Later issues move rows from here to Settings.
constexpr std::array kDeferredKeys{
    // Ignoring these would weaken the server: refuse.
    DeferredKey{"http.api_token_id", Deferral::Refused},
    DeferredKey{"http.rate_limit_per_second", Deferral::Refused},
    DeferredKey{"roles", Deferral::Refused},
    DeferredKey{"kmip", Deferral::Refused},
    // Ignoring these only leaves a feature out: warn.
    DeferredKey{"info", Deferral::Ignored},
    DeferredKey{"google_cse_kacls_url", Deferral::Ignored},
    DeferredKey{"google_cse_disable_tokens_validation", Deferral::Ignored},
    DeferredKey{"default_unwrap_type", Deferral::Ignored},
    DeferredKey{"non_revocable_key_id", Deferral::Ignored},
    DeferredKey{"metrics_count_interval_secs", Deferral::Ignored},
    DeferredKey{"http.http_workers", Deferral::Ignored},
    DeferredKey{"http.cors_allowed_origins", Deferral::Ignored},
    DeferredKey{"db.clear_database", Deferral::Ignored},
    DeferredKey{"db.redis_master_password", Deferral::Ignored},
    DeferredKey{"db.redis_findex_label", Deferral::Ignored},
    DeferredKey{"proxy", Deferral::Ignored},
    DeferredKey{"workspace", Deferral::Ignored},
    DeferredKey{"logging.rust_log", Deferral::Ignored},
    DeferredKey{"logging.otlp", Deferral::Ignored},
    DeferredKey{"logging.quiet", Deferral::Ignored},
    DeferredKey{"logging.log_to_syslog", Deferral::Ignored},
    DeferredKey{"logging.rolling_log_dir", Deferral::Ignored},
    DeferredKey{"logging.rolling_log_name", Deferral::Ignored},
    DeferredKey{"logging.enable_metering", Deferral::Ignored},
    DeferredKey{"logging.environment", Deferral::Ignored},
    DeferredKey{"logging.ansi_colors", Deferral::Ignored},
    DeferredKey{"telemetry", Deferral::Ignored},
    DeferredKey{"ui_config", Deferral::Ignored},
    // Token validation is never turned off, and migration from another KACLS is not offered.
    DeferredKey{"google_cse_config.google_cse_disable_tokens_validation", Deferral::Ignored},
    DeferredKey{"google_cse_config.google_cse_incoming_url_whitelist", Deferral::Ignored},
    DeferredKey{"google_cse_config.google_cse_migration_key", Deferral::Ignored},
    DeferredKey{"azure_ekm_config", Deferral::Ignored},
    DeferredKey{"notifications", Deferral::Ignored},
    DeferredKey{"jwks_endpoint", Deferral::Ignored},
    DeferredKey{"auth_verifier", Deferral::Ignored},
    DeferredKey{"vault", Deferral::Ignored},
    DeferredKey{"crl", Deferral::Ignored},
    DeferredKey{"ocsp", Deferral::Ignored},
};

// Sections whose keys are settings (the top level is the other place settings live).
constexpr std::array<std::string_view, 10> kSections{
    "http",           "socket_server",     "db",   "logging", "tls", "idp_auth", "ms_dke_config",
    "aws_xks_config", "google_cse_config", "audit"};

const DeferredKey* findDeferred(std::string_view path) noexcept {
  for (const auto& key : kDeferredKeys) {
    if (path == key.path) return &key;
  }
  return nullptr;
}

// The first value below `node` that would change something, or nullptr when none does.
const FileNode* firstEffective(const FileNode& node, std::string& path) {
  switch (node.type) {
    case FileNode::Type::Table:
      for (const auto& [key, child] : node.members) {
        std::string childPath = path;
        childPath.append(".").append(key);
        if (const FileNode* found = firstEffective(child, childPath)) {
          path = std::move(childPath);
          return found;
        }
      }
      return nullptr;
    case FileNode::Type::Array:
      return node.elements.empty() ? nullptr : &node;
    case FileNode::Type::Null:
      return nullptr;
    default:
      return node.text.empty() || node.text == "false" || node.text == "0" ? nullptr : &node;
  }
}

std::string_view typeName(FileNode::Type type) {
  switch (type) {
    case FileNode::Type::Table:
      return "a table";
    case FileNode::Type::Array:
      return "an array";
    case FileNode::Type::String:
      return "a string";
    case FileNode::Type::Integer:
      return "an integer";
    case FileNode::Type::Float:
      return "a float";
    case FileNode::Type::Boolean:
      return "a boolean";
    case FileNode::Type::Date:
      return "a date";
    case FileNode::Type::Untyped:
      return "a scalar";
    case FileNode::Type::Null:
      return "empty";
  }
  return "a value";
}

bool accepts(ValueKind kind, FileNode::Type type) {
  if (type == FileNode::Type::Untyped) return true;
  switch (kind) {
    case ValueKind::Text:
      return type == FileNode::Type::String;
    case ValueKind::Integer:
      return type == FileNode::Type::Integer;
    case ValueKind::IntegerOrText:
      return type == FileNode::Type::Integer || type == FileNode::Type::String;
    case ValueKind::Boolean:
      return type == FileNode::Type::Boolean;
    case ValueKind::TextList:
      return type == FileNode::Type::String;  // each element
    case ValueKind::IntegerList:
      return type == FileNode::Type::Integer;  // each element
  }
  return false;
}

std::string_view expected(ValueKind kind) {
  switch (kind) {
    case ValueKind::Text:
      return "a string";
    case ValueKind::Integer:
      return "an integer";
    case ValueKind::IntegerOrText:
      return "an integer or a string";
    case ValueKind::Boolean:
      return "true or false";
    case ValueKind::TextList:
      return "an array of strings";
    case ValueKind::IntegerList:
      return "an array of integers";
  }
  return "a value";
}

class Interpreter {
 public:
  explicit Interpreter(const std::string& name) : name_(name) {}

  void root(const FileNode& node) {
    if (node.type == FileNode::Type::Null) return;  // an empty YAML file
    if (node.type != FileNode::Type::Table) {
      throw ConfigError(fmt::format("{}: expected a table of settings at the top level", name_));
    }
    for (const auto& [key, child] : node.members) {
      if (key == "hsm_instances") {
        result_.hsmInstances = HsmInstancesReader::read(child, name_);
      } else if (isSection(key)) {
        section(key, child);
      } else {
        entry(key, child);
      }
    }
    if (!ignored_.empty()) {
      result_.warnings.push_back(
          fmt::format("{}: ignoring settings kmsd does not support yet: {}", name_, fmt::join(ignored_, ", ")));
    }
  }

  FileSchema::Result take() { return std::move(result_); }

 private:
  static bool isSection(std::string_view key) {
    for (auto section : kSections) {
      if (key == section) return true;
    }
    return false;
  }

  void section(const std::string& key, const FileNode& node) {
    if (node.type == FileNode::Type::Null) return;  // "http:" with nothing below, in YAML
    if (node.type != FileNode::Type::Table) {
      throw ConfigError(fmt::format("{}: '{}' must be a table, not {}", where(node), key, typeName(node.type)));
    }
    for (const auto& [childKey, child] : node.members) entry(std::string(key).append(".").append(childKey), child);
  }

  void entry(const std::string& path, const FileNode& node) {
    if (const Setting* setting = Settings::byPath(path)) {
      const bool list = setting->kind == ValueKind::TextList || setting->kind == ValueKind::IntegerList;
      if (list && node.type == FileNode::Type::Array) {
        // An empty array leaves the default (an empty list) in place: no assignment.
        for (const FileNode& element : node.elements) {
          if (!accepts(setting->kind, element.type)) {
            throw ConfigError(fmt::format("{}: {}: expected {}, not an array holding {}", where(element), path,
                                          expected(setting->kind), typeName(element.type)));
          }
          result_.assignments.push_back(Assignment{setting, element.text, fmt::format("{}: {}", where(element), path)});
        }
        return;
      }
      if (!accepts(setting->kind, node.type)) {
        throw ConfigError(fmt::format("{}: {}: expected {}, not {}", where(node), path, expected(setting->kind),
                                      typeName(node.type)));
      }
      result_.assignments.push_back(Assignment{setting, node.text, fmt::format("{}: {}", where(node), path)});
      return;
    }
    const DeferredKey* deferred = findDeferred(path);
    if (deferred == nullptr) {
      throw ConfigError(fmt::format("{}: unknown key '{}'", where(node), printable(path)));
    }
    std::string effectivePath = path;
    const FileNode* effective = firstEffective(node, effectivePath);
    if (effective == nullptr) return;  // false, 0, "", []: nothing to honour
    if (deferred->deferral == Deferral::Refused) {
      throw ConfigError(fmt::format("{}: '{}' is not supported by this build yet; refusing to start without it",
                                    where(*effective), printable(effectivePath)));
    }
    ignored_.push_back(path);
  }

  std::string where(const FileNode& node) const {
    return node.line > 0 ? fmt::format("{}:{}", name_, node.line) : name_;
  }

  const std::string& name_;
  FileSchema::Result result_;
  std::vector<std::string> ignored_;
};

}  // namespace

FileSchema::Result FileSchema::interpret(const FileNode& root, const std::string& name) {
  Interpreter interpreter(name);
  interpreter.root(root);
  return interpreter.take();
}

}  // namespace kms::config
