#include "kms/integrations/google_cse/CsePrivateKey.hpp"

#include <fmt/format.h>

#include <array>

#include "kms/Base64.hpp"
#include "kms/Exception.hpp"
#include "kms/integrations/google_cse/CseRefusal.hpp"
#include "kms/keys/Digest.hpp"
#include "kms/keys/KeyFormats.hpp"
#include "kms/keys/RsaPrivateKey.hpp"

namespace kms::integrations::google_cse {
namespace {

using keys::Hash;
using keys::Padding;

keys::RsaPrivateKey load(const SecureBytes& pkcs8) {
  try {
    return keys::RsaPrivateKey::fromPkcs8Der(pkcs8);
  } catch (const Exception&) {
    throw CseRefusal(400, "wrapped_private_key does not hold an RSA private key");
  }
}

struct SignatureAlgorithm {
  std::string_view name;
  Hash hash;
};

constexpr std::array<SignatureAlgorithm, 3> kSignatures{
    {{"SHA256withRSA", Hash::Sha256}, {"SHA384withRSA", Hash::Sha384}, {"SHA512withRSA", Hash::Sha512}}};

}  // namespace

SecureBytes CsePrivateKey::readPrivateKey(std::string_view field) {
  SecureBytes der;
  try {
    if (field.find("-----BEGIN") != std::string_view::npos) {
      std::string label;
      der = keys::KeyFormats::pemToDer(field, label);
    } else if (auto decoded = Base64::decode(field)) {
      der = std::move(*decoded);
    }
    const auto form = keys::KeyFormats::detectRsaDer(der);
    if (form == keys::RsaDerForm::Pkcs1Private) return keys::KeyFormats::pkcs1PrivateToPkcs8(der);
    if (form == keys::RsaDerForm::Pkcs8Private) {
      static_cast<void>(keys::RsaPrivateKey::fromPkcs8Der(der));  // parses: a usable key
      return der;
    }
  } catch (const Exception&) {  // NOLINT(bugprone-empty-catch): answered below, as every bad input
  }
  throw CseRefusal(400, "private_key must be an RSA private key: PEM, or the Base64 of its PKCS#1 or PKCS#8 DER");
}

std::string CsePrivateKey::spkiHash(const SecureBytes& pkcs8, std::string_view algorithm) {
  if (algorithm != "SHA-256" && algorithm != "sha-256" && algorithm != "SHA256") {
    throw CseRefusal(400, fmt::format("spki_hash_algorithm {} is not supported (SHA-256 is)", algorithm.substr(0, 40)));
  }
  const auto spki = load(pkcs8).publicKey().toSpkiDer();
  return Base64::encode(keys::Digest::sha256(spki));
}

SecureBytes CsePrivateKey::sign(const SecureBytes& pkcs8, std::string_view algorithm, const SecureBytes& digest,
                                std::optional<int> pssSaltLength) {
  const bool pss = algorithm.ends_with("/PSS");
  const std::string_view base = pss ? algorithm.substr(0, algorithm.size() - 4) : algorithm;
  const SignatureAlgorithm* chosen = nullptr;
  for (const auto& candidate : kSignatures) {
    if (candidate.name == base) chosen = &candidate;
  }
  if (chosen == nullptr) {
    throw CseRefusal(400, fmt::format("algorithm {} is not supported (SHA256withRSA, SHA384withRSA, SHA512withRSA, "
                                      "each also with /PSS)",
                                      algorithm.substr(0, 40)));
  }
  if (digest.size() != keys::Digest::length(chosen->hash)) {
    throw CseRefusal(400, fmt::format("digest must be the {} bytes of a {} digest", keys::Digest::length(chosen->hash),
                                      base.substr(0, 6)));
  }
  keys::SignParams params;
  params.padding = pss ? Padding::Pss : Padding::Pkcs1v15;
  params.hash = chosen->hash;
  params.mgfHash = chosen->hash;
  if (pss) params.pssSaltLength = pssSaltLength;
  try {
    return load(pkcs8).signDigest(params, digest);
  } catch (const Exception& error) {
    if (error.code() == ErrorCode::BadCryptographicParameters) throw CseRefusal(400, error.what());
    throw;
  }
}

SecureBytes CsePrivateKey::decrypt(const SecureBytes& pkcs8, std::string_view algorithm, const SecureBytes& ciphertext,
                                   const SecureBytes& oaepLabel, bool pkcs1v15Allowed) {
  keys::CipherParams params;
  params.mode = keys::CipherMode::None;
  if (algorithm == "RSA/ECB/PKCS1Padding") {
    if (!pkcs1v15Allowed) {
      throw CseRefusal(400,
                       "RSA/ECB/PKCS1Padding decryption is off: it is a padding oracle (set rsa_pkcs1v15_decrypt = "
                       "true to accept it)");
    }
    params.padding = Padding::Pkcs1v15;
  } else if (algorithm == "RSA/ECB/OAEPwithSHA-256andMGF1Padding" ||
             algorithm == "RSA/ECB/OAEPwithSHA-1andMGF1Padding") {
    params.padding = Padding::Oaep;
    params.hash = algorithm.find("SHA-256") != std::string_view::npos ? Hash::Sha256 : Hash::Sha1;
    params.mgfHash = params.hash;
    params.oaepLabel = oaepLabel;
  } else {
    throw CseRefusal(400, fmt::format("algorithm {} is not supported (RSA/ECB/OAEPwithSHA-256andMGF1Padding, "
                                      "RSA/ECB/OAEPwithSHA-1andMGF1Padding, RSA/ECB/PKCS1Padding)",
                                      algorithm.substr(0, 60)));
  }
  const auto key = load(pkcs8);
  try {
    return key.decrypt(params, ciphertext, {});
  } catch (const Exception&) {
    // One answer for every failure: telling bad padding from a bad length is an oracle.
    throw CseRefusal(400, "encrypted_data_encryption_key does not decrypt with this private key");
  }
}

}  // namespace kms::integrations::google_cse
