#pragma once
// The key subcommands that `sym keys` and `rsa keys` share: export, import, revoke, destroy,
// and how a command finds its key (--key-id, else the one key with all the --tag values).
#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "kms/cli/Context.hpp"

namespace kms::cli::commands {

enum class KeyKind { Symmetric, Rsa };

struct KeySelector {
  std::string keyId;
  std::vector<std::string> tags;
  // -k/--key-id and -t/--tag on `command`.
  void addTo(CLI::App& command, const std::string& idHelp);
  // The UID: keyId, else the one object that Locate finds with the tags.
  std::string resolve(Context& context) const;
};

void addKeyExport(CLI::App& keys, Context& context, KeyKind kind);
void addKeyImport(CLI::App& keys, Context& context, KeyKind kind);
void addKeyRevoke(CLI::App& keys, Context& context);
void addKeyDestroy(CLI::App& keys, Context& context);

// "\n      Unique identifier: <uid>": the indented line of ckms's answers.
std::string uidLine(const std::string& label, const std::string& uid);

// --envelope and --no-envelope (mutually exclusive) of an encrypt command; `wholeFileHelp` says
// what --no-envelope means for that command.
void addEnvelopeFlags(CLI::App& command, bool& envelope, bool& noEnvelope, const std::string& wholeFileHelp);

}  // namespace kms::cli::commands
