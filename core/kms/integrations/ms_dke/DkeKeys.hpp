#pragma once
// DKE's keys are kmsd's RSA private keys, found by their Name: every step is a KMIP operation
// run as the caller (Locate, GetAttributes, Get, Decrypt), so the caller's grants decide what it
// sees and does, exactly as on /kmip (DESIGN section 2: authorization lives in the operations).
// A caller needs a right on the private key to find it, `getattributes` (or `get`) on it to
// reach its public key and name, `get` on the public key, and `decrypt` on the private key.
//
// Rotation: a new key pair with the same Name. The newest Active one is published; older ones
// (Active or Deactivated, e.g. revoked) still decrypt what was encrypted to them, by their UID.
#include <string>

#include "kms/SecureBytes.hpp"
#include "kms/integrations/ms_dke/DkePublicKey.hpp"
#include "kms/kmip/Ttlv.hpp"

namespace kms::ops {
class RequestProcessor;
}

namespace kms::integrations::ms_dke {

class DkeKeys {
 public:
  explicit DkeKeys(ops::RequestProcessor& processor);

  // The newest Active RSA private key named `keyName` that `user` sees, and its public key.
  // Throws DkeRefusal(400) when there is none, kms::Exception for other failures.
  [[nodiscard]] DkePublicKey publish(const std::string& user, const std::string& keyName);
  // Throws DkeRefusal(400) unless `uid` is an RSA private key named `keyName` that `user` sees.
  void check(const std::string& user, const std::string& keyName, const std::string& uid);
  // RSA-OAEP with SHA-256 (and MGF1 SHA-256) by the private key `uid`, inside its HSM when it
  // is an HSM key. Throws kms::Exception as Decrypt does.
  [[nodiscard]] SecureBytes decrypt(const std::string& user, const std::string& uid, const SecureBytes& ciphertext);

 private:
  [[nodiscard]] kmip::Ttlv call(const std::string& user, const kmip::Ttlv& request);
  [[nodiscard]] kmip::Ttlv attributesOf(const std::string& user, const std::string& keyName, const std::string& uid);

  ops::RequestProcessor& processor_;
};

}  // namespace kms::integrations::ms_dke
