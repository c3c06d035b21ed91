#pragma once
// RSA keys as their big integers, the form of KMIP TransparentRSAPublicKey and
// TransparentRSAPrivateKey. Integers are unsigned, big-endian, without leading zero bytes;
// adding the sign byte KMIP's BigInteger encoding needs is the codec's job.
#include "kms/keys/CryptoKey.hpp"
#include "kms/keys/SecretBytes.hpp"

namespace kms::keys {

struct RsaPublicComponents {
  Bytes modulus;         // n
  Bytes publicExponent;  // e
};

struct RsaPrivateComponents {
  Bytes modulus;                // n
  Bytes publicExponent;         // e
  SecretBytes privateExponent;  // d
  SecretBytes prime1;           // p
  SecretBytes prime2;           // q
  SecretBytes exponent1;        // d mod (p-1)
  SecretBytes exponent2;        // d mod (q-1)
  SecretBytes coefficient;      // q^-1 mod p
};

class RsaComponents {
 public:
  // From any of the four RSA DER forms.
  [[nodiscard]] static RsaPublicComponents publicOf(ByteView der);
  // From PKCS#1 or PKCS#8 private DER. Multi-prime keys throw KeyFormatNotSupported.
  [[nodiscard]] static RsaPrivateComponents privateOf(ByteView der);

  // InvalidField when a component is missing or zero.
  [[nodiscard]] static Bytes publicPkcs1Der(const RsaPublicComponents& components);
  // All eight components are required (OpenSSL cannot write PKCS#1 without the CRT values),
  // and must be consistent (n = pq, CRT values match d, e): a key whose CRT values disagree
  // would sign wrongly, and a faulty CRT signature reveals the factors of n.
  [[nodiscard]] static SecretBytes privatePkcs1Der(const RsaPrivateComponents& components);
};

}  // namespace kms::keys
