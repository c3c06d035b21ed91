#include "kms/cli/Answers.hpp"

#include <fmt/format.h>

#include "kms/cli/CliError.hpp"
#include "kms/kmip/Dictionary.hpp"

namespace kms::cli {

using kmip::ItemType;
using kmip::Ttlv;

namespace {

[[noreturn]] void missing(const Ttlv& answer, std::string_view tag) {
  throw CliError(ExitCode::ServerRefused, fmt::format("the {} answer holds no {}", answer.tag(), tag));
}

}  // namespace

const std::string& Answers::text(const Ttlv& answer, std::string_view tag) {
  const auto* item = answer.find(tag);
  if (item == nullptr || item->type() != ItemType::TextString) missing(answer, tag);
  return item->text();
}

const kms::SecureBytes& Answers::bytes(const Ttlv& answer, std::string_view tag) {
  const auto* item = answer.find(tag);
  if (item == nullptr || item->type() != ItemType::ByteString) missing(answer, tag);
  return item->bytes();
}

const Ttlv& Answers::object(const Ttlv& answer) {
  for (const char* tag : {"Object", "SymmetricKey", "PublicKey", "PrivateKey", "SecretData", "Certificate"}) {
    if (const auto* item = answer.find(tag)) return *item;
  }
  missing(answer, "key object");
}

std::string Answers::objectTypeName(const Ttlv& answer) {
  if (const auto* type = answer.find("ObjectType")) {
    if (const auto name = kmip::Dictionary::enumName("ObjectType", type->asEnumeration())) return std::string(*name);
  }
  const auto& tag = object(answer).tag();
  return tag == "Object" ? std::string("Object") : tag;
}

const kms::SecureBytes& Answers::keyMaterial(const Ttlv& object) {
  const auto* block = object.find("KeyBlock");
  if (block == nullptr) missing(object, "KeyBlock");
  if (block->find("KeyWrappingData") != nullptr) {
    throw CliError(ExitCode::ServerRefused, "the key was exported wrapped: add --unwrap to export its clear value");
  }
  const auto* value = block->find("KeyValue");
  if (value == nullptr) missing(*block, "KeyValue");
  const auto* material = value->find("KeyMaterial");
  if (material == nullptr || material->type() != ItemType::ByteString) missing(*value, "KeyMaterial bytes");
  return material->bytes();
}

std::vector<std::string> Answers::uids(const Ttlv& answer) {
  std::vector<std::string> out;
  for (const auto* item : answer.findAll("UniqueIdentifier")) out.push_back(item->asText());
  return out;
}

}  // namespace kms::cli
