// kmsd's own operator commands, over its REST routes (no ckms equivalent):
//   kms hsm status                      GET /hsm/status
//   kms tokens create|list|revoke       POST /tokens, GET /tokens, DELETE /tokens/{id}
//   kms admin rewrap                    POST /admin/rewrap (docs/wrapped-keys.md)
// The server decides who may (privileged users, HSM admins); its refusal is the error.
// An API token's secret is printed once, by `tokens create`, on purpose: kmsd keeps only its
// hash, so no later command can show it again.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/URI.h>
#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <memory>

#include "kms/cli/CliError.hpp"
#include "kms/cli/commands/Commands.hpp"

namespace kms::cli::commands {
namespace {

Poco::Dynamic::Var parsed(const std::string& body, const std::string& route) {
  try {
    return Poco::JSON::Parser().parse(body);
  } catch (const Poco::Exception&) {
    throw CliError(ExitCode::ServerRefused, fmt::format("{}: the answer is not JSON", route));
  }
}

Poco::JSON::Object::Ptr objectOf(const std::string& body, const std::string& route) {
  const auto value = parsed(body, route);
  if (value.type() != typeid(Poco::JSON::Object::Ptr)) {
    throw CliError(ExitCode::ServerRefused, fmt::format("{}: the answer is not a JSON object", route));
  }
  return value.extract<Poco::JSON::Object::Ptr>();
}

Poco::JSON::Array::Ptr arrayOf(const std::string& body, const std::string& route) {
  const auto value = parsed(body, route);
  if (value.type() != typeid(Poco::JSON::Array::Ptr)) {
    throw CliError(ExitCode::ServerRefused, fmt::format("{}: the answer is not a JSON array", route));
  }
  return value.extract<Poco::JSON::Array::Ptr>();
}

std::string text(const Poco::JSON::Object::Ptr& object, const std::string& key) {
  return object && object->has(key) && !object->get(key).isEmpty() ? object->get(key).toString() : std::string();
}

// Rows under a header, each column as wide as its widest cell.
std::string table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()), 0);
    for (std::size_t col = 0; col < row.size(); ++col) widths[col] = std::max(widths[col], row[col].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t col = 0; col < row.size(); ++col) {
      line += row[col];
      if (col + 1 < row.size()) line += std::string(widths[col] - row[col].size() + 2, ' ');
    }
    if (!out.empty()) out += "\n";
    out += line;
  }
  return out;
}

std::string yesNo(const Poco::JSON::Object::Ptr& object, const std::string& key) {
  return object && object->has(key) && object->getValue<bool>(key) ? "yes" : "no";
}

void runHsmStatus(Context& context) {
  const std::string route = "GET /hsm/status";
  const auto instances = arrayOf(context.client().get("/hsm/status"), route);
  std::vector<std::vector<std::string>> rows{{"INSTANCE", "MODEL", "AVAILABLE", "SLOT", "ACCESSIBLE", "TOKEN LABEL"}};
  std::vector<std::string> problems;
  for (std::size_t index = 0; index < instances->size(); ++index) {
    const auto instance = instances->getObject(static_cast<unsigned>(index));
    if (!instance) continue;
    const std::string prefix = text(instance, "prefix");
    const std::string model = text(instance, "model");
    if (instance->has("error")) problems.push_back(fmt::format("{}: {}", prefix, text(instance, "error")));
    const auto slots = instance->getArray("slots");
    if (!slots || slots->size() == 0) rows.push_back({prefix, model, yesNo(instance, "available"), "-", "-", ""});
    for (std::size_t s = 0; slots && s < slots->size(); ++s) {
      const auto slot = slots->getObject(static_cast<unsigned>(s));
      if (!slot) continue;
      rows.push_back({prefix, model, yesNo(instance, "available"), text(slot, "slot_id"), yesNo(slot, "accessible"),
                      text(slot, "token_label")});
      if (slot->has("error")) {
        problems.push_back(fmt::format("{} slot {}: {}", prefix, text(slot, "slot_id"), text(slot, "error")));
      }
    }
  }
  std::string human = instances->size() == 0 ? std::string("No HSM is configured.") : table(rows);
  for (const auto& problem : problems) human += "\n" + problem;
  Poco::JSON::Object fields;
  fields.set("instances", instances);
  context.printer().result(human, fields);
}

void addHsm(CLI::App& root, Context& context) {
  auto* hsm = root.add_subcommand("hsm", "The server's HSMs");
  hsm->require_subcommand(1);
  auto* status = hsm->add_subcommand("status", "Show the HSM instances, their slots and tokens (GET /hsm/status)");
  status->callback([&context] { runHsmStatus(context); });
}

// --- tokens ---------------------------------------------------------------------------------

void runTokenCreate(Context& context, const std::string& user) {
  Poco::JSON::Object request;
  request.set("user", user);
  std::ostringstream body;
  request.stringify(body);
  const auto answer = objectOf(context.client().post("/tokens", body.str()), "POST /tokens");
  const std::string id = text(answer, "id");
  const std::string token = text(answer, "token");
  if (id.empty() || token.empty()) throw CliError(ExitCode::ServerRefused, "POST /tokens: no token in the answer");
  const auto printer = context.printer();
  if (context.quiet && !context.json) {
    // For scripts: TOKEN=$(kms -q tokens create -u svc). The secret is the output.
    std::cout << token << '\n' << std::flush;
    return;
  }
  Poco::JSON::Object fields;
  fields.set("id", id);
  fields.set("user", text(answer, "user"));
  fields.set("token", token);
  printer.result(fmt::format("The API token was created.\n      Token identifier: {}\n      User: {}\n      Token: {}\n"
                             "It is shown only this once: keep it now.",
                             id, text(answer, "user"), token),
                 fields);
}

