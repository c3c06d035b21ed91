#pragma once
// GetKeyMetadata, Encrypt and Decrypt of the XKS Proxy API on kmsd's own operations
// (GetAttributes, Encrypt, Decrypt through ops::RequestProcessor), as the configured XKS user:
// the operations check that user's rights, the key's state and usage mask exactly as for any
// KMIP client, for HSM keys (AES-GCM inside the HSM) and database keys (the unwrapped-key
// cache) alike. This class only translates JSON fields and applies the XKS byte layouts
// (CiphertextBinding). Failures throw XksError.
#include <string>

#include "kms/ops/RequestContext.hpp"

namespace kms::ops {
class RequestProcessor;
}

namespace kms::integrations::aws_xks {

class XksBody;

class XksOperations {
 public:
  // Plaintext and ciphertext sizes the specification requires (4300 bytes); above:
  // UnsupportedOperationException.
  static constexpr std::size_t kMaxData = 4300;

  XksOperations(ops::RequestProcessor& processor, std::string user);

  // Each returns the JSON text of the 200 answer.
  // `body`: the request's JSON, whose requestMetadata goes into the audit lines (when given).
  [[nodiscard]] std::string metadata(const std::string& uid, const XksBody* body = nullptr) const;
  [[nodiscard]] std::string encrypt(const std::string& uid, const XksBody& body) const;
  [[nodiscard]] std::string decrypt(const std::string& uid, const XksBody& body) const;

 private:
  // The XKS user's context with the request's requestMetadata (awsPrincipalArn, kmsKeyArn,
  // kmsRequestId, kmsOperation) as audit fields: recorded, never used to decide anything.
  [[nodiscard]] ops::RequestContext contextFor(const XksBody* body) const;

  ops::RequestProcessor& processor_;
  ops::RequestContext context_;
};

}  // namespace kms::integrations::aws_xks
