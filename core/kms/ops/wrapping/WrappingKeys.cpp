#include "kms/kmip/Enums.hpp"

#include "kms/ops/wrapping/WrappingKeys.hpp"

#include <fmt/format.h>

#include "kms/Exception.hpp"
#include "kms/hsm/UidParser.hpp"
#include "kms/ops/attributes/AttributeSet.hpp"
#include "kms/ops/hsmkeys/HsmKeyAccess.hpp"
#include "kms/ops/objects/KeyMaterial.hpp"
#include "kms/ops/wrapping/HsmCall.hpp"

namespace kms::ops::wrapping {
namespace {

using kmip::Ttlv;

WrappingKey fromHsmKey(const hsmkeys::HsmKey& key) {
  WrappingKey out;
  out.instance = key.instance;
  out.canonical = key.canonical;
  out.info = key.info;
  out.wrapRef = key.ref();
  out.unwrapRef = key.ref();
  switch (key.info.type) {
    case hsm::KeyType::Aes:
    case hsm::KeyType::RsaPrivate:  // the driver encrypts with its pair's "<label>_pk"
      break;
    case hsm::KeyType::RsaPublic:
      if (!key.uid.publicKey) {
        throw Exception(ErrorCode::FeatureNotSupported,
                        fmt::format("{} is an RSA public key whose label does not end in _pk: kmsd could not find "
                                    "the private key that unwraps",
                                    key.given));
      }
      out.unwrapRef = hsm::KeyRef{key.uid.slot, key.uid.pairLabel(), {}};
      break;
    case hsm::KeyType::Unknown:
      throw Exception(ErrorCode::InvalidField, fmt::format("{} is not an AES or RSA key: it cannot wrap", key.given));
  }
  return out;
}

// route, rights for `operation` (none for the server's own use), then what the HSM says of the
// key; an HSM that cannot be reached is named.
WrappingKey resolve(OperationContext& ctx, const std::string& uid, std::optional<std::string_view> operation) {
  auto key = hsmkeys::HsmKeyAccess::route(ctx, uid);
  if (operation) hsmkeys::HsmKeyAccess::authorize(ctx, key, *operation);
  hsmCall(*key.instance, [&] {
    hsmkeys::HsmKeyAccess::describe(key);
    return 0;
  });
  return fromHsmKey(key);
}

}  // namespace

std::optional<std::string> WrappingKeys::requestedKeyId(const OperationContext& ctx, const Ttlv& attributes) {
  Ttlv copy = attributes;
  const attributes::AttributeSet set(copy);
  const auto* value = set.vendorAttribute(ctx.objects.vendors(), kAttributeName);
  if (value == nullptr) return std::nullopt;
  std::string id;
  if (value->type() == kmip::ItemType::TextString) {
    id = value->asText();
  } else if (value->type() == kmip::ItemType::ByteString) {
    const auto& bytes = value->asBytes();
    id.assign(bytes.begin(), bytes.end());
  } else {
    throw Exception(ErrorCode::InvalidField, "vendor attribute wrapping_key_id must be a TextString or ByteString");
  }
  if (id.empty()) throw Exception(ErrorCode::InvalidField, "vendor attribute wrapping_key_id is empty");
  return id;
}

std::optional<WrappingKey> WrappingKeys::forNewObject(OperationContext& ctx, const Ttlv& attributes,
                                                      kmip::ObjectType type) {
  const auto requested = requestedKeyId(ctx, attributes);
  // A key pair's attributes reach both halves: the public one is simply not wrapped.
  if (type == kmip::ObjectType::PublicKey) return std::nullopt;
  if (type != kmip::ObjectType::SymmetricKey && type != kmip::ObjectType::PrivateKey) {
    if (requested) {
      throw Exception(ErrorCode::FeatureNotSupported,
                      fmt::format("kmsd wraps symmetric keys and private keys, not a {}", objects::objectTag(type)));
    }
    return std::nullopt;
  }
  if (requested) {
    if (!hsm::UidParser::isHsmUid(*requested)) {
      throw Exception(ErrorCode::FeatureNotSupported,
                      "wrapping_key_id must name an HSM key (hsm::...): keys are wrapped in the HSM");
    }
    // The product's rule: the HSM admin, or whoever may encrypt with the wrapping key.
    return resolve(ctx, *requested, "encrypt");
  }
  if (!ctx.settings.keyEncryptionKey.empty()) return forServer(ctx, ctx.settings.keyEncryptionKey);
  return std::nullopt;
}

WrappingKey WrappingKeys::forServer(OperationContext& ctx, const std::string& uid) {
  return resolve(ctx, uid, std::nullopt);
}

}  // namespace kms::ops::wrapping
