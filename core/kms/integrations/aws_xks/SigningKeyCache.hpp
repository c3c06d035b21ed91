#pragma once
// The SigV4 signing keys of the configured credentials, derived once per day instead of once
// per request: a signing key depends only on the secret, the date of the credential scope, the
// region and the service, and its derivation (four HMACs) costs more than the rest of the
// signature check. A request's date is within 5 minutes of the server's clock, so two days per
// credential cover every accepted request, also at midnight. The keys are wiped when replaced
// and when the cache goes.
#include <array>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "kms/integrations/aws_xks/SigV4.hpp"

namespace kms::integrations::aws_xks {

class SigningKeyCache {
 public:
  // `credentials`: how many credentials the verifier holds (indexes 0..credentials-1).
  explicit SigningKeyCache(std::size_t credentials);
  ~SigningKeyCache();
  SigningKeyCache(const SigningKeyCache&) = delete;
  SigningKeyCache& operator=(const SigningKeyCache&) = delete;

  // The signing key of credential `index` (whose secret is `secret`) for `date` (yyyymmdd).
  [[nodiscard]] SigV4::Digest get(std::size_t index, std::string_view secret, std::string_view date,
                                  std::string_view region, std::string_view service);

 private:
  struct Entry {
    std::string date;  // empty: unused
    SigV4::Digest key{};
  };
  std::mutex mutex_;
  std::vector<std::array<Entry, 2>> entries_;  // per credential: the two latest dates
};

}  // namespace kms::integrations::aws_xks
