#include "kms/kmip/Enums.hpp"

#include "kms/ops/wrapping/WrapCipher.hpp"

#include <fmt/format.h>

#include <array>

#include "kms/Exception.hpp"
#include "kms/keys/AesKeyWrap.hpp"
#include "kms/keys/Random.hpp"
#include "kms/ops/wrapping/AesEnvelope.hpp"
#include "kms/ops/wrapping/HsmCall.hpp"

namespace kms::ops::wrapping {
namespace {

using kmip::Ttlv;

// Legacy AES-GCM wraps (read only): the tag length when the record does not say.
constexpr std::uint32_t kGcmTagBytes = 16;

struct OaepHash {
  keys::Hash hash;
  kmip::HashingAlgorithm kmip;
  std::size_t bytes;
};
// Strongest first: the first the token supports and whose OAEP capacity fits the key wins.
constexpr std::array kOaepHashes{
    OaepHash{keys::Hash::Sha512, kmip::HashingAlgorithm::SHA_512, 64},
    OaepHash{keys::Hash::Sha384, kmip::HashingAlgorithm::SHA_384, 48},
    OaepHash{keys::Hash::Sha256, kmip::HashingAlgorithm::SHA_256, 32},
    OaepHash{keys::Hash::Sha1, kmip::HashingAlgorithm::SHA_1, 20},
};

// Never AES-GCM (docs/wrapped-keys.md, "Why kmsd never wraps with AES-GCM"): AES key wrap
// with padding of the material when the token takes it, else the envelope of AesEnvelope.hpp
// (the token key-wraps a fresh AES-256 key, which key-wraps the material in kmsd).
Wrapped wrapAes(const WrappingKey& key, const keys::SecretBytes& material) {
  const auto slot = key.wrapRef.slot;
  if (!hsmCall(*key.instance, [&] { return key.instance->supports(slot, hsm::Mechanism::AesKeyWrapPad); })) {
    throw Exception(ErrorCode::FeatureNotSupported,
                    fmt::format("{}: the token offers no AES key wrap with padding, and kmsd never wraps with "
                                "AES-GCM",
                                key.canonical));
  }
  hsm::CryptParams params;
  params.mechanism = hsm::Mechanism::AesKeyWrapPad;
  try {
    auto value = hsmCall(*key.instance, [&] { return key.instance->wrap(key.wrapRef, params, material); });
    return {std::move(value), WrapScheme::aesParameters(WrapScheme::Kind::AesKeyWrapPad)};
  } catch (const Exception& e) {
    // Some tokens key-wrap whole 8-byte blocks only (SoftHSM2): the envelope serves the rest.
    if (e.code() != ErrorCode::FeatureNotSupported) throw;
  }
  auto value = AesEnvelope::seal(material, [&](const keys::SecretBytes& ephemeral) {
    return hsmCall(*key.instance, [&] { return key.instance->wrap(key.wrapRef, params, ephemeral); });
  });
  return {std::move(value), WrapScheme::aesParameters(WrapScheme::Kind::AesEnvelope)};
}

// RSA-OAEP of the material itself when it fits; otherwise RSA-AES key wrapping (PKCS#11
// CKM_RSA_AES_KEY_WRAP): a fresh AES-256 key wraps the material in software (RFC 5649) and the
// HSM wraps that AES key with RSA-OAEP. Stored value: OAEP block || AES-wrapped material, and
// BlockCipherMode AESKeyWrapPadding next to PaddingMethod OAEP says so.
Wrapped wrapRsa(const WrappingKey& key, const keys::SecretBytes& material) {
  constexpr std::size_t kEphemeralBytes = 32;
  const std::size_t modulusBytes = key.info.bits / 8;
  for (const auto& hash : kOaepHashes) {
    if (modulusBytes < 2 * hash.bytes + 2) continue;
    const std::size_t capacity = modulusBytes - 2 * hash.bytes - 2;
    const bool hybrid = material.size() > capacity;
    if (hybrid && capacity < kEphemeralBytes) continue;
    if (!hsmCall(*key.instance,
                 [&] { return key.instance->supports(key.wrapRef.slot, hsm::Mechanism::RsaOaep, hash.hash); })) {
      continue;
    }
    hsm::CryptParams params;
    params.mechanism = hsm::Mechanism::RsaOaep;
    params.hash = hash.hash;
    params.mgfHash = hash.hash;
    try {
      keys::Bytes value;
      if (hybrid) {
        const auto ephemeral = keys::Random::secretBytes(kEphemeralBytes);
        value = hsmCall(*key.instance, [&] { return key.instance->wrap(key.wrapRef, params, ephemeral); });
        const auto tail = keys::AesKeyWrap::wrap(ephemeral, material);
        value.insert(value.end(), tail.begin(), tail.end());
      } else {
        value = hsmCall(*key.instance, [&] { return key.instance->wrap(key.wrapRef, params, material); });
      }
      const auto hashing = static_cast<std::uint32_t>(hash.kmip);
      std::vector<Ttlv> parameters{
          Ttlv::enumeration("PaddingMethod", static_cast<std::uint32_t>(kmip::PaddingMethod::OAEP)),
          Ttlv::enumeration("HashingAlgorithm", hashing),
          Ttlv::enumeration("CryptographicAlgorithm", static_cast<std::uint32_t>(kmip::CryptographicAlgorithm::RSA)),
          Ttlv::enumeration("MaskGenerator", static_cast<std::uint32_t>(kmip::MaskGenerator::MGF1)),
          Ttlv::enumeration("MaskGeneratorHashingAlgorithm", hashing)};
      if (hybrid) {
        parameters.push_back(
            Ttlv::enumeration("BlockCipherMode", static_cast<std::uint32_t>(kmip::BlockCipherMode::AESKeyWrapPadding)));
      }
      return {std::move(value), Ttlv::structure("CryptographicParameters", std::move(parameters))};
    } catch (const Exception& e) {
      if (e.code() != ErrorCode::FeatureNotSupported) throw;
    }
  }
  throw Exception(
      ErrorCode::FeatureNotSupported,
      fmt::format("{}: the token supports no RSA-OAEP hash that fits this {}-bit key", key.canonical, key.info.bits));
}

std::uint32_t enumIn(const Ttlv& parameters, std::string_view tag) {
  const auto* item = parameters.find(tag);
  return item != nullptr ? item->asEnumeration() : 0;
}

keys::Hash oaepHash(std::uint32_t kmipHash) {
  for (const auto& hash : kOaepHashes) {
    if (static_cast<std::uint32_t>(hash.kmip) == kmipHash) return hash.hash;
  }
  throw Exception(ErrorCode::InternalError, "a stored wrapped key names an unknown OAEP hash");
}

// The HSM parameters that undo what wrap() recorded (for the two-layer schemes: those of the
// HSM layer).
hsm::CryptParams unwrapParams(const Ttlv& parameters, const Ttlv& wrappingData, WrapScheme::Kind scheme) {
  hsm::CryptParams params;
  switch (scheme) {
    case WrapScheme::Kind::RsaOaep:
    case WrapScheme::Kind::RsaAes:
      params.mechanism = hsm::Mechanism::RsaOaep;
      params.hash = oaepHash(enumIn(parameters, "HashingAlgorithm"));
      params.mgfHash = oaepHash(enumIn(parameters, "MaskGeneratorHashingAlgorithm"));
      return params;
    case WrapScheme::Kind::AesKeyWrapPad:
    case WrapScheme::Kind::AesEnvelope:
      params.mechanism = hsm::Mechanism::AesKeyWrapPad;
      return params;
    case WrapScheme::Kind::LegacyAesGcm: {
      // Kept so that keys wrapped before issue 22 stay readable; never written again.
      const auto* iv = wrappingData.find("IVCounterNonce");
      if (iv == nullptr) throw Exception(ErrorCode::InternalError, "a stored AES-GCM wrapped key has no IV");
      params.mechanism = hsm::Mechanism::AesGcm;
      params.iv = iv->asBytes();
      const auto* tag = parameters.find("TagLength");
      params.tagLength = tag != nullptr ? static_cast<std::uint32_t>(tag->asInteger()) : kGcmTagBytes;
      return params;
    }
  }
  throw Exception(ErrorCode::InternalError, "a stored wrapped key names an unknown wrapping method");
}

}  // namespace

Wrapped WrapCipher::wrap(const WrappingKey& key, const keys::SecretBytes& material) {
  return key.info.type == hsm::KeyType::Aes ? wrapAes(key, material) : wrapRsa(key, material);
}

keys::SecretBytes WrapCipher::unwrap(const WrappingKey& key, WrapScheme::Kind scheme, const Ttlv& parameters,
                                     const Ttlv& wrappingData, const keys::Bytes& wrapped, std::string_view objectUid) {
  const auto params = unwrapParams(parameters, wrappingData, scheme);
  if (scheme == WrapScheme::Kind::RsaAes) {
    const std::size_t head = key.info.bits / 8;
    if (wrapped.size() <= head) {
      throw Exception(ErrorCode::InternalError, fmt::format("stored object {} is truncated", objectUid));
    }
    const keys::Bytes oaep(wrapped.begin(), wrapped.begin() + static_cast<std::ptrdiff_t>(head));
    const auto ephemeral = hsmCall(*key.instance, [&] { return key.instance->unwrap(key.unwrapRef, params, oaep); });
    return keys::AesKeyWrap::unwrap(ephemeral, keys::ByteView(wrapped).subspan(head));
  }
  if (scheme == WrapScheme::Kind::AesEnvelope) {
    return AesEnvelope::open(wrapped, [&](const keys::Bytes& head) {
      return hsmCall(*key.instance, [&] { return key.instance->unwrap(key.unwrapRef, params, head); });
    });
  }
  return hsmCall(*key.instance, [&] { return key.instance->unwrap(key.unwrapRef, params, wrapped); });
}

}  // namespace kms::ops::wrapping
