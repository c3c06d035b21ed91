// RequestProcessor: RequestMessage handling (header, batches, placeholder, continuation) and
// bare operations.
#include <doctest/doctest.h>

#include "support_Fixture.hpp"

using namespace kms;
using namespace kms::ops::test;
using kms::kmip::Operation;
using kms::kmip::Ttlv;

namespace {

std::uint32_t stateOf(const Ttlv& getAttributesItem) {
  return payloadOf(getAttributesItem).at("Attributes").at("State").asEnumeration();
}

constexpr auto kActive = static_cast<std::uint32_t>(kmip::State::Active);

}  // namespace

TEST_CASE("a ResponseMessage echoes version, correlation value and batch item ids") {
  Fixture f;
  const auto key = f.addKey("alice", "k1");
  HeaderOptions options;
  options.correlation = "SKLC-M-1-21 step=1";
  const auto response = f.process(requestMessage(
      {batchItem(Operation::GetAttributes, {uid(key), reference("State")}, std::string("id-1"))}, options));
  REQUIRE(response.tag() == "ResponseMessage");
  const auto& header = response.at("ResponseHeader");
  CHECK(header.at("ProtocolVersion").at("ProtocolVersionMajor").asInteger() == 2);
  CHECK(header.at("ProtocolVersion").at("ProtocolVersionMinor").asInteger() == 1);
  CHECK(header.at("ClientCorrelationValue").asText() == "SKLC-M-1-21 step=1");
  CHECK(header.at("TimeStamp").asDateTime() > 1'600'000'000);
  CHECK(header.at("BatchCount").asInteger() == 1);
  const auto items = batchItems(response);
  REQUIRE(items.size() == 1);
  CHECK(items[0].at("Operation").asEnumeration() == static_cast<std::uint32_t>(Operation::GetAttributes));
  CHECK(items[0].at("UniqueBatchItemID").asBytes() == Ttlv::Bytes{'i', 'd', '-', '1'});
  CHECK(succeeded(items[0]));
  CHECK(payloadOf(items[0]).at("UniqueIdentifier").asText() == key);
}

TEST_CASE("without a ClientCorrelationValue the response header has none") {
  Fixture f;
  const auto response = f.process(requestMessage({batchItem(Operation::DiscoverVersions, {})}));
  CHECK(response.at("ResponseHeader").find("ClientCorrelationValue") == nullptr);
}

TEST_CASE("protocol versions 2.1, 2.0 and 1.x are accepted and echoed; others refused") {
  Fixture f;
  for (auto [major, minor] : {std::pair{2, 1}, {2, 0}, {1, 4}, {1, 0}}) {
    HeaderOptions options;
    options.major = major;
    options.minor = minor;
    const auto response = f.process(requestMessage({batchItem(Operation::DiscoverVersions, {})}, options));
    CHECK(response.at("ResponseHeader").at("ProtocolVersion").at("ProtocolVersionMajor").asInteger() == major);
    CHECK(response.at("ResponseHeader").at("ProtocolVersion").at("ProtocolVersionMinor").asInteger() == minor);
  }
  HeaderOptions bad;
  bad.major = 3;
  bad.minor = 0;
  CHECK(errorOf([&] { (void)f.process(requestMessage({batchItem(Operation::DiscoverVersions, {})}, bad)); }) ==
        ErrorCode::InvalidMessage);
}

TEST_CASE("a BatchCount that does not match the items is an invalid message") {
  Fixture f;
  HeaderOptions options;
  options.batchCount = 2;
  CHECK(errorOf([&] { (void)f.process(requestMessage({batchItem(Operation::DiscoverVersions, {})}, options)); }) ==
        ErrorCode::InvalidMessage);
  Ttlv noHeader = Ttlv::structure("RequestMessage", {batchItem(Operation::DiscoverVersions, {})});
  CHECK(errorOf([&] { (void)f.process(noHeader); }) == ErrorCode::InvalidMessage);
}

TEST_CASE("the ID placeholder carries a Locate result to the next items of the batch") {
  Fixture f;
  const auto key = f.addKey("alice", "placeholder-key");
  (void)f.addKey("alice", "other-key");
  const auto response = f.process(requestMessage({
      batchItem(Operation::Locate, {attributes({name("placeholder-key")})}, std::string("1")),
      batchItem(Operation::Activate, {}, std::string("2")),
      batchItem(Operation::GetAttributes, {reference("State")}, std::string("3")),
  }));
  const auto items = batchItems(response);
  REQUIRE(items.size() == 3);
  for (const auto& item : items) CHECK(succeeded(item));
  CHECK(payloadOf(items[1]).at("UniqueIdentifier").asText() == key);
  CHECK(payloadOf(items[2]).at("UniqueIdentifier").asText() == key);
  CHECK(stateOf(items[2]) == kActive);
}

TEST_CASE("the ID placeholder does not outlive its message, and a Locate of many empties it") {
  Fixture f;
  (void)f.addKey("alice", "a");
  (void)f.addKey("alice", "b");
  // New message: no placeholder.
  auto item = f.single(Operation::Activate, {});
  CHECK(failure(item) == ErrorCode::MissingData);
  HeaderOptions options;
  options.continuation = kmip::BatchErrorContinuationOption::Continue;
  const auto response =
      f.process(requestMessage({batchItem(Operation::Locate, {attributes({name("a")})}, std::string("1")),
                                batchItem(Operation::Locate, {attributes({})}, std::string("2")),
                                batchItem(Operation::GetAttributes, {}, std::string("3"))},
                               options));
  const auto items = batchItems(response);
  REQUIRE(items.size() == 3);
  CHECK(payloadOf(items[1]).findAll("UniqueIdentifier").size() == 2);
  CHECK(failure(items[2]) == ErrorCode::MissingData);
}

TEST_CASE("batch error continuation: Stop (the default) ends the batch at the failure") {
  Fixture f;
  const auto key = f.addKey();
  const auto response = f.process(requestMessage({
      batchItem(Operation::Activate, {uid(key)}, std::string("1")),
      batchItem(Operation::Activate, {uid(key)}, std::string("2")),  // already Active
      batchItem(Operation::GetAttributes, {uid(key)}, std::string("3")),
  }));
  const auto items = batchItems(response);
  REQUIRE(items.size() == 2);
  CHECK(response.at("ResponseHeader").at("BatchCount").asInteger() == 2);
  CHECK(succeeded(items[0]));
  CHECK(items[1].at("ResultStatus").asEnumeration() == static_cast<std::uint32_t>(kmip::ResultStatus::OperationFailed));
  CHECK(items[1].at("ResultReason").asEnumeration() ==
        static_cast<std::uint32_t>(kmip::ResultReason::WrongKeyLifecycleState));
  CHECK(resultMessage(items[1]).find("PreActive") != std::string::npos);
  CHECK(items[1].find("ResponsePayload") == nullptr);
}

TEST_CASE("batch error continuation: Continue runs every item") {
  Fixture f;
  const auto key = f.addKey();
  HeaderOptions options;
  options.continuation = kmip::BatchErrorContinuationOption::Continue;
  const auto response = f.process(requestMessage(
      {
          batchItem(Operation::Activate, {uid("missing")}, std::string("1")),
          batchItem(Operation::Activate, {uid(key)}, std::string("2")),
      },
      options));
  const auto items = batchItems(response);
  REQUIRE(items.size() == 2);
  CHECK(failure(items[0]) == ErrorCode::NotFound);
  CHECK(succeeded(items[1]));
  CHECK(response.at("ResponseHeader").at("BatchCount").asInteger() == 2);
}

TEST_CASE("batch error continuation: Undo of several items runs nothing") {
  Fixture f;
  const auto key = f.addKey();
  HeaderOptions options;
  options.continuation = kmip::BatchErrorContinuationOption::Undo;
  const auto response = f.process(requestMessage({batchItem(Operation::Activate, {uid(key)}, std::string("1")),
                                                  batchItem(Operation::GetAttributes, {uid(key)}, std::string("2"))},
                                                 options));
  const auto items = batchItems(response);
  REQUIRE(items.size() == 2);
  for (const auto& item : items) CHECK(failure(item) == ErrorCode::FeatureNotSupported);
  CHECK(f.load(key).attributes.at("State").asEnumeration() == static_cast<std::uint32_t>(kmip::State::PreActive));
  // A single item needs no undo.
  const auto one = f.process(requestMessage({batchItem(Operation::Activate, {uid(key)})}, options));
  CHECK(succeeded(batchItems(one).at(0)));
}

TEST_CASE("an operation kmsd does not implement fails its item with OperationNotSupported") {
  Fixture f;
  auto item = f.single(Operation::Certify, {});
  CHECK(failure(item) == ErrorCode::OperationNotSupported);
  CHECK(item.at("Operation").asEnumeration() == static_cast<std::uint32_t>(Operation::Certify));
  Ttlv noPayload = requestMessage(
      {Ttlv::structure("BatchItem", {Ttlv::enumeration("Operation", static_cast<std::uint32_t>(Operation::Query))})});
  CHECK(failure(batchItems(f.process(noPayload)).at(0)) == ErrorCode::MissingData);
}

TEST_CASE("a bare operation answers a bare <Op>Response, and its errors throw") {
  Fixture f;
  const auto key = f.addKey();
  const auto response = f.bare("Activate", {uid(key)});
  CHECK(response.tag() == "ActivateResponse");
  CHECK(response.at("UniqueIdentifier").asText() == key);
  CHECK(errorOf([&] { (void)f.bare("Activate", {uid(key)}); }) == ErrorCode::WrongKeyLifecycleState);
  CHECK(errorOf([&] { (void)f.bare("Activate", {}); }) == ErrorCode::MissingData);
  CHECK(errorOf([&] { (void)f.bare("NoSuchOperation", {}); }) == ErrorCode::OperationNotSupported);
  CHECK(errorOf([&] { (void)f.bare("Certify", {}); }) == ErrorCode::OperationNotSupported);
  CHECK(errorOf([&] { (void)f.bare("GetAttributes", {uid("nope")}); }) == ErrorCode::NotFound);
}

TEST_CASE("a type error inside a payload is reported on the item, not as a crash") {
  Fixture f;
  auto item = f.single(Operation::GetAttributes, {Ttlv::integer("UniqueIdentifier", 5)});
  CHECK(failure(item) == ErrorCode::InvalidField);
}
