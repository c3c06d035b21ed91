#include "kms/ops/crypto/CryptoParametersReader.hpp"
#include "kms/ops/kmip1/Translator.hpp"

#include <cstddef>
#include <vector>

#include <fmt/format.h>

#include "kms/Exception.hpp"
#include "kms/ops/attributes/AttributeKey.hpp"
#include "kms/ops/kmip1/AttributeNames.hpp"
#include "kms/ops/kmip1/Payloads.hpp"

namespace kms::ops::kmip1 {

using kmip::Operation;
using kmip::Ttlv;

namespace {

// Result reasons KMIP 1.4 section 9.1.3.2.29 defines (0x100 General Failure besides).
constexpr std::uint32_t kIndexOutOfBounds = 0x0E;
constexpr std::uint32_t kGeneralFailure = 0x100;

// The highest reason each 1.x minor version defines.
std::uint32_t lastReason(std::int32_t minor) noexcept {
  if (minor <= 1) return 0x11;  // ... Key Compression Type Not Supported
  if (minor == 2) return 0x12;  // Encoding Option Error
  if (minor == 3) return 0x15;  // Key Value Not Present, Attestation Required / Failed
  return 0x18;                  // Sensitive, Not Extractable, Object Already Exists
}

// The payload's UniqueIdentifier (absent: the ID placeholder) in a new 2.1 payload.
Ttlv payloadFor(const Ttlv& request) {
  Ttlv out = Ttlv::structure("RequestPayload");
  if (const auto* uid = request.find("UniqueIdentifier")) out.add(*uid);
  return out;
}

// The instances of `key` the object has, in order, read with the caller's rights.
std::vector<Ttlv> instances(const Ttlv& request, const attributes::AttributeKey& key, const Translator::Runner& run) {
  Ttlv get = payloadFor(request);
  get.add(attributes::referenceFor(key));
  const Ttlv response = run(Operation::GetAttributes, get);
  std::vector<Ttlv> out;
  if (const auto* attrs = response.find("Attributes")) {
    for (const auto& item : attrs->items()) {
      if (attributes::keyMatches(attributes::keyOf(item), key)) out.push_back(item);
    }
  }
  return out;
}

std::int32_t indexOf(const Ttlv& attributeOrPayload) {
  const auto* index = attributeOrPayload.find("AttributeIndex");
  if (index == nullptr) return 0;
  if (index->asInteger() < 0) throw Exception(ErrorCode::InvalidField, "AttributeIndex must not be negative");
  return index->asInteger();
}

Ttlv answer(const Ttlv& response, const Ttlv& item, std::int32_t index) {
  Ttlv out = Ttlv::structure("ResponsePayload");
  if (const auto* uid = response.find("UniqueIdentifier")) out.add(*uid);
  if (auto attribute = toAttribute(item, index)) out.add(std::move(*attribute));
  return out;
}

Ttlv addAttribute(const Ttlv& request, const Translator::Runner& run) {
  const Ttlv item = toItem(request.at("Attribute"));
  Ttlv add = payloadFor(request);
  add.add(Ttlv::structure("NewAttribute", {item}));
  const Ttlv response = run(Operation::AddAttribute, add);
  // The new instance is the last one: its index is the number before it.
  std::int32_t index = 0;
  try {
    Ttlv again = Ttlv::structure("RequestPayload", {response.at("UniqueIdentifier")});
    index = static_cast<std::int32_t>(instances(again, attributes::keyOf(item), run).size()) - 1;
  } catch (const Exception&) {
    index = 0;  // added, but not readable by this caller: the index is left out
  }
  return answer(response, item, index < 0 ? 0 : index);
}

// The instance a 1.x index designates, or nullopt when the object has none of that attribute
// (the 2.1 operation then answers that).
std::optional<Ttlv> instanceAt(const std::vector<Ttlv>& existing, std::int32_t index, const std::string& name) {
  if (existing.empty()) return std::nullopt;
  if (static_cast<std::size_t>(index) >= existing.size()) {
    throw Exception(ErrorCode::InvalidField, fmt::format("AttributeIndex {} is out of bounds: {} has {} instance(s)",
                                                         index, name, existing.size()));
  }
  return existing[static_cast<std::size_t>(index)];
}

Ttlv modifyAttribute(const Ttlv& request, const Translator::Runner& run) {
  const Ttlv& attribute = request.at("Attribute");
  const Ttlv item = toItem(attribute);
  const std::int32_t index = indexOf(attribute);
  const auto key = attributes::keyOf(item);
  Ttlv modify = payloadFor(request);
  if (auto current = instanceAt(instances(request, key, run), index, attribute.at("AttributeName").text())) {
    modify.add(Ttlv::structure("CurrentAttribute", {std::move(*current)}));
  }
  modify.add(Ttlv::structure("NewAttribute", {item}));
  return answer(run(Operation::ModifyAttribute, modify), item, index);
}

Ttlv deleteAttribute(const Ttlv& request, const Translator::Runner& run) {
  const Ttlv& name = request.at("AttributeName");
  const auto key = keyOfName(name.asText());
  if (!key) {
    throw Exception(ErrorCode::InvalidField, fmt::format("attribute '{}' is not supported", name.text().substr(0, 64)));
  }
  const std::int32_t index = indexOf(request);
  const auto current = instanceAt(instances(request, *key, run), index, name.text());
  Ttlv remove = payloadFor(request);
  if (current) {
    remove.add(Ttlv::structure("CurrentAttribute", {*current}));
  } else {
    remove.add(attributes::referenceFor(*key));  // answers that there is none
  }
  const Ttlv response = run(Operation::DeleteAttribute, remove);
  return current ? answer(response, *current, index) : response;
}

// GCM before KMIP 1.4: the versions have no AuthenticatedEncryptionTag (1.4 brought it), so the
// tag travels at the end of Data, as PKCS#11 and most cipher APIs append it: Encrypt answers
// ciphertext || tag, Decrypt takes them so.
constexpr std::int32_t kFirstMinorWithTag = 4;

Ttlv encryptToV1(Ttlv response) {
  const auto* tag = response.find("AuthenticatedEncryptionTag");
  const auto* data = response.find("Data");
  if (tag == nullptr || data == nullptr) return response;
  auto joined = data->asBytes();
  const auto& tagBytes = tag->asBytes();
  joined.insert(joined.end(), tagBytes.begin(), tagBytes.end());
  Ttlv out = Ttlv::structure(response.tag());
  for (const auto& item : response.items()) {
    if (item.tag() == "Data") {
      out.add(Ttlv::byteString("Data", joined));
    } else if (item.tag() != "AuthenticatedEncryptionTag") {
      out.add(item);
    }
  }
  return out;
}

// The CryptographicParameters that will apply (the request's, else the key's first instance)
// and whether the key is AES, read with the caller's rights; only asked when the request does
// not itself name a mode other than GCM.
bool decryptsWithGcm(const Ttlv& request, const Translator::Runner& run, std::size_t& tagLength) {
  const auto* params = request.find("CryptographicParameters");
  const Ttlv* mode = params != nullptr ? params->find("BlockCipherMode") : nullptr;
  if (mode != nullptr && mode->asEnumeration() != static_cast<std::uint32_t>(kmip::BlockCipherMode::GCM)) return false;
  Ttlv get = payloadFor(request);
  get.add(attributes::referenceFor(attributes::AttributeKey{"CryptographicAlgorithm", {}, {}}));
  get.add(attributes::referenceFor(attributes::AttributeKey{"CryptographicParameters", {}, {}}));
  const Ttlv response = run(Operation::GetAttributes, get);
  const auto* attrs = response.find("Attributes");
  const auto* algorithm = attrs != nullptr ? attrs->find("CryptographicAlgorithm") : nullptr;
  if (algorithm == nullptr ||
      algorithm->asEnumeration() != static_cast<std::uint32_t>(kmip::CryptographicAlgorithm::AES)) {
    return false;
  }
  if (attrs != nullptr) params = crypto::effective(request, *attrs);  // the rule Decrypt itself applies
  mode = params != nullptr ? params->find("BlockCipherMode") : nullptr;
  if (mode != nullptr && mode->asEnumeration() != static_cast<std::uint32_t>(kmip::BlockCipherMode::GCM)) return false;
  const auto* length = params != nullptr ? params->find("TagLength") : nullptr;
  tagLength = length != nullptr && length->asInteger() > 0 ? static_cast<std::size_t>(length->asInteger()) : 16;
  return true;
}

Ttlv decryptToV2(const Ttlv& request, const Translator::Runner& run) {
  const auto* data = request.find("Data");
  std::size_t tagLength = 0;
  if (data == nullptr || request.find("AuthenticatedEncryptionTag") != nullptr ||
      !decryptsWithGcm(request, run, tagLength)) {
    return request;
  }
  const auto& bytes = data->asBytes();
  if (bytes.size() < tagLength) {
    throw Exception(ErrorCode::InvalidField, "Data is shorter than the GCM tag that ends it before KMIP 1.4");
  }
  const auto split = bytes.end() - static_cast<std::ptrdiff_t>(tagLength);
  Ttlv out = Ttlv::structure(request.tag());
  for (const auto& item : request.items()) {
    out.add(item.tag() == "Data" ? Ttlv::byteString("Data", Ttlv::Bytes(bytes.begin(), split)) : item);
  }
  out.add(Ttlv::byteString("AuthenticatedEncryptionTag", Ttlv::Bytes(split, bytes.end())));
  return out;
}

}  // namespace

Ttlv Translator::run(Operation operation, const Ttlv& payload, std::int32_t minor, const Runner& run) {
  switch (operation) {
    case Operation::AddAttribute:
      if (payload.find("Attribute") == nullptr) break;  // already in 2.1 form
      return addAttribute(payload, run);
    case Operation::ModifyAttribute:
      if (payload.find("Attribute") == nullptr) break;
      return modifyAttribute(payload, run);
    case Operation::DeleteAttribute:
      if (payload.find("AttributeName") == nullptr) break;
      return deleteAttribute(payload, run);
    case Operation::Encrypt:
      if (minor >= kFirstMinorWithTag) break;
      return encryptToV1(run(operation, payload));
    case Operation::Decrypt:
      if (minor >= kFirstMinorWithTag) break;
      return run(operation, decryptToV2(payload, run));
    default:
      break;
  }
  const Ttlv request = Payloads::requestToV2(operation, payload);
  return Payloads::responseToV1(operation, payload, run(operation, request), minor);
}

std::uint32_t Translator::resultReason(std::uint32_t reason, std::int32_t minor) noexcept {
  switch (reason) {
    case 0x21:  // Attribute Not Found: 1.x says the item is not there
      return 0x01;
    case 0x22:      // Attribute Read Only
    case 0x29:      // Incompatible Cryptographic Usage Mask
    case 0x43:      // Wrong Key Lifecycle State
      return 0x0C;  // Permission Denied
    case 0x23:      // Attribute Single Valued
      return kIndexOutOfBounds;
    case 0x24:      // Bad Cryptographic Parameters
      return 0x07;  // Invalid Field
    case 0x28:      // Illegal Object Type
      return 0x0B;  // Illegal Operation
    default:
      break;
  }
  if (reason == kGeneralFailure || (reason >= 0x01 && reason <= lastReason(minor))) return reason;
  return kGeneralFailure;
}

}  // namespace kms::ops::kmip1
