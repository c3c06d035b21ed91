#pragma once
// The requestMetadata of an XKS request: what AWS says about the call (who, which KMS key, which
// KMS request). It goes into the log line so that a customer can match kmsd's log with
// CloudTrail; it never decides anything (the XKS user's grants do).
#include <string>

namespace kms::integrations::aws_xks {

class XksBody;

struct RequestMetadata {
  std::string awsPrincipalArn;
  std::string awsSourceVpc;
  std::string awsSourceVpce;
  std::string kmsKeyArn;
  std::string kmsOperation;
  std::string kmsRequestId;
  std::string kmsViaService;

  // From the request body. `strict`: requestMetadata with awsPrincipalArn, kmsOperation and
  // kmsRequestId must be there (ValidationException otherwise); health requests are read
  // leniently (GetHealthStatus has no ValidationException). ARNs up to 2048 characters.
  [[nodiscard]] static RequestMetadata read(const XksBody& body, bool strict);
  // " kmsRequestId=... kmsOperation=..." of the fields present, printable ASCII only.
  [[nodiscard]] std::string logText() const;
};

}  // namespace kms::integrations::aws_xks
