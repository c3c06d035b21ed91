#include "kms/pkcs11/Mechanism.hpp"

#include <fmt/format.h>

#include "kms/pkcs11/HashNames.hpp"

namespace kms::pkcs11 {

namespace {

struct Choice {
  CK_MECHANISM_TYPE type = 0;
  CK_FLAGS flag = 0;
  std::string name;
};

const char* verb(Operation operation) {
  switch (operation) {
    case Operation::Encrypt:
      return "encrypt";
    case Operation::Decrypt:
      return "decrypt";
    case Operation::Sign:
      return "sign";
    case Operation::Wrap:
      return "wrap";
    case Operation::Unwrap:
      return "unwrap";
  }
  return "use";
}

CK_FLAGS cipherFlag(Operation operation) {
  return (operation == Operation::Encrypt || operation == Operation::Wrap) ? CKF_ENCRYPT : CKF_DECRYPT;
}

void requireHash(std::int32_t hash) {
  if (HashNames::digestLength(hash) == 0) {
    throw Error(KMS_ERR_NOT_SUPPORTED, fmt::format("unknown hash algorithm {}", hash));
  }
}

// Which mechanism serves the request; throws NOT_SUPPORTED when none does.
Choice choose(Operation operation, std::int32_t algorithm, std::int32_t hash) {
  const bool signing = operation == Operation::Sign;
  switch (algorithm) {
    case KMS_ALG_AES_GCM:
      if (!signing) return {CKM_AES_GCM, cipherFlag(operation), "AES-GCM"};
      break;
    case KMS_ALG_RSA_OAEP:
      requireHash(hash);
      if (!signing) {
        return {CKM_RSA_PKCS_OAEP, cipherFlag(operation), fmt::format("RSA-OAEP with {}", HashNames::display(hash))};
      }
      break;
    case KMS_ALG_RSA_PKCS1:
      if (!signing) return {CKM_RSA_PKCS, cipherFlag(operation), "RSA PKCS#1 v1.5"};
      break;
    case KMS_ALG_AES_KEY_WRAP_PAD:
      if (operation == Operation::Wrap) return {CKM_AES_KEY_WRAP_PAD, CKF_WRAP, "AES key wrap with padding"};
      if (operation == Operation::Unwrap) return {CKM_AES_KEY_WRAP_PAD, CKF_UNWRAP, "AES key wrap with padding"};
      break;
    case KMS_ALG_RSA_PSS:
      requireHash(hash);
      if (signing) {
        return {HashNames::rsaPssSign(hash), CKF_SIGN, fmt::format("RSA-PSS with {}", HashNames::display(hash))};
      }
      break;
    case KMS_ALG_RSA_PKCS1_SIGN:
      requireHash(hash);
      if (signing) {
        return {HashNames::rsaPkcsSign(hash), CKF_SIGN,
                fmt::format("RSA PKCS#1 v1.5 signature with {}", HashNames::display(hash))};
      }
      break;
    default:
      throw Error(KMS_ERR_NOT_SUPPORTED, fmt::format("unknown algorithm {}", algorithm));
  }
  throw Error(KMS_ERR_NOT_SUPPORTED, fmt::format("algorithm {} cannot {}", algorithm, verb(operation)));
}

// Empty when the slot can serve the choice, else why not.
std::string refusal(Slot& slot, const Choice& choice, std::int32_t algorithm, std::int32_t hash, std::int32_t mgfHash) {
  if (algorithm == KMS_ALG_RSA_OAEP) {
    const auto& accepted = slot.settings().oaepHashes;
    for (const auto h : {hash, mgfHash}) {
      if (accepted.count(h) == 0) {
        const auto list = slot.settings().oaepHashList();
        return fmt::format("RSA-OAEP with {} is not supported by the token in slot {} ({} supports OAEP with {}{})",
                           HashNames::display(h), slot.id(), slot.settings().model, list,
                           accepted.size() == 1 ? " only" : "");
      }
    }
  }
  if (!slot.mechanisms().supports(choice.type, choice.flag)) {
    return fmt::format("{} is not supported by the token in slot {} (mechanism 0x{:x} not listed for {})", choice.name,
                       slot.id(), choice.type, choice.flag == CKF_SIGN ? "sign" : "this operation");
  }
  return {};
}

}  // namespace

Mechanism::Mechanism(Slot& slot, Operation operation, const CryptParams& params) {
  const Choice choice = choose(operation, params.algorithm, params.hash);
  if (auto why = refusal(slot, choice, params.algorithm, params.hash, params.mgfHash); !why.empty()) {
    throw Error(KMS_ERR_NOT_SUPPORTED, why);
  }
  name_ = choice.name;
  mechanism_.mechanism = choice.type;
  switch (params.algorithm) {
    case KMS_ALG_AES_GCM: {
      if (params.iv.empty() || params.iv.size() > 256) {
        throw Error(KMS_ERR_INVALID_ARGUMENT, "AES-GCM needs an IV of 1 to 256 bytes (12 recommended)");
      }
      if (params.tagLength < 4 || params.tagLength > 16) {
        throw Error(KMS_ERR_INVALID_ARGUMENT,
                    fmt::format("AES-GCM tag length {} is not 4 to 16 bytes", params.tagLength));
      }
      iv_ = params.iv;
      aad_ = params.aad;
      symmetric_ = true;
      if (slot.settings().gcmLegacyParams) {
        legacyGcm_ = {iv_.data(), iv_.size(), aad_.empty() ? nullptr : aad_.data(), aad_.size(),
                      params.tagLength * 8UL};
        mechanism_.pParameter = &legacyGcm_;
        mechanism_.ulParameterLen = sizeof legacyGcm_;
      } else {
        // ulIvBits: PKCS#11 3.0 says the IV length in bits; libraries that read it want it
        // consistent with ulIvLen, the others ignore it.
        gcm_.pIv = iv_.data();
        gcm_.ulIvLen = iv_.size();
        gcm_.ulIvBits = iv_.size() * 8;
        gcm_.pAAD = aad_.empty() ? nullptr : aad_.data();
        gcm_.ulAADLen = aad_.size();
        gcm_.ulTagBits = params.tagLength * 8UL;
        mechanism_.pParameter = &gcm_;
        mechanism_.ulParameterLen = sizeof gcm_;
      }
      break;
    }
    case KMS_ALG_RSA_OAEP:
      // Empty label: CKZ_DATA_SPECIFIED with NULL/0, the PKCS#11 default every token accepts.
      oaep_.hashAlg = HashNames::digestMechanism(params.hash);
      oaep_.mgf = HashNames::mgf(params.mgfHash);
      oaep_.source = CKZ_DATA_SPECIFIED;
      oaep_.pSourceData = nullptr;
      oaep_.ulSourceDataLen = 0;
      mechanism_.pParameter = &oaep_;
      mechanism_.ulParameterLen = sizeof oaep_;
      multiPart_ = false;
      break;
    case KMS_ALG_RSA_PKCS1:
      multiPart_ = false;
      break;
    case KMS_ALG_AES_KEY_WRAP_PAD:
      symmetric_ = true;
      keyWrap_ = true;
      multiPart_ = false;
      break;
    case KMS_ALG_RSA_PSS:
      requireHash(params.mgfHash);
      pss_.hashAlg = HashNames::digestMechanism(params.hash);
      pss_.mgf = HashNames::mgf(params.mgfHash);
      pss_.sLen = params.saltLength != 0 ? params.saltLength : HashNames::digestLength(params.hash);
      mechanism_.pParameter = &pss_;
      mechanism_.ulParameterLen = sizeof pss_;
      break;
    default:  // KMS_ALG_RSA_PKCS1_SIGN: hash-and-sign mechanisms take no parameter
      break;
  }
}

bool Mechanism::supported(Slot& slot, std::int32_t algorithm, std::int32_t hash, std::string* reason) {
  const std::int32_t h = hash != 0 ? hash : KMS_HASH_SHA256;
  Operation operation = Operation::Encrypt;
  if (algorithm == KMS_ALG_RSA_PSS || algorithm == KMS_ALG_RSA_PKCS1_SIGN) operation = Operation::Sign;
  if (algorithm == KMS_ALG_AES_KEY_WRAP_PAD) operation = Operation::Wrap;
  try {
    const Choice choice = choose(operation, algorithm, h);
    auto why = refusal(slot, choice, algorithm, h, h);
    if (reason != nullptr) *reason = why;
    return why.empty();
  } catch (const Error& e) {
    if (e.status() != KMS_ERR_NOT_SUPPORTED) throw;
    if (reason != nullptr) *reason = e.what();
    return false;
  }
}

}  // namespace kms::pkcs11
