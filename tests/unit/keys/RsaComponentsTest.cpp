#include "OpensslFixtures.hpp"
#include "TestSupport.hpp"
#include "kms/keys/RsaComponents.hpp"
#include "kms/keys/RsaPrivateKey.hpp"

using namespace kms::keys;
using namespace kms::keys::test;
using kms::ErrorCode;

TEST_SUITE("RsaComponents") {
  TEST_CASE("public components from every form, and back to PKCS#1") {
    for (const char* hex : {kPrivatePkcs1Hex, kPrivatePkcs8Hex, kPublicPkcs1Hex, kPublicSpkiHex}) {
      const RsaPublicComponents c = RsaComponents::publicOf(fromHex(hex));
      CHECK(c.modulus.size() == 256);
      CHECK(c.modulus.front() >= 0x80);  // no leading zero byte
      CHECK(c.publicExponent == fromHex("010001"));
      CHECK(RsaComponents::publicPkcs1Der(c) == fromHex(kPublicPkcs1Hex));
    }
  }

  TEST_CASE("private components round-trip to the identical PKCS#1 DER") {
    for (const char* hex : {kPrivatePkcs1Hex, kPrivatePkcs8Hex}) {
      const RsaPrivateComponents c = RsaComponents::privateOf(fromHex(hex));
      CHECK(c.modulus.size() == 256);
      CHECK(c.prime1.size() == 128);
      CHECK(c.prime2.size() == 128);
      CHECK(plain(RsaComponents::privatePkcs1Der(c)) == fromHex(kPrivatePkcs1Hex));
    }
    const RsaKeyPairDer& pair = generatedRsa2048();
    CHECK(RsaComponents::privatePkcs1Der(RsaComponents::privateOf(pair.privatePkcs1Der)) == pair.privatePkcs1Der);
  }

  TEST_CASE("a key rebuilt from components signs like the original") {
    const RsaPrivateKey rebuilt = RsaPrivateKey::fromPkcs1Der(
        RsaComponents::privatePkcs1Der(RsaComponents::privateOf(fromHex(kPrivatePkcs1Hex))));
    SignParams p;
    CHECK(rebuilt.sign(p, bytesOf(kSignedMessage)) == fromHex(kSignaturePkcs1Sha256Hex));
  }

  TEST_CASE("missing, zero or inconsistent components are refused") {
    const RsaPrivateComponents good = RsaComponents::privateOf(fromHex(kPrivatePkcs1Hex));

    RsaPrivateComponents missing = good;
    missing.coefficient.clear();
    CHECK(errorOf([&] { return RsaComponents::privatePkcs1Der(missing); }) == ErrorCode::InvalidField);

    RsaPrivateComponents zero = good;
    zero.prime2.assign(128, 0);
    CHECK(errorOf([&] { return RsaComponents::privatePkcs1Der(zero); }) == ErrorCode::InvalidField);

    // Flipping one bit of any private component must be caught.
    for (SecretBytes RsaPrivateComponents::*member :
         {&RsaPrivateComponents::privateExponent, &RsaPrivateComponents::prime1, &RsaPrivateComponents::prime2,
          &RsaPrivateComponents::exponent1, &RsaPrivateComponents::exponent2, &RsaPrivateComponents::coefficient}) {
      RsaPrivateComponents bad = good;
      (bad.*member)[5] ^= 0x10;
      CHECK(errorOf([&] { return RsaComponents::privatePkcs1Der(bad); }) == ErrorCode::InvalidField);
    }
    RsaPrivateComponents otherModulus = good;
    otherModulus.modulus[7] ^= 0x01;
    CHECK(errorOf([&] { return RsaComponents::privatePkcs1Der(otherModulus); }) == ErrorCode::InvalidField);

    RsaPublicComponents even{fromHex(kPublicPkcs1Hex), fromHex("010000")};
    even.modulus = RsaComponents::publicOf(fromHex(kPublicPkcs1Hex)).modulus;
    CHECK(errorOf([&] { return RsaComponents::publicPkcs1Der(even); }) == ErrorCode::InvalidField);
    CHECK(errorOf([] { return RsaComponents::publicPkcs1Der(RsaPublicComponents{}); }) == ErrorCode::InvalidField);
    CHECK(errorOf([] {
            return RsaComponents::publicPkcs1Der({fromHex("0f"), fromHex("03")});
          }) == ErrorCode::InvalidField);
  }

  TEST_CASE("private components need a private key") {
    CHECK(errorOf([] { return RsaComponents::privateOf(fromHex(kPublicSpkiHex)); }) == ErrorCode::InvalidField);
    CHECK(errorOf([] { return RsaComponents::publicOf(bytesOf("junk")); }) == ErrorCode::InvalidField);
  }
}
