#pragma once
// The KMIP 2.1 requests the commands send, built as kms::kmip::Ttlv trees (the server's own
// codec encodes them). Each builder makes one operation node {"tag": "<Op>", ...}.
#include <optional>
#include <string>
#include <vector>

#include "kms/SecureBytes.hpp"
#include "kms/kmip/Ttlv.hpp"

namespace kms::cli {

// The vendor of the vendor attributes kmsd shares with Cosmian's KMS (tags, wrapping key).
inline constexpr const char* kVendor = "cosmian";

class Requests {
 public:
  using Ttlv = kmip::Ttlv;

  // An Enumeration item from its KMIP name ("SymmetricKey" for ObjectType); throws on a name
  // the dictionary does not know (a bug of the client, not of the user).
  static Ttlv enumeration(const std::string& tag, const std::string& name);
  // CryptographicUsageMask from bit names.
  static Ttlv usageMask(const std::vector<std::string>& bits);
  static Ttlv vendorAttribute(const std::string& name, const std::string& value);
  // cosmian/tag: the tags as a JSON array of strings.
  static Ttlv tagsAttribute(const std::vector<std::string>& tags);
  static Ttlv wrappingKeyAttribute(const std::string& wrappingKeyId);
  static Ttlv activationNow();

  struct SymmetricKeySpec {
    std::string algorithm = "AES";
    int bits = 256;
    std::optional<std::string> uid;
    bool sensitive = false;
    std::optional<std::string> wrappingKeyId;
    std::vector<std::string> tags;
  };
  static Ttlv createSymmetricKey(const SymmetricKeySpec& spec);

  struct KeyPairSpec {
    int bits = 2048;
    std::optional<std::string> uid;  // of the private key; an hsm:: UID puts the pair in the HSM
    bool sensitive = false;
    std::optional<std::string> wrappingKeyId;
    std::vector<std::string> tags;
  };
  static Ttlv createRsaKeyPair(const KeyPairSpec& spec);

  // Any operation that names one object: Destroy, GetAttributes, ...
  static Ttlv byUid(const std::string& operation, const std::string& uid);
  static Ttlv revoke(const std::string& uid, const std::string& reason);
  // Export in `format` (a KeyFormatType name; empty: the stored form), unwrapped when asked.
  static Ttlv exportKey(const std::string& uid, const std::string& format, bool unwrap);
  // Import of `object` (a SymmetricKey/PublicKey/PrivateKey node) under `uid` (empty: the
  // server names it: Register).
  static Ttlv importKey(const std::string& uid, const Ttlv& object, bool replace, const std::vector<std::string>& tags,
                        const std::vector<std::string>& usage, std::optional<std::string> wrappingKeyId = {});

  // Encrypt/Decrypt. `parameters` is a CryptographicParameters node (or none).
  static Ttlv encrypt(const std::string& uid, std::optional<Ttlv> parameters, kms::SecureBytes data,
                      const std::optional<std::string>& aad);
  static Ttlv decrypt(const std::string& uid, std::optional<Ttlv> parameters, kms::SecureBytes data,
                      std::optional<kms::SecureBytes> iv, std::optional<kms::SecureBytes> tag,
                      const std::optional<std::string>& aad);
  static Ttlv aesGcmParameters();
  // "ckm-rsa-pkcs-oaep" (OAEP with `hash`, a HashingAlgorithm name; MGF1 with the same hash)
  // or "ckm-rsa-pkcs" (PKCS#1 v1.5, no hash).
  static Ttlv rsaParameters(const std::string& algorithm, const std::string& hash = "SHA_256");

  // "rsa-pss" (PSS, MGF1 with the same hash) or "pkcs1v15", with `hash` (a HashingAlgorithm name).
  static Ttlv signatureParameters(const std::string& scheme, const std::string& hash);
  static Ttlv sign(const std::string& uid, Ttlv parameters, kms::SecureBytes data);
  static Ttlv verify(const std::string& uid, Ttlv parameters, kms::SecureBytes data, kms::SecureBytes signature);

  struct LocateSpec {
    std::vector<std::string> tags;
    std::optional<std::string> name;
    std::optional<std::string> algorithm;  // a CryptographicAlgorithm name
    std::optional<int> length;
    std::optional<std::string> objectType;  // an ObjectType name
    std::optional<std::string> keyFormatType;
  };
  static Ttlv locate(const LocateSpec& spec);
};

}  // namespace kms::cli
