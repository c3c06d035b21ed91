// Activate, Revoke, Destroy: every transition of KMIP 2.1 section 4.57 kmsd performs, and
// every refused one with its reason.
#include <doctest/doctest.h>

#include "kms/ops/objects/Lifecycle.hpp"
#include "support_Fixture.hpp"

using namespace kms;
using namespace kms::ops::test;
using kms::kmip::Operation;
using kms::kmip::State;
using kms::kmip::Ttlv;

namespace {

State stateOf(Fixture& f, const std::string& key) {
  return static_cast<State>(f.load(key).attributes.at("State").asEnumeration());
}

Ttlv reason(kmip::RevocationReasonCode code, const std::string& message = {}) {
  Ttlv r = Ttlv::structure("RevocationReason",
                           {Ttlv::enumeration("RevocationReasonCode", static_cast<std::uint32_t>(code))});
  if (!message.empty()) r.add(Ttlv::textString("RevocationMessage", message));
  return r;
}

std::optional<ErrorCode> revoke(Fixture& f, const std::string& key, kmip::RevocationReasonCode code) {
  return failure(f.single(Operation::Revoke, {uid(key), reason(code)}));
}

std::optional<ErrorCode> run(Fixture& f, Operation op, const std::string& key) {
  return failure(f.single(op, {uid(key)}));
}

}  // namespace

