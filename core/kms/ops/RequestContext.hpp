#pragma once
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kms::ops {

// Who is asking, and what the audit log says about the request; filled by the transport after
// authentication. Only `user` decides anything: the rest is recorded (kms::audit), never used
// for authorization.
struct RequestContext {
  RequestContext() = default;
  explicit RequestContext(std::string who) : user(std::move(who)) {}

  std::string user;
  std::string requestId;       // the transport's request id, when it has one
  std::string peer;            // the client's address
  std::string_view transport;  // "http", "kmip-socket", "aws-xks", ...: a literal
  // Integration metadata for the audit line (AWS XKS: awsPrincipalArn, kmsKeyArn,
  // kmsRequestId, kmsOperation): name/value pairs, a few at most.
  std::vector<std::pair<std::string, std::string>> auditFields;
};

}  // namespace kms::ops
