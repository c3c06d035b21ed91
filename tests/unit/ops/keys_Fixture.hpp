#pragma once
// Shared by the keys_*.cpp tests: a RequestProcessor over a real SqliteStore in a temporary
// directory, request builders, and readers for the OASIS vectors in ../shared (read at test
// time, never copied into the repository).
#include "kms/kmip/Enums.hpp"

#include <doctest/doctest.h>
#include <stdlib.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "kms/Exception.hpp"
#include "kms/ErrorTable.hpp"
#include "kms/keys/KeyGenerator.hpp"
#include "kms/kmip/Ttlv.hpp"
#include "kms/ops/RequestProcessor.hpp"
#include "kms/store/sqlite/SqliteStore.hpp"
#include "support/TempDir.hpp"

namespace kms::ops::keystest {

using kmip::Ttlv;
using Bytes = kms::SecureBytes;

inline Bytes hex(std::string_view text) {
  Bytes out;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    throw std::invalid_argument("bad hex");
  };
  for (std::size_t i = 0; i + 1 < text.size(); i += 2) {
    out.push_back(static_cast<std::uint8_t>(nibble(text[i]) * 16 + nibble(text[i + 1])));
  }
  return out;
}

inline std::int64_t now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

template <class E>
Ttlv enumItem(std::string tag, E value) {
  return Ttlv::enumeration(std::move(tag), static_cast<std::uint32_t>(value));
}

inline Ttlv mask(std::uint32_t bits) {
  return Ttlv::integer("CryptographicUsageMask", static_cast<std::int32_t>(bits));
}
inline Ttlv activeNow() {
  return Ttlv::dateTime("ActivationDate", now() - 3600);
}

using TempDir = kms::test::TempDir;

// The OASIS vector directory: $KMS_KMIP_VECTORS_DIR (ctest sets it from the CMake cache variable),
// else <repo>/../shared/kmip-vectors/v2.1.
inline std::filesystem::path vectorDir() {
  if (const char* dir = std::getenv("KMS_KMIP_VECTORS_DIR"); dir != nullptr && *dir != '\0') return dir;
  std::filesystem::path here(__FILE__);
  return here.parent_path().parent_path().parent_path().parent_path().parent_path() / "shared" / "kmip-vectors" /
         "v2.1";
}

// The `value` attributes of every element named `element` in a vector file, in order.
inline std::vector<std::string> vectorValues(const std::string& file, const std::string& element) {
  std::ifstream in(vectorDir() / file);
  if (!in) return {};
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  std::vector<std::string> out;
  const std::string open = "<" + element + " ";
  for (std::size_t pos = text.find(open); pos != std::string::npos; pos = text.find(open, pos + 1)) {
    const auto v = text.find("value=\"", pos);
    const auto end = text.find('"', v + 7);
    if (v == std::string::npos || end == std::string::npos) break;
    out.push_back(text.substr(v + 7, end - v - 7));
  }
  return out;
}

struct Fixture {
  TempDir dir;
  store::SqliteStore store{dir.path() / "db"};
  RequestProcessor processor{store, ProcessorSettings{}};
  RequestContext alice{"alice"};

  Fixture() = default;
  explicit Fixture(ProcessorSettings settings) : processor{store, std::move(settings)} {}

  Ttlv run(const Ttlv& request, const RequestContext* who = nullptr) {
    return processor.process(request, who != nullptr ? *who : alice);
  }

  // The ErrorCode of a failing bare request (fails the test when it succeeds).
  std::optional<ErrorCode> failure(const Ttlv& request) {
    try {
      (void)run(request);
    } catch (const Exception& e) {
      return e.code();
    }
    FAIL_CHECK("the request succeeded: " << request.tag());
    return std::nullopt;
  }

