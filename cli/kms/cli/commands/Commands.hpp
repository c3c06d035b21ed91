#pragma once
// The command groups: each adds its subcommands to the parser. One file per group.
#include <CLI/CLI.hpp>

#include <string>

#include "kms/cli/Context.hpp"

namespace kms::cli::commands {

void addSym(CLI::App& root, Context& context);           // sym keys ..., sym encrypt|decrypt
void addRsa(CLI::App& root, Context& context);           // rsa keys ..., rsa encrypt|decrypt
void addObjects(CLI::App& root, Context& context);       // get-attributes, locate
void addServerInfo(CLI::App& root, Context& context);    // server-version
void addAccessRights(CLI::App& root, Context& context);  // access-rights grant|revoke|list|owned|obtained
void addAttributes(CLI::App& root, Context& context);    // attributes get|set|modify|add|delete, set-attribute, ...
void addConfigure(CLI::App& root, Context& context);     // configure
void addOperators(CLI::App& root, Context& context);     // hsm status, tokens create|list|revoke, admin rewrap
// wrap|unwrap under `sym keys` and `rsa keys` (after addSym and addRsa made those groups).
void addKeyWrapping(CLI::App& root, Context& context);

// get-attributes, under `parent` as `name` (Objects.cpp; `attributes get` is the same command).
void addGetAttributes(CLI::App& parent, Context& context, const std::string& name);

}  // namespace kms::cli::commands
