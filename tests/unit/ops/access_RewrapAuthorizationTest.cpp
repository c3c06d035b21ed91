// Who may re-wrap (RequestProcessor::rewrap, wrapping::Rewrapper): only an hsm_admin of both
// keys' HSMs, on a real SoftHSM2 token. A caller who is not learns nothing of the configuration:
// an instance that does not exist and one they do not administer answer alike.
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <unistd.h>

#include <string>

#include "access_SoftHsm.hpp"
#include "support_Fixture.hpp"

using kms::ErrorCode;
using kms::Exception;
using kms::ops::ProcessorSettings;
using kms::ops::test::errorOf;
using kms::ops::test::Fixture;

namespace {

std::pair<ErrorCode, std::string> refusal(Fixture& fx, const std::string& from, const std::string& to,
                                          const std::string& user) {
  try {
    (void)fx.processor().rewrap(from, to, user, 0);
  } catch (const Exception& e) {
    return {e.code(), e.what()};
  }
  FAIL("re-wrapped");
  return {};
}

}  // namespace

TEST_CASE("re-wrap: hsm_admin of both HSMs only; an unknown instance answers as one not administered") {
  const auto hsm = kms::ops::test::softHsmInstance({"hsmadmin"});
  const std::string label = fmt::format("rewrap-{}", ::getpid());
  hsm.instance->generateAes(hsm.slot, label, 256, kms::hsm::KeyProtection{.sensitive = true});
  const std::string key = fmt::format("hsm::softhsm2::{}::{}", hsm.slot, label);
  const std::string elsewhere = fmt::format("hsm::proteccio::{}::{}", hsm.slot, label);

  ProcessorSettings settings;
  settings.hsm = hsm.registry.get();
  Fixture fx(settings);

  const std::pair denied{ErrorCode::PermissionDenied,
                         std::string("re-wrapping needs an hsm_admin of the HSMs of both keys")};
  CHECK(refusal(fx, key, key, "mallory") == denied);
  CHECK(refusal(fx, elsewhere, key, "mallory") == denied);
  CHECK(refusal(fx, key, elsewhere, "mallory") == denied);
  CHECK(refusal(fx, key, elsewhere, "hsmadmin") == denied);  // not admin of an instance that is not there
  CHECK(refusal(fx, "not-an-hsm-key", key, "hsmadmin") ==
        std::pair{ErrorCode::InvalidField, std::string("from and to must be HSM keys (hsm::...)")});
  // An admin is told of a slot the instance does not serve.
  CHECK(errorOf([&] {
          (void)fx.processor().rewrap(fmt::format("hsm::softhsm2::{}::{}", hsm.slot + 1000, label), key, "hsmadmin", 0);
        }) == ErrorCode::NotFound);

  // The admin migrates in place: nothing is wrapped by the key, nothing to do.
  const auto result = fx.processor().rewrap(key, key, "hsmadmin", 0);
  CHECK(result.rewrapped == 0);
  CHECK(result.failed == 0);
  CHECK(result.remaining == 0);
  hsm.instance->destroy(kms::hsm::KeyRef{hsm.slot, label, {}});
}

TEST_CASE("re-wrap without any HSM: not supported, whoever asks") {
  Fixture fx;
  CHECK(errorOf([&] { (void)fx.processor().rewrap("hsm::softhsm2::1::a", "hsm::softhsm2::1::b", "anyone", 0); }) ==
        ErrorCode::FeatureNotSupported);
}
