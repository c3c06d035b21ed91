#include <set>
#include <thread>

#include "TestSupport.hpp"
#include "kms/keys/SymmetricKey.hpp"

using namespace kms::keys;
using namespace kms::keys::test;
using kms::ErrorCode;

namespace {

// McGrew & Viega, "The Galois/Counter Mode of Operation", test cases 4, 5 and 16 (the NIST
// GCM validation vectors): same plaintext and AAD.
const Bytes kGcmPlaintext = fromHex(
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525"
    "b16aedf5aa0de657ba637b39");
const Bytes kGcmAad = fromHex("feedfacedeadbeeffeedfacedeadbeefabaddad2");

// NIST SP 800-38A appendix F plaintext (four blocks).
const Bytes kSp80038aPlaintext = fromHex(
    "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52ef"
    "f69f2445df4f9b17ad2b417be66c3710");
const Bytes kSp80038aIv = fromHex("000102030405060708090a0b0c0d0e0f");

CipherParams gcm(const Bytes& iv, const Bytes& aad = {}) {
  CipherParams p;
  p.mode = CipherMode::GCM;
  p.iv = iv;
  p.aad = aad;
  return p;
}

CipherParams block(CipherMode mode, Padding padding, std::optional<Bytes> iv = std::nullopt) {
  CipherParams p;
  p.mode = mode;
  p.padding = padding;
  p.iv = std::move(iv);
  return p;
}

SymmetricKey keyFromHex(std::string_view hex) {
  return SymmetricKey(secretOf(fromHex(hex)));
}

}  // namespace