TEST_CASE("a new object is PreActive; an ActivationDate already reached makes it Active") {
  Fixture f;
  CHECK(stateOf(f, f.addKey()) == State::PreActive);
  const auto past = f.addKey("alice", {}, {}, {Ttlv::dateTime("ActivationDate", 946'735'200)});
  CHECK(stateOf(f, past) == State::Active);
  CHECK(f.load(past).attributes.at("ActivationDate").asDateTime() == 946'735'200);
  const auto future = f.addKey("alice", {}, {}, {Ttlv::dateTime("ActivationDate", 4'102'444'800)});
  CHECK(stateOf(f, future) == State::PreActive);
}

TEST_CASE("Activate: PreActive -> Active with ActivationDate; any other state is refused") {
  Fixture f;
  const auto key = f.addKey();
  const auto item = f.single(Operation::Activate, {uid(key)});
  REQUIRE(succeeded(item));
  CHECK(payloadOf(item).at("UniqueIdentifier").asText() == key);
  const auto object = f.load(key);
  CHECK(stateOf(f, key) == State::Active);
  CHECK(object.attributes.at("ActivationDate").asDateTime() > 1'600'000'000);
  CHECK(run(f, Operation::Activate, key) == ErrorCode::WrongKeyLifecycleState);
  REQUIRE_FALSE(revoke(f, key, kmip::RevocationReasonCode::CessationOfOperation));
  CHECK(run(f, Operation::Activate, key) == ErrorCode::WrongKeyLifecycleState);
}

TEST_CASE("SKLC-M-2: Destroy of an Active key is refused; after a compromise it is destroyed") {
  Fixture f;
  const auto key = f.addKey();
  REQUIRE_FALSE(run(f, Operation::Activate, key));
  const auto refused = f.single(Operation::Destroy, {uid(key)});
  CHECK(failure(refused) == ErrorCode::WrongKeyLifecycleState);
  CHECK(refused.at("ResultReason").asEnumeration() ==
        static_cast<std::uint32_t>(kmip::ResultReason::WrongKeyLifecycleState));
  CHECK(resultMessage(refused).find("revoke it first") != std::string::npos);
  CHECK(stateOf(f, key) == State::Active);

  REQUIRE(succeeded(f.single(Operation::Revoke, {uid(key), reason(kmip::RevocationReasonCode::KeyCompromise),
                                                 Ttlv::dateTime("CompromiseOccurrenceDate", 6)})));
  CHECK(stateOf(f, key) == State::Compromised);
  const auto compromised = f.load(key);
  CHECK(compromised.attributes.at("CompromiseOccurrenceDate").asDateTime() == 6);
  CHECK(compromised.attributes.at("RevocationReason").at("RevocationReasonCode").asEnumeration() ==
        static_cast<std::uint32_t>(kmip::RevocationReasonCode::KeyCompromise));

  REQUIRE(succeeded(f.single(Operation::Destroy, {uid(key)})));
  CHECK(stateOf(f, key) == State::DestroyedCompromised);
}

TEST_CASE("Revoke for a non-compromise reason: Active -> Deactivated only") {
  Fixture f;
  const auto preActive = f.addKey();
  CHECK(revoke(f, preActive, kmip::RevocationReasonCode::Superseded) == ErrorCode::WrongKeyLifecycleState);
  REQUIRE_FALSE(run(f, Operation::Activate, preActive));
  REQUIRE_FALSE(revoke(f, preActive, kmip::RevocationReasonCode::Superseded));
  CHECK(stateOf(f, preActive) == State::Deactivated);
  CHECK(f.load(preActive).attributes.at("DeactivationDate").asDateTime() > 1'600'000'000);
  CHECK(revoke(f, preActive, kmip::RevocationReasonCode::Superseded) == ErrorCode::WrongKeyLifecycleState);
  // A compromise occurrence date belongs to compromise reasons only.
  const auto other = f.addKey();
  REQUIRE_FALSE(run(f, Operation::Activate, other));
  CHECK(failure(f.single(Operation::Revoke, {uid(other), reason(kmip::RevocationReasonCode::Unspecified),
                                             Ttlv::dateTime("CompromiseOccurrenceDate", 6)})) ==
        ErrorCode::InvalidField);
  CHECK(failure(f.single(Operation::Revoke, {uid(other)})) == ErrorCode::MissingData);
}

TEST_CASE("Revoke for compromise: PreActive, Deactivated -> Compromised; Destroyed -> DestroyedCompromised") {
  Fixture f;
  const auto preActive = f.addKey();
  REQUIRE_FALSE(revoke(f, preActive, kmip::RevocationReasonCode::CACompromise));
  CHECK(stateOf(f, preActive) == State::Compromised);
  // Without an occurrence date, the Initial Date stands in for it.
  const auto object = f.load(preActive);
  CHECK(object.attributes.at("CompromiseOccurrenceDate").asDateTime() ==
        object.attributes.at("InitialDate").asDateTime());
  CHECK(revoke(f, preActive, kmip::RevocationReasonCode::KeyCompromise) == ErrorCode::WrongKeyLifecycleState);

  const auto deactivated = f.addKey();
  REQUIRE_FALSE(run(f, Operation::Activate, deactivated));
  REQUIRE_FALSE(revoke(f, deactivated, kmip::RevocationReasonCode::CessationOfOperation));
  REQUIRE_FALSE(revoke(f, deactivated, kmip::RevocationReasonCode::KeyCompromise));
  CHECK(stateOf(f, deactivated) == State::Compromised);

  const auto destroyed = f.addKey();
  REQUIRE_FALSE(run(f, Operation::Destroy, destroyed));
  REQUIRE_FALSE(revoke(f, destroyed, kmip::RevocationReasonCode::KeyCompromise));
  CHECK(stateOf(f, destroyed) == State::DestroyedCompromised);
  CHECK(revoke(f, destroyed, kmip::RevocationReasonCode::KeyCompromise) == ErrorCode::WrongKeyLifecycleState);
  CHECK(revoke(f, destroyed, kmip::RevocationReasonCode::Unspecified) == ErrorCode::WrongKeyLifecycleState);
}

TEST_CASE("Destroy: the key material goes, the metadata stays; twice is refused") {
  Fixture f;
  const auto key = f.addKey("alice", "to-destroy");
  REQUIRE(succeeded(f.single(Operation::Destroy, {uid(key)})));
  const auto object = f.load(key);
  CHECK(stateOf(f, key) == State::Destroyed);
  CHECK(object.object.tag() == "SymmetricKey");
  CHECK(object.object.items().empty());
  CHECK(object.attributes.at("DestroyDate").asDateTime() > 1'600'000'000);
  CHECK(object.attributes.find("Digest") != nullptr);
  CHECK(ops::objects::isDestroyed(ops::objects::stateOf(object)));
  CHECK(errorOf([&] { ops::objects::requireKeyMaterial(object); }) == ErrorCode::KeyValueNotPresent);
  CHECK(run(f, Operation::Destroy, key) == ErrorCode::WrongKeyLifecycleState);
  CHECK(run(f, Operation::Activate, key) == ErrorCode::WrongKeyLifecycleState);
  // Attributes stay readable (SKLC/AKLC read them after Destroy).
  const auto item = f.single(Operation::GetAttributes, {uid(key), reference("State"), reference("Name")});
  REQUIRE(succeeded(item));
  CHECK(payloadOf(item).at("Attributes").at("State").asEnumeration() == static_cast<std::uint32_t>(State::Destroyed));

  const auto deactivated = f.addKey();
  REQUIRE_FALSE(run(f, Operation::Activate, deactivated));
  REQUIRE_FALSE(revoke(f, deactivated, kmip::RevocationReasonCode::AffiliationChanged));
  REQUIRE_FALSE(run(f, Operation::Destroy, deactivated));
  CHECK(stateOf(f, deactivated) == State::Destroyed);
}

TEST_CASE("lifecycle checks for the cryptographic handlers") {
  Fixture f;
  const auto key = f.addKey();
  auto object = f.load(key);
  CHECK(errorOf([&] { ops::objects::requireProtect(object, "Encrypt"); }) == ErrorCode::WrongKeyLifecycleState);
  CHECK(errorOf([&] { ops::objects::requireProcess(object, "Decrypt"); }) == ErrorCode::WrongKeyLifecycleState);
  REQUIRE_FALSE(run(f, Operation::Activate, key));
  object = f.load(key);
  CHECK_FALSE(errorOf([&] { ops::objects::requireProtect(object, "Encrypt"); }));
  REQUIRE_FALSE(revoke(f, key, kmip::RevocationReasonCode::KeyCompromise));
  object = f.load(key);
  CHECK(errorOf([&] { ops::objects::requireProtect(object, "Encrypt"); }) == ErrorCode::WrongKeyLifecycleState);
  CHECK_FALSE(errorOf([&] { ops::objects::requireProcess(object, "Decrypt"); }));
}

TEST_CASE("lifecycle operations of another user's object answer NotFound until granted") {
  Fixture f;
  const auto key = f.addKey("alice");
  const auto missing = f.single(Operation::Activate, {uid("no-such-object")}, "bob");
  const auto hidden = f.single(Operation::Activate, {uid(key)}, "bob");
  CHECK(failure(hidden) == ErrorCode::NotFound);
  CHECK(failure(missing) == ErrorCode::NotFound);
  f.store().grant(key, "bob", {"get"});
  CHECK(failure(f.single(Operation::Activate, {uid(key)}, "bob")) == ErrorCode::NotFound);
  f.store().grant(key, "bob", {"activate"});
  CHECK(succeeded(f.single(Operation::Activate, {uid(key)}, "bob")));
  CHECK(failure(f.single(Operation::Destroy, {uid(key)}, "bob")) == ErrorCode::NotFound);
}
