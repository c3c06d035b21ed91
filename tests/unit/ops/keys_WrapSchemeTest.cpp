// How kmsd records and reads the scheme of a server-wrapped key (WrapScheme) and the AES
// envelope's encoding (AesEnvelope), issue 22 finding 1. The HSM layer of the envelope is
// RFC 5649 in the HSM; here the same RFC 5649 in software stands in for it, so the encoding
// (head of 40 bytes, then the material's RFC 5649 under the ephemeral key) is checked byte for
// byte. tests/integration/test_sec_wrapping.py runs the real thing on SoftHSM2.
#include "keys_Fixture.hpp"

#include "kms/keys/AesKeyWrap.hpp"
#include "kms/keys/Random.hpp"
#include "kms/ops/wrapping/AesEnvelope.hpp"
#include "kms/ops/wrapping/WrapScheme.hpp"

namespace kms::ops::keystest {
namespace {

using wrapping::AesEnvelope;
using wrapping::WrapScheme;
using Kind = WrapScheme::Kind;

Ttlv wrappingData(Ttlv parameters, std::vector<Ttlv> more = {}) {
  std::vector<Ttlv> items{
      Ttlv::enumeration("WrappingMethod", static_cast<std::uint32_t>(kmip::WrappingMethod::Encrypt)),
      Ttlv::structure("EncryptionKeyInformation",
                      {Ttlv::textString("UniqueIdentifier", "hsm::softhsm2::0::kek"), std::move(parameters)})};
  for (auto& m : more) items.push_back(std::move(m));
  return Ttlv::structure("KeyWrappingData", std::move(items));
}

template <class E>
Ttlv en(std::string_view tag, E e) {
  return Ttlv::enumeration(std::string(tag), static_cast<std::uint32_t>(e));
}

Ttlv parameters(std::vector<Ttlv> items) {
  return Ttlv::structure("CryptographicParameters", std::move(items));
}

std::optional<ErrorCode> codeOf(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Exception& e) {
    return e.code();
  }
  return std::nullopt;
}

// Software RFC 5649 standing in for the HSM key.
struct SoftKek {
  keys::SecretBytes kek = keys::Random::secretBytes(32);
  keys::SecretBytes lastEphemeral;
  AesEnvelope::WrapHead wrap() {
    return [this](const keys::SecretBytes& ephemeral) {
      lastEphemeral = ephemeral;
      return keys::AesKeyWrap::wrap(kek, ephemeral);
    };
  }
  AesEnvelope::UnwrapHead unwrap() const {
    return [this](const keys::Bytes& head) { return keys::AesKeyWrap::unwrap(kek, head); };
  }
};

}  // namespace

TEST_CASE("wrap schemes: what kmsd writes for an AES wrapping key reads back as the same scheme") {
  CHECK(WrapScheme::of(wrappingData(WrapScheme::aesParameters(Kind::AesKeyWrapPad))) == Kind::AesKeyWrapPad);
  CHECK(WrapScheme::of(wrappingData(WrapScheme::aesParameters(Kind::AesEnvelope))) == Kind::AesEnvelope);
  // The envelope is told apart from a direct key wrap by KeyRoleType KEK only.
  const auto envelope = WrapScheme::aesParameters(Kind::AesEnvelope);
  CHECK(envelope.find("KeyRoleType") != nullptr);
  CHECK(WrapScheme::aesParameters(Kind::AesKeyWrapPad).find("KeyRoleType") == nullptr);
  CHECK(envelope.find("BlockCipherMode")->asEnumeration() ==
        static_cast<std::uint32_t>(kmip::BlockCipherMode::AESKeyWrapPadding));
  // kmsd never writes AES-GCM (nor RSA parameters through this function).
  CHECK(codeOf([] { (void)WrapScheme::aesParameters(Kind::LegacyAesGcm); }) == ErrorCode::InternalError);
  CHECK(codeOf([] { (void)WrapScheme::aesParameters(Kind::RsaAes); }) == ErrorCode::InternalError);
}