TEST_SUITE("SymmetricKey") {
  TEST_CASE("AES-128-GCM known answer (GCM test case 4)") {
    const SymmetricKey key = keyFromHex("feffe9928665731c6d6a8f9467308308");
    const Bytes iv = fromHex("cafebabefacedbaddecaf888");
    const EncryptResult r = key.encrypt(gcm(iv, kGcmAad), kGcmPlaintext);
    CHECK(r.ciphertext == fromHex("42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b254669"
                                  "31c7d8f6a5aac84aa051ba30b396a0aac973d58e091"));
    CHECK(r.tag == fromHex("5bc94fbc3221a5db94fae95ae7121a47"));
    CHECK(r.iv == iv);
    CHECK(plain(key.decrypt(gcm(iv, kGcmAad), r.ciphertext, r.tag)) == kGcmPlaintext);
  }

  TEST_CASE("AES-256-GCM known answer (GCM test case 16)") {
    const SymmetricKey key = keyFromHex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308");
    const Bytes iv = fromHex("cafebabefacedbaddecaf888");
    const EncryptResult r = key.encrypt(gcm(iv, kGcmAad), kGcmPlaintext);
    CHECK(r.ciphertext == fromHex("522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590db"
                                  "b3da7b08b1056828838c5f61e6393ba7a0abcc9f662"));
    CHECK(r.tag == fromHex("76fc6ece0f4e1768cddf8853bb2d551b"));
  }

  TEST_CASE("AES-GCM with a 64-bit IV (GCM test case 5)") {
    const SymmetricKey key = keyFromHex("feffe9928665731c6d6a8f9467308308");
    const Bytes iv = fromHex("cafebabefacedbad");
    const EncryptResult r = key.encrypt(gcm(iv, kGcmAad), kGcmPlaintext);
    CHECK(r.ciphertext == fromHex("61353b4c2806934a777ff51fa22a4755699b2a714fcdc6f83766e5f97b6c742373806900e49f2"
                                  "4b22b097544d4896b424989b5e1ebac0f07c23f4598"));
    CHECK(r.tag == fromHex("3612d2e79e3b0785561be14aaca2fccb"));
    CHECK(plain(key.decrypt(gcm(iv, kGcmAad), r.ciphertext, r.tag)) == kGcmPlaintext);
  }

  TEST_CASE("AES-GCM truncated tags are prefixes of the full tag and decrypt") {
    const SymmetricKey key = keyFromHex("feffe9928665731c6d6a8f9467308308");
    const Bytes iv = fromHex("cafebabefacedbaddecaf888");
    const Bytes fullTag = fromHex("5bc94fbc3221a5db94fae95ae7121a47");
    for (const std::size_t length : {4u, 8u, 12u, 15u}) {
      CipherParams p = gcm(iv, kGcmAad);
      p.tagLength = length;
      const EncryptResult r = key.encrypt(p, kGcmPlaintext);
      CHECK(r.tag == Bytes(fullTag.begin(), fullTag.begin() + static_cast<std::ptrdiff_t>(length)));
      CHECK(plain(key.decrypt(p, r.ciphertext, r.tag)) == kGcmPlaintext);
    }
  }

  TEST_CASE("AES-GCM generates a fresh 12-byte IV when none is given") {
    const SymmetricKey key(KeyGenerator::aes(256));
    CipherParams p;  // GCM by default
    const Bytes message = bytesOf("attack at dawn");
    const EncryptResult a = key.encrypt(p, message);
    const EncryptResult b = key.encrypt(p, message);
    CHECK(a.iv.size() == 12);
    CHECK(a.tag.size() == 16);
    CHECK(a.iv != b.iv);
    CHECK(a.ciphertext != b.ciphertext);
    p.iv = a.iv;
    CHECK(plain(key.decrypt(p, a.ciphertext, a.tag)) == message);
  }

  TEST_CASE("AES-GCM round trip of an empty plaintext authenticates the AAD") {
    const SymmetricKey key(KeyGenerator::aes(128));
    CipherParams p;
    p.aad = bytesOf("header");
    const EncryptResult r = key.encrypt(p, {});
    CHECK(r.ciphertext.empty());
    p.iv = r.iv;
    CHECK(key.decrypt(p, {}, r.tag).empty());
    p.aad = bytesOf("Header");
    CHECK(errorOf([&] { return key.decrypt(p, {}, r.tag); }) == ErrorCode::CryptographicFailure);
  }

  TEST_CASE("AES-GCM refuses anything tampered with") {
    const SymmetricKey key(KeyGenerator::aes(256));
    CipherParams p;
    p.aad = bytesOf("context");
    const EncryptResult r = key.encrypt(p, bytesOf("the plaintext"));
    p.iv = r.iv;

    Bytes ciphertext = r.ciphertext;
    ciphertext[3] ^= 0x01;
    CHECK(errorOf([&] { return key.decrypt(p, ciphertext, r.tag); }) == ErrorCode::CryptographicFailure);

    Bytes tag = r.tag;
    tag.back() ^= 0x80;
    CHECK(errorOf([&] { return key.decrypt(p, r.ciphertext, tag); }) == ErrorCode::CryptographicFailure);

    // A truncated tag is refused unless the caller expects that tag length.
    const Bytes shortTag(r.tag.begin(), r.tag.begin() + 4);
    CHECK(errorOf([&] { return key.decrypt(p, r.ciphertext, shortTag); }) == ErrorCode::BadCryptographicParameters);

    CipherParams otherAad = p;
    otherAad.aad = bytesOf("contexT");
    CHECK(errorOf([&] { return key.decrypt(otherAad, r.ciphertext, r.tag); }) == ErrorCode::CryptographicFailure);

    CipherParams otherIv = p;
    (*otherIv.iv)[0] ^= 0x01;
    CHECK(errorOf([&] { return key.decrypt(otherIv, r.ciphertext, r.tag); }) == ErrorCode::CryptographicFailure);

    const SymmetricKey otherKey(KeyGenerator::aes(256));
    CHECK(errorOf([&] { return otherKey.decrypt(p, r.ciphertext, r.tag); }) == ErrorCode::CryptographicFailure);
  }

  TEST_CASE("AES-GCM parameter errors") {
    const SymmetricKey key(KeyGenerator::aes(128));
    CipherParams p;
    p.tagLength = 3;
    CHECK(errorOf([&] { return key.encrypt(p, bytesOf("x")); }) == ErrorCode::BadCryptographicParameters);
    p.tagLength = 17;
    CHECK(errorOf([&] { return key.encrypt(p, bytesOf("x")); }) == ErrorCode::BadCryptographicParameters);
    p.tagLength = 16;
    p.iv = Bytes{};
    CHECK(errorOf([&] { return key.encrypt(p, bytesOf("x")); }) == ErrorCode::BadCryptographicParameters);
    p.iv = Bytes(129, 0);
    CHECK(errorOf([&] { return key.encrypt(p, bytesOf("x")); }) == ErrorCode::BadCryptographicParameters);

    CipherParams fresh;
    const EncryptResult r = key.encrypt(fresh, bytesOf("x"));
    CipherParams noIv;
    CHECK(errorOf([&] { return key.decrypt(noIv, r.ciphertext, r.tag); }) == ErrorCode::BadCryptographicParameters);
    CipherParams withIv;
    withIv.iv = r.iv;
    CHECK(errorOf([&] { return key.decrypt(withIv, r.ciphertext, {}); }) == ErrorCode::BadCryptographicParameters);
    const Bytes threeBytes(r.tag.begin(), r.tag.begin() + 3);
    withIv.tagLength = 3;
    CHECK(errorOf([&] { return key.decrypt(withIv, r.ciphertext, threeBytes); }) ==
          ErrorCode::BadCryptographicParameters);
  }

  TEST_CASE("AES-CBC known answers (NIST SP 800-38A F.2.1 and F.2.5)") {
    const SymmetricKey key128 = keyFromHex("2b7e151628aed2a6abf7158809cf4f3c");
    const EncryptResult r = key128.encrypt(block(CipherMode::CBC, Padding::None, kSp80038aIv), kSp80038aPlaintext);
    const Bytes expected128 = fromHex(
        "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b273bed6b8e3c1743b7116e69e22229516"
        "3ff1caa1681fac09120eca307586e1a7");
    CHECK(r.ciphertext == expected128);
    CHECK(r.iv == kSp80038aIv);
    CHECK(r.tag.empty());
    CHECK(plain(key128.decrypt(block(CipherMode::CBC, Padding::None, kSp80038aIv), expected128, {})) ==
          kSp80038aPlaintext);

    const SymmetricKey key256 = keyFromHex("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4");
    CHECK(key256.encrypt(block(CipherMode::CBC, Padding::None, kSp80038aIv), kSp80038aPlaintext).ciphertext ==
          fromHex("f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d39f23369a9d9bacfa530e2630423"
                  "1461b2eb05e2c39be9fcda6c19078c6a9d1b"));
  }

  TEST_CASE("AES-CBC with PKCS#5 padding round-trips every length around the block size") {
    const SymmetricKey key(KeyGenerator::aes(192));
    for (std::size_t n = 0; n <= 33; ++n) {
      const Bytes message(n, static_cast<std::uint8_t>(n));
      const EncryptResult r = key.encrypt(block(CipherMode::CBC, Padding::Pkcs5), message);
      CHECK(r.iv.size() == 16);
      CHECK(r.ciphertext.size() == (n / 16 + 1) * 16);
      CHECK(plain(key.decrypt(block(CipherMode::CBC, Padding::Pkcs5, r.iv), r.ciphertext, {})) == message);
    }
  }

  TEST_CASE("AES-CBC errors") {
    const SymmetricKey key(KeyGenerator::aes(128));
    const Bytes sixteen(16, 0);
    CHECK(errorOf([&] { return key.decrypt(block(CipherMode::CBC, Padding::Pkcs5), sixteen, {}); }) ==
          ErrorCode::BadCryptographicParameters);
    CHECK(errorOf([&] { return key.decrypt(block(CipherMode::CBC, Padding::Pkcs5, Bytes(12, 0)), sixteen, {}); }) ==
          ErrorCode::BadCryptographicParameters);
    CHECK(errorOf([&] { return key.encrypt(block(CipherMode::CBC, Padding::Pkcs5, Bytes(8, 0)), sixteen); }) ==
          ErrorCode::BadCryptographicParameters);
    CHECK(errorOf([&] { return key.encrypt(block(CipherMode::CBC, Padding::None), Bytes(17, 0)); }) ==
          ErrorCode::BadCryptographicParameters);
    CHECK(errorOf([&] { return key.encrypt(block(CipherMode::CBC, Padding::Oaep), sixteen); }) ==
          ErrorCode::BadCryptographicParameters);
    CHECK(errorOf([&] { return key.decrypt(block(CipherMode::CBC, Padding::Pkcs5, sixteen), Bytes(15, 0), {}); }) ==
          ErrorCode::CryptographicFailure);

    // A last plaintext byte of 0 is never valid PKCS#5 padding.
    const EncryptResult r = key.encrypt(block(CipherMode::CBC, Padding::None, sixteen), sixteen);
    CHECK(errorOf([&] { return key.decrypt(block(CipherMode::CBC, Padding::Pkcs5, sixteen), r.ciphertext, {}); }) ==
          ErrorCode::CryptographicFailure);
  }

  TEST_CASE("AES-ECB known answers (NIST SP 800-38A F.1.1 and F.1.3) and padding") {
    const SymmetricKey key128 = keyFromHex("2b7e151628aed2a6abf7158809cf4f3c");
    const Bytes expected = fromHex(
        "3ad77bb40d7a3660a89ecaf32466ef97f5d3d58503b9699de785895a96fdbaaf43b1cd7f598ece23881b00e3ed030688"
        "7b0c785e27e8ad3f8223207104725dd4");
    const EncryptResult r = key128.encrypt(block(CipherMode::ECB, Padding::None), kSp80038aPlaintext);
    CHECK(r.ciphertext == expected);
    CHECK(r.iv.empty());
    CHECK(plain(key128.decrypt(block(CipherMode::ECB, Padding::None), expected, {})) == kSp80038aPlaintext);

    const SymmetricKey key192 = keyFromHex("8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b");
    const Bytes firstBlock(kSp80038aPlaintext.begin(), kSp80038aPlaintext.begin() + 16);
    CHECK(key192.encrypt(block(CipherMode::ECB, Padding::None), firstBlock).ciphertext ==
          fromHex("bd334f1d6e45f25ff712a214571fa5cc"));

    const Bytes message = bytesOf("not a multiple of sixteen");
    const EncryptResult padded = key128.encrypt(block(CipherMode::ECB, Padding::Pkcs5), message);
    CHECK(padded.ciphertext.size() == 32);
    CHECK(plain(key128.decrypt(block(CipherMode::ECB, Padding::Pkcs5), padded.ciphertext, {})) == message);
  }

  TEST_CASE("key length, mode and operation errors") {
    CHECK(errorOf([] { return SymmetricKey(SecretBytes(15, 1)); }) == ErrorCode::InvalidField);
    CHECK(errorOf([] { return SymmetricKey(SecretBytes{}); }) == ErrorCode::InvalidField);
    CHECK(errorOf([] { return SymmetricKey(SecretBytes(64, 1)); }) == ErrorCode::InvalidField);
    CHECK(SymmetricKey(SecretBytes(24, 1)).bits() == 192);

    const SymmetricKey key(KeyGenerator::aes(256));
    CHECK(errorOf([&] { return key.encrypt(block(CipherMode::None, Padding::None), Bytes(16, 0)); }) ==
          ErrorCode::BadCryptographicParameters);
    CHECK(errorOf([&] { return key.decrypt(block(CipherMode::None, Padding::None), Bytes(16, 0), {}); }) ==
          ErrorCode::BadCryptographicParameters);
    CHECK(errorOf([&] { return key.sign(SignParams{}, bytesOf("m")); }) == ErrorCode::IllegalObjectType);
    CHECK(errorOf([&] { return key.verify(SignParams{}, bytesOf("m"), bytesOf("s")); }) ==
          ErrorCode::IllegalObjectType);
  }

  TEST_CASE("concurrent encryptions under one key never repeat an IV") {
    const SymmetricKey key(KeyGenerator::aes(256));
    constexpr int kThreads = 4;
    constexpr int kPerThread = 1000;  // crosses the per-thread IV pool refill several times
    std::vector<std::vector<Bytes>> ivs(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        CipherParams p;
        for (int i = 0; i < kPerThread; ++i) {
          const EncryptResult r = key.encrypt(p, bytesOf("payload"));
          CipherParams d;
          d.iv = r.iv;
          if (plain(key.decrypt(d, r.ciphertext, r.tag)) != bytesOf("payload")) {
            return;  // leaves a short list, caught below
          }
          ivs[static_cast<std::size_t>(t)].push_back(r.iv);
        }
      });
    }
    for (auto& thread : threads) {
      thread.join();
    }
    std::set<Bytes> unique;
    for (const auto& list : ivs) {
      CHECK(list.size() == kPerThread);
      unique.insert(list.begin(), list.end());
    }
    CHECK(unique.size() == static_cast<std::size_t>(kThreads * kPerThread));
  }
}
