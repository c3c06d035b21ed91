// Query, DiscoverVersions, Interop and Log.
#include <doctest/doctest.h>

#include "support_Fixture.hpp"

using namespace kms;
using namespace kms::ops::test;
using kms::kmip::Operation;
using kms::kmip::Ttlv;

namespace {

Ttlv queryFunction(kmip::QueryFunction fn) {
  return Ttlv::enumeration("QueryFunction", static_cast<std::uint32_t>(fn));
}

std::vector<std::pair<int, int>> versions(const Ttlv& item) {
  std::vector<std::pair<int, int>> out;
  for (const auto* v : payloadOf(item).findAll("ProtocolVersion")) {
    out.emplace_back(v->at("ProtocolVersionMajor").asInteger(), v->at("ProtocolVersionMinor").asInteger());
  }
  return out;
}

}  // namespace

TEST_CASE("Query lists operations, object types and server information") {
  ops::ProcessorSettings settings;
  settings.serverVersion = "9.8.7";
  Fixture f(settings);
  const auto item = f.single(Operation::Query, {queryFunction(kmip::QueryFunction::QueryOperations),
                                                queryFunction(kmip::QueryFunction::QueryObjects),
                                                queryFunction(kmip::QueryFunction::QueryServerInformation)});
  REQUIRE(succeeded(item));
  const auto& payload = payloadOf(item);
  std::vector<std::uint32_t> ops;
  for (const auto* o : payload.findAll("Operation")) ops.push_back(o->asEnumeration());
  for (auto expected : {Operation::Create, Operation::Locate, Operation::GetAttributes, Operation::Activate,
                        Operation::Revoke, Operation::Destroy, Operation::Query, Operation::DiscoverVersions}) {
    CHECK(std::find(ops.begin(), ops.end(), static_cast<std::uint32_t>(expected)) != ops.end());
  }
  CHECK(std::find(ops.begin(), ops.end(), static_cast<std::uint32_t>(Operation::Certify)) == ops.end());
  CHECK(payload.findAll("ObjectType").size() == 3);
  CHECK(payload.at("VendorIdentification").asText() == "cosmian");
  CHECK(payload.at("ServerInformation").at("ServerVersion").asText() == "9.8.7");
  // Items come in the order of the response table: operations, object types, vendor, info.
  CHECK(payload.items().front().tag() == "Operation");
  CHECK(payload.items().back().tag() == "ServerInformation");
  // Only what was asked.
  const auto onlyObjects = f.single(Operation::Query, {queryFunction(kmip::QueryFunction::QueryObjects)});
  CHECK(payloadOf(onlyObjects).findAll("Operation").empty());
  CHECK(payloadOf(onlyObjects).findAll("ObjectType").size() == 3);
  const auto nothing = f.single(Operation::Query, {queryFunction(kmip::QueryFunction::QueryRNGs)});
  CHECK(payloadOf(nothing).items().empty());
}

TEST_CASE("DiscoverVersions answers the versions both sides speak, in the server's order") {
  Fixture f;
  const auto all = f.single(Operation::DiscoverVersions, {});
  CHECK(versions(all) == std::vector<std::pair<int, int>>{{2, 1}, {2, 0}, {1, 4}, {1, 3}, {1, 2}, {1, 1}, {1, 0}});
  const auto some =
      f.single(Operation::DiscoverVersions, {protocolVersion(1, 2), protocolVersion(2, 1), protocolVersion(3, 0)});
  CHECK(versions(some) == std::vector<std::pair<int, int>>{{2, 1}, {1, 2}});
  const auto none = f.single(Operation::DiscoverVersions, {protocolVersion(3, 0)});
  CHECK(versions(none).empty());
}

TEST_CASE("Interop and Log answer an empty payload") {
  std::vector<std::string> logged;
  ops::ProcessorSettings settings;
  settings.debugLog = [&](std::string_view line) { logged.emplace_back(line); };
  Fixture f(settings);
  const auto begin = f.single(Operation::Interop, {Ttlv::enumeration("InteropFunction", 1),
                                                   Ttlv::textString("InteropIdentifier", "BL-M-1-21")});
  REQUIRE(succeeded(begin));
  CHECK(payloadOf(begin).items().empty());
  CHECK(failure(f.single(Operation::Interop, {Ttlv::enumeration("InteropFunction", 9),
                                              Ttlv::textString("InteropIdentifier", "x")})) == ErrorCode::InvalidField);

  const auto log = f.single(Operation::Log, {Ttlv::textString("LogMessage", "Registered a key.\n\x1b[31mfake line")});
  REQUIRE(succeeded(log));
  CHECK(payloadOf(log).items().empty());
  REQUIRE(logged.size() == 1);
  CHECK(logged[0].find('\n') == std::string::npos);
  CHECK(logged[0].find('\x1b') == std::string::npos);
  CHECK(logged[0].find("Registered a key.") != std::string::npos);
  (void)f.single(Operation::Log, {Ttlv::textString("LogMessage", std::string(5000, 'a'))});
  CHECK(logged.at(1).size() < 300);
  CHECK(failure(f.single(Operation::Log, {})) == ErrorCode::MissingData);
}