TEST_CASE("wrap schemes: the stored forms of kmsd before issue 22 are still recognised") {
  // AES-GCM as the old KeyWrapper::wrapAes stored it.
  const auto gcm = wrappingData(parameters({en("BlockCipherMode", kmip::BlockCipherMode::GCM),
                                            en("CryptographicAlgorithm", kmip::CryptographicAlgorithm::AES),
                                            Ttlv::integer("IVLength", 96), Ttlv::integer("TagLength", 16)}),
                                {Ttlv::byteString("IVCounterNonce", Bytes(12, 7))});
  CHECK(WrapScheme::of(gcm) == Kind::LegacyAesGcm);
  // Plain key wrap as stored before: no KeyRoleType.
  CHECK(WrapScheme::of(wrappingData(parameters({en("BlockCipherMode", kmip::BlockCipherMode::AESKeyWrapPadding),
                                                en("CryptographicAlgorithm", kmip::CryptographicAlgorithm::AES)}))) ==
        Kind::AesKeyWrapPad);
  const auto oaep = [](bool hybrid) {
    std::vector<Ttlv> items{en("PaddingMethod", kmip::PaddingMethod::OAEP),
                            en("HashingAlgorithm", kmip::HashingAlgorithm::SHA_1),
                            en("CryptographicAlgorithm", kmip::CryptographicAlgorithm::RSA)};
    if (hybrid) items.push_back(en("BlockCipherMode", kmip::BlockCipherMode::AESKeyWrapPadding));
    return wrappingData(parameters(std::move(items)));
  };
  CHECK(WrapScheme::of(oaep(false)) == Kind::RsaOaep);
  CHECK(WrapScheme::of(oaep(true)) == Kind::RsaAes);
  CHECK(codeOf([] {
          (void)WrapScheme::of(wrappingData(parameters({en("BlockCipherMode", kmip::BlockCipherMode::CBC)})));
        }) == ErrorCode::InternalError);
  CHECK(codeOf([] { (void)WrapScheme::of(Ttlv::structure("KeyWrappingData", {})); }) == ErrorCode::InternalError);
}

TEST_CASE("AES envelope: head of 40 bytes (the wrapped ephemeral key), then RFC 5649 of the material") {
  SoftKek hsm;
  // An RSA private key's PKCS#1 length that is not whole 8-byte blocks, and short material.
  for (const std::size_t size : {std::size_t{1191}, std::size_t{1}, std::size_t{32}}) {
    CAPTURE(size);
    const auto material = keys::Random::secretBytes(size);
    const auto sealed = AesEnvelope::seal(material, hsm.wrap());
    const std::size_t body = ((size + 7) / 8) * 8 + 8;
    CHECK(sealed.size() == AesEnvelope::kHeadBytes + body);
    // The documented split, by hand: the head unwraps to the ephemeral key, which unwraps the rest.
    const Bytes head(sealed.begin(), sealed.begin() + AesEnvelope::kHeadBytes);
    const auto ephemeral = keys::AesKeyWrap::unwrap(hsm.kek, head);
    CHECK(ephemeral.size() == AesEnvelope::kEphemeralBytes);
    CHECK(ephemeral == hsm.lastEphemeral);
    CHECK(keys::AesKeyWrap::unwrap(ephemeral, keys::ByteView(sealed).subspan(AesEnvelope::kHeadBytes)) == material);
    CHECK(AesEnvelope::open(sealed, hsm.unwrap()) == material);
  }
}

TEST_CASE("AES envelope: a fresh ephemeral key each time; altered, truncated or malformed values refused") {
  SoftKek hsm;
  const auto material = keys::Random::secretBytes(1190);
  const auto a = AesEnvelope::seal(material, hsm.wrap());
  const auto firstEphemeral = hsm.lastEphemeral;
  const auto b = AesEnvelope::seal(material, hsm.wrap());
  CHECK(firstEphemeral != hsm.lastEphemeral);
  CHECK(a != b);
  auto altered = a;
  altered.back() ^= 1;
  CHECK(codeOf([&] { (void)AesEnvelope::open(altered, hsm.unwrap()); }) == ErrorCode::CryptographicFailure);
  auto alteredHead = a;
  alteredHead[3] ^= 1;
  CHECK(codeOf([&] { (void)AesEnvelope::open(alteredHead, hsm.unwrap()); }) == ErrorCode::CryptographicFailure);
  const Bytes truncated(a.begin(), a.begin() + AesEnvelope::kHeadBytes + 8);
  CHECK(codeOf([&] { (void)AesEnvelope::open(truncated, hsm.unwrap()); }) == ErrorCode::InternalError);
  // An HSM answering anything but 40 bytes for the ephemeral key is not trusted with the rest.
  CHECK(codeOf([&] {
          (void)AesEnvelope::seal(material, [](const keys::SecretBytes& k) { return Bytes(k.begin(), k.end()); });
        }) == ErrorCode::InternalError);
}

}  // namespace kms::ops::keystest