  // KMIP ResultReason of a single-item RequestMessage (0 when it succeeded).
  std::uint32_t reasonInMessage(const std::string& operation, Ttlv payload) {
    Ttlv message = Ttlv::structure(
        "RequestMessage",
        {Ttlv::structure("RequestHeader",
                         {Ttlv::structure("ProtocolVersion", {Ttlv::integer("ProtocolVersionMajor", 2),
                                                              Ttlv::integer("ProtocolVersionMinor", 1)}),
                          Ttlv::integer("BatchCount", 1)}),
         Ttlv::structure("BatchItem", {Ttlv::enumeration("Operation", operationCode(operation)),
                                       Ttlv::structure("RequestPayload", payload.items())})});
    const auto response = run(message);
    const auto* item = response.find("BatchItem");
    const auto* reason = item != nullptr ? item->find("ResultReason") : nullptr;
    return reason != nullptr ? reason->asEnumeration() : 0;
  }

  static std::uint32_t operationCode(const std::string& name) {
    if (name == "Create") return static_cast<std::uint32_t>(kmip::Operation::Create);
    if (name == "Encrypt") return static_cast<std::uint32_t>(kmip::Operation::Encrypt);
    if (name == "Decrypt") return static_cast<std::uint32_t>(kmip::Operation::Decrypt);
    if (name == "Register") return static_cast<std::uint32_t>(kmip::Operation::Register);
    if (name == "Get") return static_cast<std::uint32_t>(kmip::Operation::Get);
    throw std::invalid_argument(name);
  }

  std::string createAes(std::int32_t bits, std::uint32_t usage, std::vector<Ttlv> extra = {}, bool active = true) {
    std::vector<Ttlv> attributes{enumItem("CryptographicAlgorithm", kmip::CryptographicAlgorithm::AES),
                                 Ttlv::integer("CryptographicLength", bits), mask(usage)};
    if (active) attributes.push_back(activeNow());
    for (auto& e : extra) attributes.push_back(std::move(e));
    const auto response = run(Ttlv::structure(
        "Create", {enumItem("ObjectType", kmip::ObjectType::SymmetricKey), Ttlv::structure("Attributes", attributes)}));
    return response.at("UniqueIdentifier").asText();
  }

  std::string registerKey(kmip::ObjectType type, kmip::KeyFormatType format, Ttlv material,
                          kmip::CryptographicAlgorithm algorithm, std::int32_t bits, std::vector<Ttlv> attributes) {
    const auto tag = type == kmip::ObjectType::SymmetricKey ? "SymmetricKey"
                     : type == kmip::ObjectType::PrivateKey ? "PrivateKey"
                                                            : "PublicKey";
    auto request = Ttlv::structure(
        "Register",
        {enumItem("ObjectType", type), Ttlv::structure("Attributes", std::move(attributes)),
         Ttlv::structure(tag, {Ttlv::structure("KeyBlock", {enumItem("KeyFormatType", format),
                                                            Ttlv::structure("KeyValue", {std::move(material)}),
                                                            enumItem("CryptographicAlgorithm", algorithm),
                                                            Ttlv::integer("CryptographicLength", bits)})})});
    return run(request).at("UniqueIdentifier").asText();
  }

  std::string registerAes(const Bytes& key, std::uint32_t usage, std::vector<Ttlv> extra = {}) {
    std::vector<Ttlv> attributes{mask(usage), activeNow()};
    for (auto& e : extra) attributes.push_back(std::move(e));
    return registerKey(kmip::ObjectType::SymmetricKey, kmip::KeyFormatType::Raw, Ttlv::byteString("KeyMaterial", key),
                       kmip::CryptographicAlgorithm::AES, static_cast<std::int32_t>(key.size() * 8),
                       std::move(attributes));
  }

  Ttlv get(const std::string& uid, std::optional<kmip::KeyFormatType> format = std::nullopt) {
    std::vector<Ttlv> items{Ttlv::textString("UniqueIdentifier", uid)};
    if (format) items.push_back(enumItem("KeyFormatType", *format));
    return run(Ttlv::structure("Get", items));
  }

  // The KeyBlock of a Get response.
  static Ttlv keyBlockOf(const Ttlv& getResponse, const std::string& objectTag) {
    return getResponse.at(objectTag).at("KeyBlock");
  }
};

// One RSA-2048 pair per test process (generation takes a while).
inline const keys::RsaKeyPairDer& sharedRsaPair() {
  static const keys::RsaKeyPairDer pair = keys::KeyGenerator::rsa(2048);
  return pair;
}

}  // namespace kms::ops::keystest
