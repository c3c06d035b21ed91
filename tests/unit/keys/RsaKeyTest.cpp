#include <openssl/err.h>

#include "OpensslFixtures.hpp"
#include "TestSupport.hpp"
#include "kms/keys/KeyGenerator.hpp"
#include "kms/keys/RsaPrivateKey.hpp"
#include "kms/keys/RsaPublicKey.hpp"
#include "kms/keys/SymmetricKey.hpp"

using namespace kms::keys;
using namespace kms::keys::test;
using kms::ErrorCode;

namespace {

CipherParams oaep(Hash hash, Hash mgf, Bytes label = {}) {
  CipherParams p;
  p.mode = CipherMode::None;
  p.padding = Padding::Oaep;
  p.hash = hash;
  p.mgfHash = mgf;
  p.oaepLabel = std::move(label);
  return p;
}

CipherParams pkcs1v15() {
  CipherParams p;
  p.mode = CipherMode::None;
  p.padding = Padding::Pkcs1v15;
  return p;
}

SignParams signing(Padding padding, Hash hash, std::optional<int> salt = std::nullopt) {
  SignParams p;
  p.padding = padding;
  p.hash = hash;
  p.mgfHash = hash;
  p.pssSaltLength = salt;
  return p;
}

const RsaPrivateKey& fixturePrivate() {
  static const RsaPrivateKey key = RsaPrivateKey::fromPkcs1Der(fromHex(kPrivatePkcs1Hex));
  return key;
}

const RsaPrivateKey& generatedPrivate() {
  static const RsaPrivateKey key = RsaPrivateKey::fromPkcs1Der(generatedRsa2048().privatePkcs1Der);
  return key;
}

const RsaPublicKey& generatedPublic() {
  static const RsaPublicKey key = RsaPublicKey::fromPkcs1Der(generatedRsa2048().publicPkcs1Der);
  return key;
}

constexpr Hash kAllHashes[] = {Hash::Sha1, Hash::Sha224, Hash::Sha256, Hash::Sha384, Hash::Sha512};

}  // namespace

