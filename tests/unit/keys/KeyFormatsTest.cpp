#include "OpensslFixtures.hpp"
#include "TestSupport.hpp"
#include "kms/keys/KeyFormats.hpp"
#include "kms/keys/RsaPrivateKey.hpp"

using namespace kms::keys;
using namespace kms::keys::test;
using kms::ErrorCode;

TEST_SUITE("KeyFormats") {
  TEST_CASE("conversions produce exactly what the openssl tool produces") {
    const Bytes pkcs1 = fromHex(kPrivatePkcs1Hex);
    const Bytes pkcs8 = fromHex(kPrivatePkcs8Hex);
    const Bytes publicPkcs1 = fromHex(kPublicPkcs1Hex);
    const Bytes spki = fromHex(kPublicSpkiHex);
    CHECK(plain(KeyFormats::pkcs1PrivateToPkcs8(pkcs1)) == pkcs8);
    CHECK(plain(KeyFormats::pkcs8PrivateToPkcs1(pkcs8)) == pkcs1);
    CHECK(KeyFormats::pkcs1PublicToSpki(publicPkcs1) == spki);
    CHECK(KeyFormats::spkiToPkcs1Public(spki) == publicPkcs1);
    CHECK(KeyFormats::publicPkcs1FromPrivatePkcs1(pkcs1) == publicPkcs1);
  }

  TEST_CASE("conversions round-trip a generated key") {
    const RsaKeyPairDer& pair = generatedRsa2048();
    CHECK(KeyFormats::pkcs8PrivateToPkcs1(KeyFormats::pkcs1PrivateToPkcs8(pair.privatePkcs1Der)) ==
          pair.privatePkcs1Der);
    CHECK(KeyFormats::spkiToPkcs1Public(KeyFormats::pkcs1PublicToSpki(pair.publicPkcs1Der)) == pair.publicPkcs1Der);
    CHECK(KeyFormats::publicPkcs1FromPrivatePkcs1(pair.privatePkcs1Der) == pair.publicPkcs1Der);
  }

  TEST_CASE("modulus size and form detection for the four DER forms") {
    const std::pair<const char*, RsaDerForm> forms[] = {
        {kPrivatePkcs1Hex, RsaDerForm::Pkcs1Private},
        {kPrivatePkcs8Hex, RsaDerForm::Pkcs8Private},
        {kPublicPkcs1Hex, RsaDerForm::Pkcs1Public},
        {kPublicSpkiHex, RsaDerForm::Spki},
    };
    for (const auto& [hex, form] : forms) {
      const Bytes der = fromHex(hex);
      CHECK(KeyFormats::rsaModulusBits(der) == 2048);
      CHECK(KeyFormats::detectRsaDer(der) == form);
      CHECK(KeyFormats::isRsaPrivateDer(der) == isPrivate(form));
      CHECK(KeyFormats::isRsaPublicDer(der) == !isPrivate(form));
    }
    CHECK(KeyFormats::rsaModulusBits(generatedRsa2048().privatePkcs1Der) == 2048);
    CHECK_FALSE(KeyFormats::detectRsaDer(bytesOf("garbage")).has_value());
    CHECK_FALSE(KeyFormats::detectRsaDer(Bytes{}).has_value());
  }

  TEST_CASE("bad DER is an InvalidField, never a crash") {
    const Bytes pkcs1 = fromHex(kPrivatePkcs1Hex);
    const Bytes truncated(pkcs1.begin(), pkcs1.begin() + 100);
    const Bytes junk = {0x30, 0x82, 0xff, 0xff, 0x02, 0x01, 0x00};
    for (const Bytes& bad : {Bytes{}, truncated, junk, bytesOf("hello")}) {
      CHECK(errorOf([&] { return KeyFormats::pkcs1PrivateToPkcs8(bad); }) == ErrorCode::InvalidField);
      CHECK(errorOf([&] { return KeyFormats::pkcs8PrivateToPkcs1(bad); }) == ErrorCode::InvalidField);
      CHECK(errorOf([&] { return KeyFormats::pkcs1PublicToSpki(bad); }) == ErrorCode::InvalidField);
      CHECK(errorOf([&] { return KeyFormats::spkiToPkcs1Public(bad); }) == ErrorCode::InvalidField);
      CHECK(errorOf([&] { return KeyFormats::publicPkcs1FromPrivatePkcs1(bad); }) == ErrorCode::InvalidField);
      CHECK(errorOf([&] { return KeyFormats::rsaModulusBits(bad); }) == ErrorCode::InvalidField);
    }
    // The right DER in the wrong function.
    CHECK(errorOf([&] { return KeyFormats::pkcs8PrivateToPkcs1(pkcs1); }) == ErrorCode::InvalidField);
    CHECK(errorOf([&] { return KeyFormats::spkiToPkcs1Public(fromHex(kPublicPkcs1Hex)); }) == ErrorCode::InvalidField);
  }

  TEST_CASE("PEM round trip for the four labels") {
    const std::pair<const char*, const char*> cases[] = {
        {kPrivatePkcs1Hex, "RSA PRIVATE KEY"},
        {kPrivatePkcs8Hex, "PRIVATE KEY"},
        {kPublicPkcs1Hex, "RSA PUBLIC KEY"},
        {kPublicSpkiHex, "PUBLIC KEY"},
    };
    for (const auto& [hex, label] : cases) {
      const Bytes der = fromHex(hex);
      const std::string pem = KeyFormats::derToPem(der, label);
      CHECK(pem.rfind(std::string("-----BEGIN ") + label + "-----\n", 0) == 0);
      CHECK(pem.size() > 40);
      CHECK(pem.substr(pem.size() - std::string(label).size() - 15) == std::string("-----END ") + label + "-----\n");
      std::size_t lineStart = 0;
      while (lineStart < pem.size()) {
        const std::size_t end = pem.find('\n', lineStart);
        CHECK(end - lineStart <= 64);
        lineStart = end + 1;
      }
      std::string labelOut;
      CHECK(KeyFormats::pemToDer(pem, labelOut) == der);
      CHECK(labelOut == label);
    }
  }

  TEST_CASE("PEM reading tolerates CRLF and leading text, refuses the rest") {
    const Bytes der = fromHex(kPublicSpkiHex);
    const std::string pem = KeyFormats::derToPem(der, "PUBLIC KEY");
    std::string crlf;
    for (const char c : pem) {
      if (c == '\n') crlf += '\r';
      crlf += c;
    }
    std::string label;
    CHECK(KeyFormats::pemToDer("Some explanatory text\n" + crlf + "\n\n", label) == der);
    CHECK(label == "PUBLIC KEY");

    CHECK(errorOf([&] { return KeyFormats::pemToDer(pem + "trailing junk\n", label); }) == ErrorCode::InvalidField);
    CHECK(errorOf([&] { return KeyFormats::pemToDer(pem + pem, label); }) == ErrorCode::InvalidField);
    CHECK(errorOf([&] { return KeyFormats::pemToDer("", label); }) == ErrorCode::InvalidField);
    CHECK(errorOf([&] { return KeyFormats::pemToDer("no pem here", label); }) == ErrorCode::InvalidField);
    CHECK(errorOf([&] {
            return KeyFormats::pemToDer("-----BEGIN PUBLIC KEY-----\n!!!notbase64!!!\n-----END PUBLIC KEY-----\n",
                                        label);
          }) == ErrorCode::InvalidField);
    CHECK(errorOf([&] {
            return KeyFormats::pemToDer("-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PRIVATE KEY-----\n", label);
          }) == ErrorCode::InvalidField);
    const std::string encrypted =
        "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,"
        "00112233445566778899AABBCCDDEEFF\n\nAAAA\n-----END RSA PRIVATE KEY-----\n";
    CHECK(errorOf([&] { return KeyFormats::pemToDer(encrypted, label); }) == ErrorCode::InvalidField);
  }

  TEST_CASE("derToPem refuses bad labels and empty DER") {
    const Bytes der = fromHex(kPublicSpkiHex);
    for (const char* bad : {"", "public key", "PUBLIC-KEY", " PUBLIC KEY", "A\nB"}) {
      CHECK(errorOf([&] { return KeyFormats::derToPem(der, bad); }) == ErrorCode::InvalidField);
    }
    CHECK(errorOf([] { return KeyFormats::derToPem(Bytes{}, "PUBLIC KEY"); }) == ErrorCode::InvalidField);
    CHECK_FALSE(KeyFormats::derToPem(der, "CERTIFICATE REQUEST 2").empty());
  }
}
