#pragma once
// One key of a JSON Web Key Set (RFC 7517/7518) as a key Poco::JWT can verify with:
//   kty RSA  (n, e; modulus of 2048 bits or more)  -> RS256
//   kty EC   (crv P-256, x, y)                     -> ES256
//   kty oct  (k)                                   -> HS256 (test set-ups: a shared secret)
// Each key verifies exactly one algorithm, chosen by its type, so that a token cannot pick
// how its signature is checked (no RSA public key used as an HMAC secret, no "none").
#include <Poco/Crypto/ECKey.h>
#include <Poco/Crypto/RSAKey.h>
#include <Poco/JSON/Object.h>
#include <Poco/SharedPtr.h>

#include <string>

namespace kms::auth {

class JwkKey {
 public:
  // Throws std::invalid_argument naming what is wrong (unsupported kty, bad base64url...).
  static JwkKey fromJson(const Poco::JSON::Object& jwk);

  [[nodiscard]] const std::string& kid() const noexcept { return kid_; }
  [[nodiscard]] const std::string& algorithm() const noexcept { return algorithm_; }
  // True when `jwt` carries a valid signature by this key with its algorithm (the token's
  // "alg" must be that algorithm). Claims are not checked here.
  [[nodiscard]] bool verifies(const std::string& jwt) const;

 private:
  std::string kid_;
  std::string algorithm_;  // RS256, ES256 or HS256
  Poco::SharedPtr<Poco::Crypto::RSAKey> rsa_;
  Poco::SharedPtr<Poco::Crypto::ECKey> ec_;
  std::string hmac_;
};

}  // namespace kms::auth
