#pragma once
// One security-relevant event, as a request thread hands it to the audit log (AuditLog). It
// holds only what an auditor needs to answer "who did what to which object, with what result":
// never key material, PINs, passwords, tokens, plaintext or ciphertext. The writer thread turns
// it into a line (LineFormat) so that the request pays for filling these strings and no more.
#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace kms::audit {

struct AuditEvent {
  // What happened, dotted: "kmip" (an operation or batch item), "auth.failure", "access.grant",
  // "access.revoke", "token.issue", "token.revoke", "rewrap", "server.start", "server.stop",
  // "server.config", "audit.rotate".
  std::string type;
  std::string user;       // the authenticated user; empty when unknown (failed authentication)
  std::string operation;  // "Encrypt", "POST /tokens", ...
  std::vector<std::string> uids;
  // "success", "failure" or "denied" (authentication or authorization refused the request).
  std::string result = "success";
  std::string reason;   // the kmsd error code's name ("PermissionDenied"), empty on success
  std::string message;  // a short explanation (truncated by the writer), never a secret
  std::string requestId;
  std::string peer;       // the client's address
  std::string transport;  // "http", "kmip-socket", "aws-xks", ...
  // Further name/value pairs: an integration's request metadata (AWS principal, key ARN, ...),
  // a grant's grantee and rights, the configuration digest at start.
  std::vector<std::pair<std::string, std::string>> fields;
  // Taken by the request thread, so that queueing does not move the event in time.
  std::chrono::system_clock::time_point time = std::chrono::system_clock::now();
};

}  // namespace kms::audit
