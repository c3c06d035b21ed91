// Microsoft DKE's transport-free parts: the [ms_dke_config] policy (email or upn in any case,
// roles, either, neither) and the standard base64 of "n" and "value".
#include <doctest/doctest.h>

#include <string>

#include "kms/Base64.hpp"
#include "kms/integrations/ms_dke/DkeAuthorization.hpp"

using kms::Base64;
using kms::integrations::ms_dke::DkeAuthorization;
using kms::integrations::ms_dke::DkeCaller;

namespace {

DkeCaller caller(std::string email, std::vector<std::string> roles = {}) {
  return DkeCaller{"user", std::move(email), std::move(roles)};
}

kms::SecureBytes bytes(std::string_view text) {
  return {text.begin(), text.end()};
}

}  // namespace

TEST_CASE("DkeAuthorization: emails, roles, either, neither") {
  const DkeAuthorization open({}, {});
  CHECK(open.admits(caller("")));

  const DkeAuthorization emails({" Alice@Contoso.test "}, {});
  CHECK(emails.admits(caller("alice@contoso.TEST")));
  CHECK_FALSE(emails.admits(caller("bob@contoso.test")));
  CHECK_FALSE(emails.admits(caller("", {"DKE.Decrypt"})));

  const DkeAuthorization roles({}, {"DKE.Decrypt"});
  CHECK(roles.admits(caller("", {"Reader", "DKE.Decrypt"})));
  CHECK_FALSE(roles.admits(caller("", {"dke.decrypt"})));  // role names are exact
  CHECK_FALSE(roles.admits(caller("alice@contoso.test")));

  const DkeAuthorization both({"alice@contoso.test"}, {"DKE.Decrypt"});
  CHECK(both.admits(caller("alice@contoso.test")));
  CHECK(both.admits(caller("bob@contoso.test", {"DKE.Decrypt"})));
  CHECK_FALSE(both.admits(caller("bob@contoso.test", {"Reader"})));
}

TEST_CASE("Base64 as DKE reads it: standard alphabet, padding optional, refusals") {
  CHECK(Base64::encode(bytes("")) == "");
  CHECK(Base64::encode(bytes("f")) == "Zg==");
  CHECK(Base64::encode(bytes("foob")) == "Zm9vYg==");
  CHECK(Base64::encode(kms::SecureBytes{0xfb, 0xff}) == "+/8=");
  CHECK(Base64::decode("Zm9vYmFy") == bytes("foobar"));
  CHECK(Base64::decode("Zm9vYg", Base64::Padding::Optional) == bytes("foob"));  // DKE clients may leave padding out
  CHECK_FALSE(Base64::decode("Zm9vYg").has_value());
  CHECK_FALSE(Base64::decode("Zm9vYg=", Base64::Padding::Optional).has_value());
  CHECK(Base64::decode("+/8=") == kms::SecureBytes{0xfb, 0xff});
  CHECK_FALSE(Base64::decode("not base64!").has_value());
  CHECK_FALSE(Base64::decode("Zm9v Yg==").has_value());
  CHECK_FALSE(Base64::decode("Z", Base64::Padding::Optional).has_value());
}