void runTokenList(Context& context) {
  const auto tokens = arrayOf(context.client().get("/tokens"), "GET /tokens");
  std::vector<std::vector<std::string>> rows{{"ID", "USER", "CREATED", "REVOKED"}};
  for (std::size_t index = 0; index < tokens->size(); ++index) {
    const auto token = tokens->getObject(static_cast<unsigned>(index));
    if (!token) continue;
    const std::string revoked = text(token, "revoked");
    rows.push_back({text(token, "id"), text(token, "user"), text(token, "created"), revoked.empty() ? "-" : revoked});
  }
  Poco::JSON::Object fields;
  fields.set("tokens", tokens);
  context.printer().result(tokens->size() == 0 ? std::string("No API token.") : table(rows), fields);
}

void runTokenRevoke(Context& context, const std::string& id) {
  std::string path;
  Poco::URI::encode(id, "/?#%&+ ", path);
  context.client().del("/tokens/" + path);
  Poco::JSON::Object fields;
  fields.set("id", id);
  fields.set("revoked", true);
  context.printer().result(fmt::format("The API token {} was revoked.", id), fields);
}

void addTokens(CLI::App& root, Context& context) {
  auto* tokens = root.add_subcommand("tokens", "Create, list and revoke kmsd API tokens (privileged users)");
  tokens->require_subcommand(1);
  auto user = std::make_shared<std::string>();
  auto* create = tokens->add_subcommand("create", "Create an API token for a user: its secret is shown once");
  create->add_option("-u,--user", *user, "The user the token acts as")->required();
  create->callback([&context, user] { runTokenCreate(context, *user); });
  auto* list = tokens->add_subcommand("list", "List the API tokens (identifiers and users, never secrets)");
  list->callback([&context] { runTokenList(context); });
  auto id = std::make_shared<std::string>();
  auto* revoke = tokens->add_subcommand("revoke", "Revoke an API token: it no longer authenticates");
  revoke->add_option("token_id", *id, "The token's identifier (kms tokens list)")->required();
  revoke->callback([&context, id] { runTokenRevoke(context, *id); });
}

// --- admin ----------------------------------------------------------------------------------

struct RewrapOptions {
  std::string from;
  std::string to;
  std::optional<std::int64_t> limit;
};

std::uint64_t count(const Poco::JSON::Object::Ptr& object, const std::string& key) {
  if (!object->has(key)) return 0;
  try {
    return object->getValue<std::uint64_t>(key);
  } catch (const Poco::Exception&) {
    throw CliError(ExitCode::ServerRefused, fmt::format("POST /admin/rewrap: {} is not a count", key));
  }
}

void runRewrap(Context& context, const RewrapOptions& options) {
  Poco::JSON::Object request;
  request.set("from", options.from);
  request.set("to", options.to);
  if (options.limit) request.set("limit", *options.limit);
  std::ostringstream body;
  request.stringify(body);
  const auto answer = objectOf(context.client().post("/admin/rewrap", body.str()), "POST /admin/rewrap");
  const auto rewrapped = count(answer, "rewrapped");
  const auto failed = count(answer, "failed");
  const auto remaining = count(answer, "remaining");
  Poco::JSON::Object fields;
  fields.set("from", options.from);
  fields.set("to", options.to);
  fields.set("rewrapped", rewrapped);
  fields.set("failed", failed);
  fields.set("remaining", remaining);
  context.printer().result(fmt::format("{} key(s) re-wrapped from {} to {}.\n      Failed: {}\n      Remaining: {}",
                                       rewrapped, options.from, options.to, failed, remaining),
                           fields);
  if (failed > 0) {
    throw CliError(ExitCode::ServerRefused,
                   fmt::format("{} key(s) could not be re-wrapped (the server log says why); run it again", failed));
  }
}

void addAdmin(CLI::App& root, Context& context) {
  auto* admin = root.add_subcommand("admin", "Server administration");
  admin->require_subcommand(1);
  auto options = std::make_shared<RewrapOptions>();
  auto* rewrap = admin->add_subcommand(
      "rewrap", "Re-wrap the keys wrapped by one HSM key under another (POST /admin/rewrap; HSM admins)");
  rewrap->add_option("-f,--from", options->from, "The HSM key that wraps the keys now (hsm::...)")->required();
  rewrap->add_option("-t,--to", options->to, "The HSM key to wrap them with (the same key: migrate legacy wraps)")
      ->required();
  rewrap->add_option("-l,--limit", options->limit, "At most this many keys in this call (default: all)")
      ->check(CLI::NonNegativeNumber);
  rewrap->callback([&context, options] { runRewrap(context, *options); });
}

}  // namespace

void addOperators(CLI::App& root, Context& context) {
  addHsm(root, context);
  addTokens(root, context);
  addAdmin(root, context);
}

}  // namespace kms::cli::commands
