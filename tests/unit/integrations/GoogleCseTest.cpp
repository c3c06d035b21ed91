// Google CSE's transport-free parts: kmsd's wrapped key format (header, payload, additional
// data, refusals), Google's resource key hash against its documented definition, and the
// private_key forms wrapprivatekey reads.
#include <doctest/doctest.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <string>

#include "kms/Base64.hpp"
#include "kms/integrations/google_cse/CsePerimeter.hpp"
#include "kms/integrations/google_cse/CsePrivateKey.hpp"
#include "kms/integrations/google_cse/CseRefusal.hpp"
#include "kms/integrations/google_cse/ResourceKeyHash.hpp"
#include "kms/integrations/google_cse/WrappedKey.hpp"
#include "kms/keys/KeyFormats.hpp"
#include "kms/keys/KeyGenerator.hpp"

using kms::SecureBytes;
using kms::integrations::google_cse::CsePrivateKey;
using kms::integrations::google_cse::CseRefusal;
using kms::integrations::google_cse::ResourceKeyHash;
using kms::integrations::google_cse::WrappedKey;

namespace {

SecureBytes bytes(std::string_view text) {
  return {text.begin(), text.end()};
}

WrappedKey sample() {
  WrappedKey blob;
  blob.kind = WrappedKey::Kind::Dek;
  blob.uid = "hsm::softhsm2::1::cse";
  blob.iv = SecureBytes(12, 0x11);
  blob.ciphertext = SecureBytes(34, 0x22);
  blob.tag = SecureBytes(16, 0x33);
  return blob;
}

}  // namespace

TEST_CASE("WrappedKey: the documented layout, parsed back") {
  const WrappedKey blob = sample();
  const SecureBytes serialized = blob.serialize();
  REQUIRE(serialized.size() == 4 + blob.uid.size() + 12 + 34 + 16);
  CHECK(serialized[0] == 1);
  CHECK(serialized[1] == 1);
  CHECK(serialized[2] == 0);
  CHECK(serialized[3] == blob.uid.size());
  CHECK(std::string(serialized.begin() + 4, serialized.begin() + 4 + 21) == blob.uid);
  const WrappedKey back = WrappedKey::parse(serialized);
  CHECK(back.kind == WrappedKey::Kind::Dek);
  CHECK(back.uid == blob.uid);
  CHECK(back.iv == blob.iv);
  CHECK(back.ciphertext == blob.ciphertext);
  CHECK(back.tag == blob.tag);
}

TEST_CASE("WrappedKey: what is not a blob of this format is refused with 400") {
  const SecureBytes good = sample().serialize();
  auto refused = [](const SecureBytes& blob) {
    try {
      static_cast<void>(WrappedKey::parse(blob));
    } catch (const CseRefusal& refusal) {
      return refusal.status() == 400;
    }
    return false;
  };
  CHECK(refused({}));
  CHECK(refused({1, 1, 0}));
  SecureBytes version = good;
  version[0] = 2;
  CHECK(refused(version));
  SecureBytes kind = good;
  kind[1] = 3;
  CHECK(refused(kind));
  SecureBytes noUid = good;
  noUid[2] = 0;
  noUid[3] = 0;
  CHECK(refused(noUid));
  SecureBytes longUid = good;
  longUid[2] = 0xFF;
  CHECK(refused(longUid));
  CHECK(refused(SecureBytes(good.begin(), good.begin() + 4 + 21 + 12 + 16 + 1)));  // no room for a payload
}

TEST_CASE("WrappedKey: the additional data binds kind, key and resource") {
  WrappedKey a = sample();
  WrappedKey b = sample();
  CHECK(a.additionalData("r1") == b.additionalData("r1"));
  CHECK(a.additionalData("r1") != a.additionalData("r2"));
  b.kind = WrappedKey::Kind::PrivateKey;
  CHECK(a.additionalData("r1") != b.additionalData("r1"));
  b = sample();
  b.uid = "hsm::softhsm2::1::cs";  // the uid is length-prefixed: "cs" + "er1" is not "cse" + "r1"
  CHECK(a.additionalData("r1") != b.additionalData("er1"));
}

