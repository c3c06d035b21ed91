#include "kms/ops/wrapping/WrapScheme.hpp"

#include "kms/Exception.hpp"
#include "kms/kmip/Enums.hpp"

namespace kms::ops::wrapping {
namespace {

using kmip::Ttlv;

std::uint32_t enumIn(const Ttlv& parameters, std::string_view tag) {
  const auto* item = parameters.find(tag);
  return item != nullptr && item->type() == kmip::ItemType::Enumeration ? item->asEnumeration() : 0;
}

constexpr auto value(auto e) noexcept {
  return static_cast<std::uint32_t>(e);
}

}  // namespace

WrapScheme::Kind WrapScheme::of(const Ttlv& wrappingData) {
  const auto* info = wrappingData.find("EncryptionKeyInformation");
  const auto* parameters = info != nullptr ? info->find("CryptographicParameters") : nullptr;
  if (parameters == nullptr) throw Exception(ErrorCode::InternalError, "a stored wrapped key has no parameters");
  const auto mode = enumIn(*parameters, "BlockCipherMode");
  const bool keyWrap = mode == value(kmip::BlockCipherMode::AESKeyWrapPadding);
  if (enumIn(*parameters, "PaddingMethod") == value(kmip::PaddingMethod::OAEP)) {
    return keyWrap ? Kind::RsaAes : Kind::RsaOaep;
  }
  if (keyWrap) {
    return enumIn(*parameters, "KeyRoleType") == value(kmip::KeyRoleType::KEK) ? Kind::AesEnvelope
                                                                               : Kind::AesKeyWrapPad;
  }
  if (mode == value(kmip::BlockCipherMode::GCM)) return Kind::LegacyAesGcm;
  throw Exception(ErrorCode::InternalError, "a stored wrapped key names an unknown wrapping method");
}

Ttlv WrapScheme::aesParameters(Kind kind) {
  if (kind != Kind::AesKeyWrapPad && kind != Kind::AesEnvelope) {
    throw Exception(ErrorCode::InternalError, "kmsd writes AES key wrap parameters only");
  }
  std::vector<Ttlv> items{Ttlv::enumeration("BlockCipherMode", value(kmip::BlockCipherMode::AESKeyWrapPadding)),
                          Ttlv::enumeration("CryptographicAlgorithm", value(kmip::CryptographicAlgorithm::AES))};
  if (kind == Kind::AesEnvelope) items.push_back(Ttlv::enumeration("KeyRoleType", value(kmip::KeyRoleType::KEK)));
  return Ttlv::structure("CryptographicParameters", std::move(items));
}

std::string_view WrapScheme::name(Kind kind) noexcept {
  switch (kind) {
    case Kind::AesKeyWrapPad:
      return "AES key wrap with padding";
    case Kind::AesEnvelope:
      return "AES key wrap with padding of an ephemeral AES-256 key";
    case Kind::LegacyAesGcm:
      return "AES-GCM (legacy)";
    case Kind::RsaOaep:
      return "RSA-OAEP";
    case Kind::RsaAes:
      return "RSA-AES key wrap";
  }
  return "unknown";
}

}  // namespace kms::ops::wrapping