TEST_SUITE("RsaKeys") {
  TEST_CASE("PKCS#1 v1.5 signature equals OpenSSL's and verifies from both public forms") {
    const Bytes message = bytesOf(kSignedMessage);
    const Bytes expected = fromHex(kSignaturePkcs1Sha256Hex);
    CHECK(fixturePrivate().sign(signing(Padding::Pkcs1v15, Hash::Sha256), message) == expected);

    const RsaPublicKey fromSpki = RsaPublicKey::fromSpkiDer(fromHex(kPublicSpkiHex));
    const RsaPublicKey fromPkcs1 = RsaPublicKey::fromPkcs1Der(fromHex(kPublicPkcs1Hex));
    CHECK(fromSpki.verify(signing(Padding::Pkcs1v15, Hash::Sha256), message, expected));
    CHECK(fromPkcs1.verify(signing(Padding::Pkcs1v15, Hash::Sha256), message, expected));
    CHECK_FALSE(fromPkcs1.verify(signing(Padding::Pkcs1v15, Hash::Sha384), message, expected));
    CHECK_FALSE(fromPkcs1.verify(signing(Padding::Pkcs1v15, Hash::Sha256), bytesOf("kmsd interop messagE"), expected));
  }

  TEST_CASE("OpenSSL's PSS signature (maximum salt) verifies when the salt length is not given") {
    const RsaPublicKey key = RsaPublicKey::fromSpkiDer(fromHex(kPublicSpkiHex));
    const Bytes message = bytesOf(kSignedMessage);
    const Bytes signature = fromHex(kSignaturePssSha384Hex);
    CHECK(key.verify(signing(Padding::Pss, Hash::Sha384), message, signature));
    CHECK(key.verify(signing(Padding::Pss, Hash::Sha384, 256 - 48 - 2), message, signature));
    CHECK_FALSE(key.verify(signing(Padding::Pss, Hash::Sha384, 48), message, signature));
    CHECK_FALSE(key.verify(signing(Padding::Pkcs1v15, Hash::Sha384), message, signature));
  }

  TEST_CASE("OpenSSL's OAEP SHA-256 ciphertext with a label decrypts") {
    const Bytes ciphertext = fromHex(kOaepSha256LabelCiphertextHex);
    const CipherParams p = oaep(Hash::Sha256, Hash::Sha256, bytesOf(kOaepLabel));
    CHECK(plain(fixturePrivate().decrypt(p, ciphertext, {})) == bytesOf(kOaepPlaintext));
    const RsaPrivateKey fromPkcs8 = RsaPrivateKey::fromPkcs8Der(fromHex(kPrivatePkcs8Hex));
    CHECK(plain(fromPkcs8.decrypt(p, ciphertext, {})) == bytesOf(kOaepPlaintext));

    CHECK(errorOf([&] { return fixturePrivate().decrypt(oaep(Hash::Sha256, Hash::Sha256), ciphertext, {}); }) ==
          ErrorCode::CryptographicFailure);
    CHECK(errorOf([&] {
            return fixturePrivate().decrypt(oaep(Hash::Sha1, Hash::Sha256, bytesOf(kOaepLabel)), ciphertext, {});
          }) == ErrorCode::CryptographicFailure);
    CHECK(errorOf([&] { return fixturePrivate().decrypt(pkcs1v15(), ciphertext, {}); }) ==
          ErrorCode::CryptographicFailure);
  }

  TEST_CASE("OAEP round trips from the public key to the private key, every hash") {
    const Bytes message = bytesOf("wrapped key bytes");
    for (const Hash hash : kAllHashes) {
      for (const Hash mgf : {Hash::Sha1, Hash::Sha256}) {
        const CipherParams p = oaep(hash, mgf, hash == Hash::Sha256 ? bytesOf("ctx") : Bytes{});
        const EncryptResult r = generatedPublic().encrypt(p, message);
        CHECK(r.ciphertext.size() == 256);
        CHECK(r.iv.empty());
        CHECK(r.tag.empty());
        CHECK(plain(generatedPrivate().decrypt(p, r.ciphertext, {})) == message);
      }
    }
  }

  TEST_CASE("a private key encrypts with its public half; OAEP is randomised") {
    const CipherParams p = oaep(Hash::Sha1, Hash::Sha1);
    const Bytes message = bytesOf("m");
    const EncryptResult a = generatedPrivate().encrypt(p, message);
    const EncryptResult b = generatedPrivate().encrypt(p, message);
    CHECK(a.ciphertext != b.ciphertext);
    CHECK(plain(generatedPrivate().decrypt(p, a.ciphertext, {})) == message);
    CHECK(plain(generatedPrivate().decrypt(p, b.ciphertext, {})) == message);
  }

  TEST_CASE("PKCS#1 v1.5 encryption round trip") {
    const Bytes message(245, 0x5a);  // the largest a 2048-bit key takes
    const EncryptResult r = generatedPublic().encrypt(pkcs1v15(), message);
    CHECK(plain(generatedPrivate().decrypt(pkcs1v15(), r.ciphertext, {})) == message);
    CHECK(errorOf([&] { return generatedPublic().encrypt(pkcs1v15(), Bytes(246, 0)); }) == ErrorCode::InvalidField);
  }

  TEST_CASE("RSA decryption failures are all the same CryptographicFailure") {
    const CipherParams p = oaep(Hash::Sha256, Hash::Sha256);
    Bytes ciphertext = generatedPublic().encrypt(p, bytesOf("secret")).ciphertext;
    ciphertext[100] ^= 0x01;
    std::string tamperedMessage;
    try {
      static_cast<void>(generatedPrivate().decrypt(p, ciphertext, {}));
    } catch (const kms::Exception& e) {
      CHECK(e.code() == ErrorCode::CryptographicFailure);
      tamperedMessage = e.what();
    }
    std::string shortMessage;
    try {
      static_cast<void>(generatedPrivate().decrypt(p, Bytes(10, 1), {}));
    } catch (const kms::Exception& e) {
      CHECK(e.code() == ErrorCode::CryptographicFailure);
      shortMessage = e.what();
    }
    CHECK(!tamperedMessage.empty());
    CHECK(tamperedMessage == shortMessage);
    CHECK(errorOf([&] { return generatedPrivate().decrypt(p, {}, {}); }) == ErrorCode::CryptographicFailure);
    // Encrypted under another key.
    const Bytes foreign = RsaPublicKey::fromSpkiDer(fromHex(kPublicSpkiHex)).encrypt(p, bytesOf("x")).ciphertext;
    CHECK(errorOf([&] { return generatedPrivate().decrypt(p, foreign, {}); }) == ErrorCode::CryptographicFailure);
  }

  TEST_CASE("OAEP plaintext limits and parameter errors") {
    const CipherParams sha256 = oaep(Hash::Sha256, Hash::Sha256);
    CHECK(generatedPublic().encrypt(sha256, Bytes(190, 1)).ciphertext.size() == 256);  // 256 - 2*32 - 2
    CHECK(errorOf([&] { return generatedPublic().encrypt(sha256, Bytes(191, 1)); }) == ErrorCode::InvalidField);

    CipherParams none = sha256;
    none.padding = Padding::None;
    CHECK(errorOf([&] { return generatedPublic().encrypt(none, Bytes(1, 1)); }) == ErrorCode::FeatureNotSupported);
    CipherParams pss = sha256;
    pss.padding = Padding::Pss;
    CHECK(errorOf([&] { return generatedPublic().encrypt(pss, Bytes(1, 1)); }) ==
          ErrorCode::BadCryptographicParameters);
    CHECK(errorOf([&] { return generatedPrivate().decrypt(pss, Bytes(256, 1), {}); }) ==
          ErrorCode::BadCryptographicParameters);
  }

  TEST_CASE("signatures verify for every hash and padding, and fail when anything changes") {
    const Bytes message = bytesOf("to be signed");
    for (const Hash hash : kAllHashes) {
      for (const Padding padding : {Padding::Pkcs1v15, Padding::Pss}) {
        CAPTURE(static_cast<int>(hash));
        CAPTURE(static_cast<int>(padding));
        const SignParams p = signing(padding, hash);
        const Bytes signature = generatedPrivate().sign(p, message);
        CHECK(signature.size() == 256);
        CHECK(generatedPublic().verify(p, message, signature));
        CHECK(generatedPrivate().verify(p, message, signature));

        Bytes otherMessage = message;
        otherMessage[0] ^= 0x20;
        CHECK_FALSE(generatedPublic().verify(p, otherMessage, signature));
        Bytes otherSignature = signature;
        otherSignature[128] ^= 0x01;
        CHECK_FALSE(generatedPublic().verify(p, message, otherSignature));
        CHECK_FALSE(generatedPublic().verify(p, message, Bytes(signature.begin(), signature.end() - 1)));
        CHECK_FALSE(generatedPublic().verify(p, message, {}));
        CHECK_FALSE(RsaPublicKey::fromSpkiDer(fromHex(kPublicSpkiHex)).verify(p, message, signature));
      }
    }
  }

  TEST_CASE("PSS salt: the digest length by default, explicit values honoured and bounded") {
    const Bytes message = bytesOf("salted");
    const Bytes defaultSalt = generatedPrivate().sign(signing(Padding::Pss, Hash::Sha256), message);
    CHECK(generatedPublic().verify(signing(Padding::Pss, Hash::Sha256, 32), message, defaultSalt));
    CHECK_FALSE(generatedPublic().verify(signing(Padding::Pss, Hash::Sha256, 20), message, defaultSalt));

    const Bytes a = generatedPrivate().sign(signing(Padding::Pss, Hash::Sha256, 0), message);
    const Bytes b = generatedPrivate().sign(signing(Padding::Pss, Hash::Sha256, 0), message);
    CHECK(a == b);  // no salt: deterministic
    CHECK(generatedPublic().verify(signing(Padding::Pss, Hash::Sha256, 0), message, a));
    CHECK(generatedPrivate().sign(signing(Padding::Pss, Hash::Sha256), message) != defaultSalt);

    CHECK(errorOf([&] { return generatedPrivate().sign(signing(Padding::Pss, Hash::Sha256, -1), message); }) ==
          ErrorCode::BadCryptographicParameters);
    CHECK(errorOf([&] { return generatedPrivate().sign(signing(Padding::Pss, Hash::Sha256, 223), message); }) ==
          ErrorCode::BadCryptographicParameters);
    CHECK(generatedPrivate().sign(signing(Padding::Pss, Hash::Sha256, 222), message).size() == 256);
    CHECK(errorOf([&] { return generatedPrivate().sign(signing(Padding::Oaep, Hash::Sha256), message); }) ==
          ErrorCode::BadCryptographicParameters);
    CHECK(errorOf([&] { return generatedPublic().verify(signing(Padding::None, Hash::Sha256), message, a); }) ==
          ErrorCode::BadCryptographicParameters);
  }

  TEST_CASE("a public key neither decrypts nor signs") {
    CHECK(errorOf([] { return generatedPublic().decrypt(oaep(Hash::Sha256, Hash::Sha256), Bytes(256, 1), {}); }) ==
          ErrorCode::IllegalObjectType);
    CHECK(errorOf([] { return generatedPublic().sign(SignParams{}, bytesOf("m")); }) == ErrorCode::IllegalObjectType);
  }

  TEST_CASE("key loading refuses the wrong form, garbage and trailing bytes") {
    const Bytes pkcs1 = fromHex(kPrivatePkcs1Hex);
    const Bytes pkcs8 = fromHex(kPrivatePkcs8Hex);
    const Bytes publicPkcs1 = fromHex(kPublicPkcs1Hex);
    const Bytes spki = fromHex(kPublicSpkiHex);
    CHECK(errorOf([&] { return RsaPrivateKey::fromPkcs1Der(pkcs8); }) == ErrorCode::InvalidField);
    CHECK(errorOf([&] { return RsaPrivateKey::fromPkcs8Der(pkcs1); }) == ErrorCode::InvalidField);
    CHECK(errorOf([&] { return RsaPrivateKey::fromPkcs1Der(publicPkcs1); }) == ErrorCode::InvalidField);
    CHECK(errorOf([&] { return RsaPublicKey::fromPkcs1Der(pkcs1); }) == ErrorCode::InvalidField);
    CHECK(errorOf([&] { return RsaPublicKey::fromPkcs1Der(spki); }) == ErrorCode::InvalidField);
    CHECK(errorOf([&] { return RsaPublicKey::fromSpkiDer(publicPkcs1); }) == ErrorCode::InvalidField);
    CHECK(errorOf([&] { return RsaPublicKey::fromSpkiDer(Bytes{}); }) == ErrorCode::InvalidField);
    CHECK(errorOf([&] { return RsaPrivateKey::fromPkcs1Der(bytesOf("not DER at all")); }) == ErrorCode::InvalidField);
    Bytes trailing = pkcs1;
    trailing.push_back(0);
    CHECK(errorOf([&] { return RsaPrivateKey::fromPkcs1Der(trailing); }) == ErrorCode::InvalidField);
    const Bytes truncated(pkcs8.begin(), pkcs8.end() - 10);
    CHECK(errorOf([&] { return RsaPrivateKey::fromPkcs8Der(truncated); }) == ErrorCode::InvalidField);
  }

  TEST_CASE("private key exports and its public half") {
    CHECK(fixturePrivate().modulusBits() == 2048);
    CHECK(plain(fixturePrivate().toPkcs1Der()) == fromHex(kPrivatePkcs1Hex));
    CHECK(plain(fixturePrivate().toPkcs8Der()) == fromHex(kPrivatePkcs8Hex));
    const RsaPublicKey pub = fixturePrivate().publicKey();
    CHECK(pub.toPkcs1Der() == fromHex(kPublicPkcs1Hex));
    CHECK(pub.toSpkiDer() == fromHex(kPublicSpkiHex));
    CHECK(pub.modulusBits() == 2048);
    CHECK(generatedPrivate().publicKey().toPkcs1Der() == generatedRsa2048().publicPkcs1Der);
  }

  TEST_CASE("KeyGenerator::rsa accepts 2048, 3072 and 4096 bits only") {
    CHECK(generatedPrivate().modulusBits() == 2048);
    for (const int bits : {0, 1024, 2047, 2049, 8192}) {
      CHECK(errorOf([bits] { return KeyGenerator::rsa(bits); }) == ErrorCode::InvalidField);
    }
  }
}

TEST_CASE("failures leave no stale error in OpenSSL's per-thread queue") {
  // A stale error would surface in the next unrelated OpenSSL call on this thread (TLS).
  const CipherParams p = oaep(Hash::Sha256, Hash::Sha256);
  static_cast<void>(errorOf([] { return RsaPrivateKey::fromPkcs1Der(bytesOf("junk")); }));
  static_cast<void>(errorOf([] { return RsaPrivateKey::fromPkcs8Der(fromHex(kPrivatePkcs1Hex)); }));
  static_cast<void>(errorOf([&] { return generatedPrivate().decrypt(p, Bytes(256, 7), {}); }));
  CHECK_FALSE(generatedPublic().verify(SignParams{}, bytesOf("m"), Bytes(256, 7)));
  const SymmetricKey aes(KeyGenerator::aes(128));
  CipherParams gcm;
  gcm.iv = Bytes(12, 0);
  static_cast<void>(errorOf([&] { return aes.decrypt(gcm, Bytes(8, 0), Bytes(16, 0)); }));
  CHECK(ERR_peek_error() == 0);
}
