#include "kms/ops/crypto/DecryptPolicy.hpp"

#include <fmt/format.h>

#include "kms/Exception.hpp"

namespace kms::ops::crypto {

void DecryptPolicy::checkRsaPadding(const OperationContext& ctx, keys::Padding padding) {
  if (padding != keys::Padding::Pkcs1v15 || ctx.settings.rsaPkcs1v15Decrypt) return;
  throw Exception(ErrorCode::FeatureNotSupported,
                  fmt::format("RSA PKCS#1 v1.5 decryption is disabled (it is a padding oracle): use OAEP, or set "
                              "{} on the server",
                              kSetting));
}

}  // namespace kms::ops::crypto