TEST_CASE("WrappedKey: the payload holds the perimeter, then the key") {
  const SecureBytes key(32, 0x5A);
  const auto payload = WrappedKey::payload("perimeter-1", key);
  CHECK(payload.size() == 2 + 11 + 32);
  const auto back = WrappedKey::readPayload(payload);
  CHECK(back.perimeterId == "perimeter-1");
  CHECK(back.key == key);
  CHECK(WrappedKey::readPayload(WrappedKey::payload("", key)).perimeterId.empty());
  CHECK_THROWS_AS(static_cast<void>(WrappedKey::readPayload({0})), CseRefusal);
  CHECK_THROWS_AS(static_cast<void>(WrappedKey::readPayload({0, 9, 'a'})), CseRefusal);
}

TEST_CASE("ResourceKeyHash: Google's definition (its documented example inputs)") {
  // HMAC-SHA-256 keyed by the DEK 0xf00d over "ResourceKeyDigest:my_resource:my_perimeter",
  // computed here with OpenSSL's one-shot HMAC, independently of kmsd's HmacKey.
  const SecureBytes dek{0xf0, 0x0d};
  const std::string data = "ResourceKeyDigest:my_resource:my_perimeter";
  unsigned char mac[32];
  unsigned int size = 0;
  REQUIRE(HMAC(EVP_sha256(), dek.data(), static_cast<int>(dek.size()),
               reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &size) != nullptr);
  CHECK(ResourceKeyHash::of(dek, "my_resource", "my_perimeter") == kms::Base64::encode(mac, size));
  CHECK(ResourceKeyHash::of(dek, "my_resource", "") != ResourceKeyHash::of(dek, "my_resource", "my_perimeter"));
}

TEST_CASE("CsePrivateKey: PEM and Base64 DER in both forms, nothing else") {
  const auto pair = kms::keys::KeyGenerator::rsa(2048);
  const SecureBytes pkcs1 = pair.privatePkcs1Der;
  const SecureBytes pkcs8 = kms::keys::KeyFormats::pkcs1PrivateToPkcs8(pkcs1);
  CHECK(CsePrivateKey::readPrivateKey(kms::keys::KeyFormats::derToPem(pkcs8, "PRIVATE KEY")) == pkcs8);
  CHECK(CsePrivateKey::readPrivateKey(kms::keys::KeyFormats::derToPem(pkcs1, "RSA PRIVATE KEY")) == pkcs8);
  CHECK(CsePrivateKey::readPrivateKey(kms::Base64::encode(pkcs8)) == pkcs8);
  CHECK(CsePrivateKey::readPrivateKey(kms::Base64::encode(pkcs1)) == pkcs8);
  CHECK_THROWS_AS(static_cast<void>(CsePrivateKey::readPrivateKey("not a key")), CseRefusal);
  CHECK_THROWS_AS(static_cast<void>(CsePrivateKey::readPrivateKey(kms::Base64::encode(bytes("short")))), CseRefusal);
  CHECK_THROWS_AS(static_cast<void>(CsePrivateKey::spkiHash(pkcs8, "MD5")), CseRefusal);
  CHECK(CsePrivateKey::spkiHash(pkcs8, "SHA-256").size() == 44);
}

TEST_CASE("CsePerimeter: allowed domains, blocked users, any case") {
  using kms::integrations::google_cse::CsePerimeter;
  const CsePerimeter open({}, {});
  CHECK_NOTHROW(open.check("anyone@anywhere.test"));
  const CsePerimeter perimeter({"Example.com", "@corp.example"}, {"Admin@example.com"});
  CHECK_NOTHROW(perimeter.check("alice@EXAMPLE.com"));
  CHECK_NOTHROW(perimeter.check("bob@corp.example"));
  CHECK_THROWS_AS(perimeter.check("admin@example.com"), CseRefusal);  // blocked, though in the domain
  CHECK_THROWS_AS(perimeter.check("eve@example.com.evil.test"), CseRefusal);
  CHECK_THROWS_AS(perimeter.check("eve@sub.example.com"), CseRefusal);  // a domain, not its subdomains
  CHECK_THROWS_AS(perimeter.check("no-domain"), CseRefusal);
  try {
    perimeter.check("eve@other.test");
  } catch (const CseRefusal& refusal) {
    CHECK(refusal.status() == 403);
  }
}
