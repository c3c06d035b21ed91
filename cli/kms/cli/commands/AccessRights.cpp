// kms access-rights grant|revoke|list|owned|obtained: who may use an object, over kmsd's
// access-rights REST routes (Cosmian's: /access/grant, /access/revoke, /access/list/{id},
// /access/owned, /access/obtained). --json prints the server's JSON as it is.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/URI.h>
#include <fmt/format.h>

#include <cctype>
#include <iostream>
#include <memory>
#include <sstream>
#include <string_view>

#include "kms/cli/CliError.hpp"
#include "kms/cli/commands/Commands.hpp"
#include "kms/kmip/Dictionary.hpp"

namespace kms::cli::commands {
namespace {

// The rights kmsd checks are the KMIP operation names, lowercase without separators (Cosmian's
// KmipOperation). Any spelling of an Operation the codec's dictionary knows is taken
// ("Get_Attributes", "SignatureVerify") and normalised; anything else is a usage error here.
constexpr std::string_view kCommonRights =
    "create, get, encrypt, decrypt, import, revoke, locate, rekey, destroy, export, sign, "
    "signatureverify, mac, macverify, getattributes, setattribute, addattribute, "
    "modifyattribute, deleteattribute, activate";

std::string normalisedRight(const std::string& name) {
  const auto code = kmip::Dictionary::enumValue("Operation", name);
  if (!code) throw CLI::ValidationError(fmt::format("{} is not a KMIP operation name ({}, ...)", name, kCommonRights));
  std::string right;
  for (const char c : kmip::Dictionary::enumText("Operation", *code)) {
    right.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return right;
}

Poco::Dynamic::Var parsed(const std::string& body, const std::string& route) {
  try {
    return Poco::JSON::Parser().parse(body);
  } catch (const Poco::Exception&) {
    throw CliError(ExitCode::ServerRefused, fmt::format("{}: the answer is not JSON", route));
  }
}

std::string text(const Poco::JSON::Object::Ptr& object, const std::string& key) {
  return object && object->has(key) ? object->get(key).toString() : std::string();
}

std::string joined(const Poco::JSON::Array::Ptr& array) {
  std::string out;
  for (std::size_t index = 0; array && index < array->size(); ++index) {
    if (!out.empty()) out += ", ";
    out += array->get(static_cast<unsigned int>(index)).toString();
  }
  return out;
}

// --json: the server's answer, as it is; else `human`.
void print(Context& context, const std::string& body, const std::string& human) {
  if (context.json) {
    std::cout << body << '\n';
  } else if (!context.quiet) {
    std::cout << human << '\n';
  }
}

struct ChangeOptions {
  std::string user;
  std::string uid;
  std::vector<std::string> operations;
};

void runChange(Context& context, const ChangeOptions& options, bool grant) {
  Poco::JSON::Object body;
  body.set("unique_identifier", options.uid);
  body.set("user_id", options.user);
  Poco::JSON::Array operations;
  for (const auto& operation : options.operations) operations.add(operation);
  body.set("operation_types", operations);
  std::ostringstream json;
  body.stringify(json);
  const std::string route = grant ? "/access/grant" : "/access/revoke";
  const std::string answer = context.client().post(route, json.str());
  const auto message = text(parsed(answer, route).extract<Poco::JSON::Object::Ptr>(), "success");
  print(context, answer,
        fmt::format("{} {} on {} {} {}.", grant ? "Granted" : "Revoked", fmt::join(options.operations, ", "),
                    options.uid, grant ? "to" : "from", options.user) +
            (message.empty() ? "" : "\n      " + message));
}

void addChange(CLI::App& group, Context& context, bool grant) {
  auto options = std::make_shared<ChangeOptions>();
  auto* command =
      group.add_subcommand(grant ? "grant" : "revoke", grant ? "Grant a user access rights to an object"
                                                             : "Revoke access rights of a user to an object");
  command->add_option("user", options->user, "The user ('*': everyone)")->required();
  command->add_option("object_uid", options->uid, "The unique identifier of the object")->required();
  command
      ->add_option("operations", options->operations,
                   fmt::format("The operations (KMIP operation names: {}, ...)", kCommonRights))
      ->required()
      ->transform([](const std::string& name) { return normalisedRight(name); });
  command->callback([&context, options, grant] { runChange(context, *options, grant); });
}

Poco::JSON::Array::Ptr arrayOf(const std::string& body, const std::string& route) {
  auto value = parsed(body, route);
  if (value.type() != typeid(Poco::JSON::Array::Ptr)) {
    throw CliError(ExitCode::ServerRefused, fmt::format("{}: the answer is not a JSON array", route));
  }
  return value.extract<Poco::JSON::Array::Ptr>();
}

}  // namespace

void addAccessRights(CLI::App& root, Context& context) {
  auto* group = root.add_subcommand("access-rights", "Manage the users' access rights to objects");
  group->require_subcommand(1);
  addChange(*group, context, true);
  addChange(*group, context, false);

  auto uid = std::make_shared<std::string>();
  auto* list = group->add_subcommand("list", "List the access rights granted on an object");
  list->add_option("object_uid", *uid, "The unique identifier of the object")->required();
  list->callback([&context, uid] {
    std::string path;
    Poco::URI::encode(*uid, "/?#&%+ ", path);
    const std::string route = "/access/list/" + path;
    const std::string body = context.client().get(route);
    std::string human = fmt::format("The access rights granted on {}:", *uid);
    const auto items = arrayOf(body, route);
    for (std::size_t index = 0; index < items->size(); ++index) {
      const auto item = items->getObject(static_cast<unsigned int>(index));
      human +=
          fmt::format("\n      {}: {}", text(item, "user_id"), joined(item ? item->getArray("operations") : nullptr));
    }
    if (items->size() == 0) human += "\n      none";
    print(context, body, human);
  });

  auto* owned = group->add_subcommand("owned", "List the objects the calling user owns");
  owned->callback([&context] {
    const std::string body = context.client().get("/access/owned");
    const auto items = arrayOf(body, "/access/owned");
    std::string human = "The objects you own:";
    for (std::size_t index = 0; index < items->size(); ++index) {
      const auto item = items->getObject(static_cast<unsigned int>(index));
      human += fmt::format("\n      {} ({})", text(item, "object_id"), text(item, "state"));
    }
    if (items->size() == 0) human += "\n      none";
    print(context, body, human);
  });

  auto* obtained = group->add_subcommand("obtained", "List the access rights the calling user obtained");
  obtained->callback([&context] {
    const std::string body = context.client().get("/access/obtained");
    const auto items = arrayOf(body, "/access/obtained");
    std::string human = "The access rights you obtained:";
    for (std::size_t index = 0; index < items->size(); ++index) {
      const auto item = items->getObject(static_cast<unsigned int>(index));
      human += fmt::format("\n      {} (owner {}, {}): {}", text(item, "object_id"), text(item, "owner_id"),
                           text(item, "state"), joined(item ? item->getArray("operations") : nullptr));
    }
    if (items->size() == 0) human += "\n      none";
    print(context, body, human);
  });
}

}  // namespace kms::cli::commands
