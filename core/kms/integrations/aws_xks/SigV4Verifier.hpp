#pragma once
// Verifies the SigV4 signature of an XKS request (specification, Appendix A): the
// Authorization header's form, its credential scope (date, the configured region and service,
// aws4_request), an access key id of the configured credentials (two at once, for rotation),
// X-Amz-Date within 5 minutes of the server's clock, then the signature recomputed over the
// canonical request and compared in constant time.
//
// The work is split in two so that a request that cannot pass costs little: precheck() reads
// the headers only (no body read, no HMAC); verify() hashes the body and computes the HMACs.
// Every failure throws XksError(AuthenticationFailedException) with a reason for the log; the
// client learns only that authentication failed.
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "kms/integrations/aws_xks/SigV4.hpp"
#include "kms/integrations/aws_xks/SigningKeyCache.hpp"

namespace kms::integrations::aws_xks {

struct SigV4Credential {
  std::string accessKeyId;
  std::string secretAccessKey;
};

class SigV4Verifier {
 public:
  // What precheck() found in the Authorization header.
  struct Authorization {
    std::string accessKeyId;
    std::string scope;          // <date>/<region>/<service>/aws4_request
    std::string date;           // yyyymmdd
    std::string signedHeaders;  // as sent: host;x-amz-date
    std::vector<std::string> signedHeaderNames;
    std::string signature;  // 64 lower-case hex digits
    const SigV4Credential* credential = nullptr;
  };

  static constexpr std::chrono::seconds kAllowedSkew{300};

  SigV4Verifier(std::vector<SigV4Credential> credentials, std::string region, std::string service);

  // `authorization` and `amzDate` are the headers' values (empty when absent).
  [[nodiscard]] Authorization precheck(std::string_view authorization, std::string_view amzDate,
                                       std::chrono::system_clock::time_point now) const;
  // `headers`: every request header (name as sent, value), looked up case-insensitively.
  void verify(const Authorization& authorization, std::string_view method, std::string_view path,
              std::string_view query, const std::vector<SigV4::Header>& headers, std::string_view amzDate,
              std::string_view body) const;

 private:
  std::vector<SigV4Credential> credentials_;
  std::string region_;
  std::string service_;
  mutable SigningKeyCache signingKeys_;  // verify() is const and runs on many threads
};

}  // namespace kms::integrations::aws_xks
