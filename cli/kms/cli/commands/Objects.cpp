// kms get-attributes and kms locate: reading what the KMS holds about objects.
#include <Poco/JSON/Array.h>
#include <fmt/format.h>

#include <cctype>
#include <memory>

#include "kms/cli/Answers.hpp"
#include "kms/cli/CliError.hpp"
#include "kms/cli/OutputFile.hpp"
#include "kms/cli/Requests.hpp"
#include "kms/cli/commands/Commands.hpp"
#include "kms/cli/commands/KeyCommands.hpp"
#include "kms/kmip/DateTimeText.hpp"
#include "kms/kmip/Dictionary.hpp"
#include "kms/kmip/Hex.hpp"
#include "kms/kmip/JsonCodec.hpp"

namespace kms::cli::commands {
namespace {

using kmip::ItemType;
using kmip::Ttlv;

// "activation-date" (ckms's names) -> "ActivationDate"; a name already in KMIP form stays.
std::string kmipName(const std::string& name) {
  if (name == "tags") return "cosmian::tag";
  if (name.find("::") != std::string::npos) return name;  // vendor::name, as shown
  std::string out;
  bool upper = true;
  for (char c : name) {
    if (c == '-' || c == '_') {
      upper = true;
      continue;
    }
    out += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    upper = false;
  }
  return out;
}

// The name an attribute is shown under: its tag, or vendor::name for a vendor attribute.
std::string shownName(const Ttlv& item) {
  if ((item.tag() == "Attribute" || item.tag() == "VendorAttribute") && item.find("AttributeName") != nullptr) {
    const auto* vendor = item.find("VendorIdentification");
    return (vendor != nullptr ? vendor->text() + "::" : std::string()) + item.at("AttributeName").text();
  }
  return item.tag();
}

std::string shownValue(const Ttlv& item) {
  switch (item.type()) {
    case ItemType::Enumeration:
      return kmip::Dictionary::enumText(item.tag(), item.asEnumeration());
    case ItemType::Integer: {
      if (kmip::Dictionary::isMask(item.tag())) {
        if (auto names = kmip::Dictionary::maskNames(item.tag(), static_cast<std::uint32_t>(item.asInteger()))) {
          return *names;
        }
      }
      return std::to_string(item.asInteger());
    }
    case ItemType::LongInteger:
      return std::to_string(item.asLongInteger());
    case ItemType::TextString:
      return item.text();
    case ItemType::Boolean:
      return item.asBoolean() ? "true" : "false";
    case ItemType::DateTime: {
      std::string out;
      if (kmip::datetime::appendSeconds(out, item.asDateTime())) return out;
      return std::to_string(item.asDateTime());
    }
    case ItemType::Structure:
      if (item.tag() == "Attribute" || item.tag() == "VendorAttribute") {
        if (const auto* value = item.find("AttributeValue")) return shownValue(*value);
      }
      return kmip::JsonCodec::encode(item);
    default:
      return kmip::JsonCodec::encode(item);
  }
}

// For people: a Name is its value, any other structure {Field: value, ...} and bytes in hex,
// where the JSON answer keeps the JSON TTLV that scripts parse.
std::string humanValue(const Ttlv& item) {
  if (item.type() == ItemType::ByteString) {
    std::string hex;
    kmip::hex::appendBytes(hex, item.asBytes());
    return hex;
  }
  if (item.type() != ItemType::Structure) return shownValue(item);
  if (item.tag() == "Name") {
    if (const auto* value = item.find("NameValue")) return value->text();
  }
  if (item.tag() == "Attribute" || item.tag() == "VendorAttribute") {
    if (const auto* value = item.find("AttributeValue")) return humanValue(*value);
  }
  std::string out = "{";
  for (const auto& field : item.items()) {
    if (out.size() > 1) out += ", ";
    out += field.tag() + ": " + humanValue(field);
  }
  return out + "}";
}

struct AttributesOptions {
  std::string id;
  std::vector<std::string> tags;
  std::vector<std::string> attributes;
  std::string output;
  bool force = false;
};

void runGetAttributes(Context& context, const AttributesOptions& options) {
  std::unique_ptr<OutputFile> output;
  if (!options.output.empty()) output = std::make_unique<OutputFile>(options.output, options.force);
  KeySelector key{options.id, options.tags};
  const std::string uid = key.resolve(context);
  const Ttlv answer = context.client().call(Requests::byUid("GetAttributes", uid));
  const auto* attributes = answer.find("Attributes");
  Ttlv shown = Ttlv::structure("Attributes");
  if (attributes != nullptr) {
    for (const auto& item : attributes->items()) {
      if (options.attributes.empty()) {
        shown.add(item);
        continue;
      }
      for (const auto& wanted : options.attributes) {
        if (kmipName(wanted) == shownName(item)) shown.add(item);
      }
    }
  }
  if (output) output->commit(kmip::JsonCodec::encode(shown) + "\n");
  Poco::JSON::Object fields;
  Poco::JSON::Object values;
  std::string human = fmt::format("Attributes of {}:", uid);
  for (const auto& item : shown.items()) {
    const std::string name = shownName(item);
    human += fmt::format("\n      {}: {}", name, humanValue(item));
    // A multi-valued attribute (Name, Link, ...) keeps every instance: a string for one, an
    // array of strings once a second one appears.
    if (!values.has(name)) {
      values.set(name, shownValue(item));
    } else if (values.isArray(name)) {
      values.getArray(name)->add(shownValue(item));
    } else {
      Poco::JSON::Array::Ptr all = new Poco::JSON::Array;
      all->add(values.getValue<std::string>(name));
      all->add(shownValue(item));
      values.set(name, all);
    }
  }
  if (output) human += fmt::format("\nThe attributes were written to \"{}\"", output->path());
  fields.set("unique_identifier", uid);
  fields.set("attributes", values);
  context.printer().result(human, fields, output && output->isStdout());
}

struct LocateOptions {
  std::vector<std::string> tags;
  std::string name;
  std::string algorithm;
  int length = 0;
  std::string keyFormatType;
  std::string objectType;
};

// ckms's spellings -> KMIP names: "aes" -> "AES", "pkcs1" -> "PKCS_1", "x509" -> "X_509",
// "transparent-symmetric-key" / "symmetric-key" -> "TransparentSymmetricKey" / "SymmetricKey".
std::string enumName(const std::string& tag, const std::string& text) {
  std::string upper;
  std::string split;  // upper case, '-' as '_', '_' between letters and digits
  for (char c : text) {
    const char u = c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (!split.empty() && std::isdigit(static_cast<unsigned char>(u)) &&
        std::isalpha(static_cast<unsigned char>(split.back()))) {
      split += '_';
    }
    upper += u;
    split += u;
  }
  for (const auto& candidate : {upper, split, kmipName(text)}) {
    if (kmip::Dictionary::enumValue(tag, candidate)) return candidate;
  }
  throw CliError(ExitCode::Usage, fmt::format("'{}' is no {}", text, tag));
}

void runLocate(Context& context, const LocateOptions& options) {
  Requests::LocateSpec spec;
  spec.tags = options.tags;
  if (!options.name.empty()) spec.name = options.name;
  if (!options.algorithm.empty()) spec.algorithm = enumName("CryptographicAlgorithm", options.algorithm);
  if (options.length > 0) spec.length = options.length;
  if (!options.keyFormatType.empty()) spec.keyFormatType = enumName("KeyFormatType", options.keyFormatType);
  if (!options.objectType.empty()) spec.objectType = enumName("ObjectType", options.objectType);
  const auto uids = Answers::uids(context.client().call(Requests::locate(spec)));
  Poco::JSON::Array list;
  std::string human = uids.empty() ? "No object found." : "List of unique identifiers:";
  for (const auto& uid : uids) {
    human += "\n" + uid;
    list.add(uid);
  }
  Poco::JSON::Object fields;
  fields.set("unique_identifiers", list);
  context.printer().result(human, fields);
}

}  // namespace

void addGetAttributes(CLI::App& parent, Context& context, const std::string& name) {
  auto attributes = std::make_shared<AttributesOptions>();
  auto* get = parent.add_subcommand(name, "Print the attributes of an object");
  get->add_option("-i,--id", attributes->id, "The unique identifier of the object");
  get->add_option("-t,--tag", attributes->tags, "Find the object by tag instead (repeat for several tags)")
      ->allow_extra_args(false);
  get->add_option("-a,--attribute", attributes->attributes,
                  "An attribute to print (activation-date, cryptographic-length, tags, ...; repeat; default all)")
      ->allow_extra_args(false);
  get->add_option("-o,--output-file", attributes->output, "Also write the attributes to this file, as JSON TTLV");
  get->add_flag("--force", attributes->force, "Overwrite the output file when it exists");
  get->callback([&context, attributes] { runGetAttributes(context, *attributes); });
}

void addObjects(CLI::App& root, Context& context) {
  addGetAttributes(root, context, "get-attributes");

  auto locate = std::make_shared<LocateOptions>();
  auto* find = root.add_subcommand("locate", "Find objects by tag, name, type or algorithm");
  find->add_option("-t,--tag", locate->tags, "A tag the objects have (repeat: all of them)")->allow_extra_args(false);
  find->add_option("-n,--name", locate->name, "The Name attribute of the objects");
  find->add_option("-a,--algorithm", locate->algorithm, "The cryptographic algorithm (aes, rsa, ...)");
  find->add_option("-l,--cryptographic-length", locate->length, "The key size in bits");
  find->add_option("-f,--key-format-type", locate->keyFormatType, "The key format type (raw, pkcs1, ...)");
  find->add_option("--object-type", locate->objectType, "symmetric-key, public-key, private-key, ...");
  find->callback([&context, locate] { runLocate(context, *locate); });
}

}  // namespace kms::cli::commands
