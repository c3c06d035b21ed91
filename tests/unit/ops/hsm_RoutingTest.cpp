// handlers/OperationTable routes Get, Export, GetAttributes and Destroy by the UID's form: an
// hsm:: UID reaches the HSM's handler through the RequestProcessor, anything else the
// database's, and both answer a missing object with the same words.
#include <doctest/doctest.h>

#include "hsm_Fixture.hpp"
#include "kms/Exception.hpp"
#include "kms/kmip/Enums.hpp"
#include "kms/ops/RequestProcessor.hpp"

using kms::kmip::Ttlv;
using kms::ops::RequestContext;
using kms::ops::RequestProcessor;
using kms::ops::test::HsmFixture;

namespace {

HsmFixture& fixture() {
  static HsmFixture f;
  return f;
}

Ttlv bare(RequestProcessor& processor, const std::string& operation, const std::string& uid,
          const std::string& user = "admin") {
  return processor.process(Ttlv::structure(operation, {Ttlv::textString("UniqueIdentifier", uid)}),
                           RequestContext{user});
}

std::string failureOf(RequestProcessor& processor, const std::string& operation, const std::string& uid,
                      const std::string& user = "admin") {
  try {
    (void)bare(processor, operation, uid, user);
  } catch (const kms::Exception& e) {
    return e.what();
  }
  return "no failure";
}

}  // namespace

TEST_CASE("Get, Export, GetAttributes and Destroy of an hsm:: UID are served by the HSM") {
  auto& f = fixture();
  RequestProcessor processor(f.store(), f.settings());
  const auto label = HsmFixture::unique("routed");
  f.instance().generateRsa(f.slot(), label, 2048, {.sensitive = true});
  const auto uid = f.uidOf(label);

  const auto got = bare(processor, "Get", uid + "_pk");
  CHECK(got.at("ObjectType").asEnumeration() == static_cast<std::uint32_t>(kms::kmip::ObjectType::PublicKey));
  CHECK(got.find("PublicKey") != nullptr);
  const auto exported = bare(processor, "Export", uid + "_pk");
  CHECK(exported.at("Attributes").at("Name").at("NameValue").asText() == label + "_pk");
  const auto attributes = bare(processor, "GetAttributes", uid);
  CHECK(attributes.at("Attributes").at("ObjectType").asEnumeration() ==
        static_cast<std::uint32_t>(kms::kmip::ObjectType::PrivateKey));
  CHECK(attributes.at("Attributes").at("Sensitive").asBoolean());
  // The HSM's own refusal: a sensitive private key never leaves it.
  CHECK(failureOf(processor, "Get", uid) == uid + " is sensitive: its key material never leaves the HSM");

  // Someone without a grant: the database's NotFound, for the HSM key and a database UID alike.
  CHECK(failureOf(processor, "GetAttributes", uid, "mallory") == "object '" + uid + "' not found");
  CHECK(failureOf(processor, "GetAttributes", "no-such-object", "mallory") == "object 'no-such-object' not found");

  CHECK(bare(processor, "Destroy", uid).at("UniqueIdentifier").asText() == uid);
  CHECK(failureOf(processor, "Get", uid) == "object '" + uid + "' not found");
}
