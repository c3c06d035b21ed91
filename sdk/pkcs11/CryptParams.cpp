#include "kms/pkcs11/CryptParams.hpp"

#include "kms/pkcs11/Error.hpp"

namespace kms::pkcs11 {

CryptParams CryptParams::from(const kms_crypt_params* params) {
  if (params == nullptr || params->struct_size < sizeof(kms_crypt_params)) {
    throw Error(KMS_ERR_INVALID_ARGUMENT, "kms_crypt_params missing or struct_size too small");
  }
  CryptParams out;
  out.algorithm = params->algorithm;
  out.hash = params->hash != 0 ? params->hash : KMS_HASH_SHA256;
  out.mgfHash = params->mgf_hash != 0 ? params->mgf_hash : out.hash;
  if (params->iv_length > 0) {
    if (params->iv == nullptr) throw Error(KMS_ERR_INVALID_ARGUMENT, "kms_crypt_params: iv_length without iv");
    out.iv.assign(params->iv, params->iv + params->iv_length);
  }
  if (params->aad_length > 0) {
    if (params->aad == nullptr) throw Error(KMS_ERR_INVALID_ARGUMENT, "kms_crypt_params: aad_length without aad");
    out.aad.assign(params->aad, params->aad + params->aad_length);
  }
  out.tagLength = params->tag_length != 0 ? params->tag_length : 16;
  out.saltLength = params->salt_length;
  return out;
}

}  // namespace kms::pkcs11
