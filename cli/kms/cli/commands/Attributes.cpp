// kms attributes get|set|modify|delete (ckms's names), attributes add, and kms set-attribute /
// delete-attribute: the attributes of an object through KMIP GetAttributes, SetAttribute,
// ModifyAttribute, AddAttribute and DeleteAttribute.
//
// The flags are ckms's (activation date, algorithm, length, key usage, links, a vendor
// attribute), with kmsd's --name and --new-tag besides. Each attribute is one request, as ckms
// sends them; kmsd says which attributes a client may set (AttributeRules): the others are
// refused by the server with its reason (read-only, wrong state, ...).
#include <Poco/JSON/Array.h>
#include <fmt/format.h>

#include <cctype>
#include <map>
#include <memory>
#include <sstream>

#include "kms/cli/Answers.hpp"
#include "kms/cli/CliError.hpp"
#include "kms/cli/Requests.hpp"
#include "kms/cli/commands/Commands.hpp"
#include "kms/cli/commands/KeyCommands.hpp"
#include "kms/kmip/Hex.hpp"

namespace kms::cli::commands {
namespace {

using kmip::Ttlv;

struct AttributeOptions {
  std::string id;
  std::vector<std::string> tags;
  std::optional<std::int64_t> activationDateMs;
  std::string algorithm;
  std::optional<int> length;
  std::vector<std::string> usages;
  std::map<std::string, std::string> links;  // LinkType -> linked UID
  std::string vendor;
  std::string attributeName;
  std::string attributeValueHex;
  std::string name;
  std::vector<std::string> newTags;
  std::vector<std::string> references;  // delete: whole attributes by name
};

// One attribute to send, and how the result shows it.
struct Change {
  Ttlv attribute;
  std::string shown;
};

const std::map<std::string, std::string>& usageBits() {
  static const std::map<std::string, std::string> bits{
      {"sign", "Sign"},
      {"verify", "Verify"},
      {"encrypt", "Encrypt"},
      {"decrypt", "Decrypt"},
      {"wrap-key", "WrapKey"},
      {"unwrap-key", "UnwrapKey"},
      {"mac-generate", "MACGenerate"},
      {"mac-verify", "MACVerify"},
      {"derive-key", "DeriveKey"},
      {"key-agreement", "KeyAgreement"},
      {"certificate-sign", "CertificateSign"},
      {"crl-sign", "CRLSign"},
      {"authenticate", "Authenticate"},
      {"unrestricted", "Unrestricted"},
  };
  return bits;
}

std::vector<std::string> usageNames() {
  std::vector<std::string> names;
  for (const auto& [name, bit] : usageBits()) names.push_back(name);
  return names;
}

// ckms's algorithm spellings that kmsd knows ("aes" -> AES, "chacha20-poly1305" -> ChaCha20Poly1305).
std::string algorithmName(const std::string& text) {
  static const std::map<std::string, std::string> names{
      {"aes", "AES"},
      {"rsa", "RSA"},
      {"ecdsa", "ECDSA"},
      {"ecdh", "ECDH"},
      {"ec", "EC"},
      {"chacha20", "ChaCha20"},
      {"chacha20-poly1305", "ChaCha20Poly1305"},
      {"sha3224", "SHA3_224"},
      {"sha3256", "SHA3_256"},
      {"sha3384", "SHA3_384"},
      {"sha3512", "SHA3_512"},
      {"ed25519", "Ed25519"},
      {"ed448", "Ed448"},
  };
  const auto found = names.find(text);
  if (found == names.end()) throw CliError(ExitCode::Usage, fmt::format("'{}' is no cryptographic algorithm", text));
  return found->second;
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

std::string tagsJson(const std::vector<std::string>& tags) {
  Poco::JSON::Array array;
  for (const auto& tag : tags) array.add(tag);
  std::ostringstream out;
  array.stringify(out);
  return out.str();
}

std::vector<Change> changesOf(const AttributeOptions& options) {
  std::vector<Change> out;
  if (options.activationDateMs) {
    // ckms takes milliseconds since the epoch; a KMIP DateTime holds seconds.
    out.push_back({Ttlv::dateTime("ActivationDate", *options.activationDateMs / 1000),
                   fmt::format("ActivationDate: {}", *options.activationDateMs / 1000)});
  }
  if (!options.algorithm.empty()) {
    const std::string name = algorithmName(options.algorithm);
    out.push_back({Requests::enumeration("CryptographicAlgorithm", name), "CryptographicAlgorithm: " + name});
  }
  if (options.length) {
    out.push_back({Ttlv::integer("CryptographicLength", *options.length),
                   fmt::format("CryptographicLength: {}", *options.length)});
  }
  if (!options.usages.empty()) {
    std::vector<std::string> bits;
    bits.reserve(options.usages.size());
    for (const auto& usage : options.usages) bits.push_back(usageBits().at(usage));
    out.push_back({Requests::usageMask(bits), "CryptographicUsageMask: " + joined(bits)});
  }
  for (const auto& [type, uid] : options.links) {
    out.push_back({Ttlv::structure("Link", {Requests::enumeration("LinkType", type),
                                            Ttlv::textString("LinkedObjectIdentifier", uid)}),
                   fmt::format("Link: {} {}", type, uid)});
  }
  if (!options.vendor.empty() || !options.attributeName.empty()) {
    if (options.vendor.empty() || options.attributeName.empty()) {
      throw CliError(ExitCode::Usage, "a vendor attribute needs --vendor-identification and --attribute-name");
    }
    kms::SecureBytes value;
    if (!kmip::hex::decodeBytes(options.attributeValueHex, value)) {
      throw CliError(ExitCode::Usage, "--attribute-value must be hexadecimal (an even number of digits)");
    }
    out.push_back({Ttlv::structure("VendorAttribute", {Ttlv::textString("VendorIdentification", options.vendor),
                                                       Ttlv::textString("AttributeName", options.attributeName),
                                                       Ttlv::byteString("AttributeValue", std::move(value))}),
                   fmt::format("{}::{}: {}", options.vendor, options.attributeName, options.attributeValueHex)});
  }
  if (!options.name.empty()) {
    out.push_back({Ttlv::structure("Name", {Ttlv::textString("NameValue", options.name),
                                            Requests::enumeration("NameType", "UninterpretedTextString")}),
                   "Name: " + options.name});
  }
  if (!options.newTags.empty()) {
    out.push_back({Requests::tagsAttribute(options.newTags), "cosmian::tag: " + tagsJson(options.newTags)});
  }
  return out;
}

std::string uidOf(Context& context, const AttributeOptions& options) {
  return KeySelector{options.id, options.tags}.resolve(context);
}

void printChanges(Context& context, const std::string& uid, const std::vector<std::string>& shown,
                  const std::string& sentence) {
  std::string human;
  Poco::JSON::Array list;
  for (const auto& line : shown) {
    if (!human.empty()) human += "\n";
    human += sentence;
    human += uidLine("Unique identifier", uid);
    human += "\n      ";
    human += line;
    list.add(line);
  }
  Poco::JSON::Object fields;
  fields.set("unique_identifier", uid);
  fields.set("attributes", list);
  context.printer().result(human, fields);
}

// SetAttribute (creates or replaces the single instance), ModifyAttribute (replaces an existing
// instance only) or AddAttribute (one more instance of a multi-valued attribute: Name, Link).
struct Edit {
  const char* operation;
  const char* sentence;
  const char* command;
};

void runEdit(Context& context, const AttributeOptions& options, const Edit& edit) {
  const auto changes = changesOf(options);
  if (changes.empty()) {
    throw CliError(ExitCode::Usage, fmt::format("No attribute specified (see kms attributes {} --help)", edit.command));
  }
  const std::string uid = uidOf(context, options);
  std::vector<std::string> shown;
  for (const auto& change : changes) {
    context.client().call(Ttlv::structure(edit.operation, {Ttlv::textString("UniqueIdentifier", uid),
                                                           Ttlv::structure("NewAttribute", {change.attribute})}));
    shown.push_back(change.shown);
  }
  printChanges(context, uid, shown, edit.sentence);
}

constexpr Edit kSet{"SetAttribute", "Attribute set successfully", "set"};
constexpr Edit kModify{"ModifyAttribute", "Attribute modified successfully", "modify"};
constexpr Edit kAdd{"AddAttribute", "Attribute added successfully", "add"};

// "activation-date" / "ActivationDate" -> an AttributeReference naming the attribute; "tags"
// (ckms's name for them) -> kmsd's vendor attribute cosmian/tag.
Ttlv referenceTo(const std::string& name) {
  if (name == "tags" || name == "tag") {
    return Ttlv::structure("AttributeReference", {Ttlv::textString("VendorIdentification", kVendor),
                                                  Ttlv::textString("AttributeName", "tag")});
  }
  std::string kmip;
  bool upper = true;
  for (char c : name) {
    if (c == '-' || c == '_') {
      upper = true;
      continue;
    }
    kmip += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    upper = false;
  }
  return Ttlv::structure("AttributeReference", {Ttlv::textString("AttributeName", kmip)});
}

void runDelete(Context& context, const AttributeOptions& options) {
  const auto changes = changesOf(options);
  if (changes.empty() && options.references.empty()) {
    throw CliError(ExitCode::Usage, "No attribute specified (see kms attributes delete --help)");
  }
  const std::string uid = uidOf(context, options);
  std::vector<std::string> shown;
  for (const auto& change : changes) {
    // A value given: that instance only.
    context.client().call(Ttlv::structure(
        "DeleteAttribute",
        {Ttlv::textString("UniqueIdentifier", uid), Ttlv::structure("CurrentAttribute", {change.attribute})}));
    shown.push_back(change.shown);
  }
  for (const auto& name : options.references) {
    context.client().call(
        Ttlv::structure("DeleteAttribute", {Ttlv::textString("UniqueIdentifier", uid), referenceTo(name)}));
    shown.push_back(name);
  }
  printChanges(context, uid, shown, "Attribute deleted successfully");
}

void addAttributeFlags(CLI::App& command, AttributeOptions& options) {
  command.add_option("-i,--id", options.id, "The unique identifier of the object");
  command.add_option("-t,--tag", options.tags, "Find the object by tag instead (repeat for several tags)")
      ->allow_extra_args(false);
  command.add_option("-d,--activation-date", options.activationDateMs,
                     "The activation date, in milliseconds since the epoch (Unix time)");
  command.add_option("-a,--cryptographic-algorithm", options.algorithm, "The cryptographic algorithm (aes, rsa, ...)");
  command.add_option("--cryptographic-length", options.length, "The key length in bits");
  command.add_option("-u,--key-usage", options.usages, "A key usage (repeat for several)")
      ->check(CLI::IsMember(usageNames()))
      ->allow_extra_args(false);
  static const std::vector<std::pair<const char*, const char*>> kLinks{
      {"--public-key-id", "PublicKeyLink"},
      {"--private-key-id", "PrivateKeyLink"},
      {"--certificate-id", "CertificateLink"},
      {"--p12-id", "PKCS12CertificateLink"},
      {"--p12-pwd", "PKCS12PasswordLink"},
      {"--parent-id", "ParentLink"},
      {"--child-id", "ChildLink"},
  };
  for (const auto& [flag, type] : kLinks) {
    const std::string linkType = type;
    command.add_option_function<std::string>(
        flag, [&options, linkType](const std::string& uid) { options.links[linkType] = uid; },
        fmt::format("A {} to this object", linkType));
  }
  command.add_option("-v,--vendor-identification", options.vendor, "The vendor of a vendor attribute");
  command.add_option("-n,--attribute-name", options.attributeName, "The name of the vendor attribute");
  command.add_option("--attribute-value", options.attributeValueHex, "The vendor attribute's value, in hex");
  command.add_option("--name", options.name, "A Name (uninterpreted text) for the object");
  command.add_option("--new-tag", options.newTags, "The object's tags (repeat; replaces its tags)")
      ->allow_extra_args(false);
}

void addEdit(CLI::App& parent, Context& context, const std::string& name, const Edit& edit, const char* help) {
  auto options = std::make_shared<AttributeOptions>();
  auto* command = parent.add_subcommand(name, help);
  addAttributeFlags(*command, *options);
  command->callback([&context, options, &edit] { runEdit(context, *options, edit); });
}

void addDelete(CLI::App& parent, Context& context, const std::string& name) {
  auto options = std::make_shared<AttributeOptions>();
  auto* command = parent.add_subcommand(
      name, "Delete attributes of an object (KMIP DeleteAttribute): the values given, or whole attributes");
  addAttributeFlags(*command, *options);
  command
      ->add_option("--attribute", options->references,
                   "An attribute to delete whatever its value (activation-date, name, tags, ...; repeat)")
      ->allow_extra_args(false);
  command->callback([&context, options] { runDelete(context, *options); });
}

}  // namespace

void addAttributes(CLI::App& root, Context& context) {
  auto* attributes = root.add_subcommand("attributes", "Get, set and delete the attributes of an object");
  attributes->require_subcommand(1);
  addGetAttributes(*attributes, context, "get");
  addEdit(*attributes, context, "set", kSet, "Set attributes of an object (KMIP SetAttribute)");
  addEdit(*attributes, context, "modify", kModify,
          "Change attributes an object already has (KMIP ModifyAttribute: never creates one)");
  addEdit(*attributes, context, "add", kAdd,
          "Add an instance of a multi-valued attribute, a Name or a Link (KMIP AddAttribute)");
  addDelete(*attributes, context, "delete");
  addEdit(root, context, "set-attribute", kSet, "Set attributes of an object (KMIP SetAttribute)");
  addDelete(root, context, "delete-attribute");
}

}  // namespace kms::cli::commands
