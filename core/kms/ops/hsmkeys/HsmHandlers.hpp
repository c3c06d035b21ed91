#pragma once
// KMIP operations on keys inside an HSM (UIDs hsm::<model>[_N]::<slot>::<key> and the legacy
// hsm::<slot>::<key>) other than the cryptographic ones, which reach HSM keys through
// crypto::KeyResolver and HsmUsableKey. handlers/OperationTable routes Get, Export,
// GetAttributes and Destroy here by the UID's form; Create and CreateKeyPair branch here on the
// UID they are asked to create, after their own request validation; an HSM key is no database object: its only record
// is the HSM, its attributes come from the driver and its grants from the store's hsm_access rows.
#include <optional>
#include <string>
#include <vector>

#include "kms/hsm/UidParser.hpp"
#include "kms/kmip/Ttlv.hpp"
#include "kms/ops/OperationContext.hpp"

namespace kms::ops::hsmkeys {

using kmip::Ttlv;

// The UniqueIdentifier a Create/CreateKeyPair asks for, when it is an hsm:: UID.
[[nodiscard]] std::optional<std::string> requestedUid(const Ttlv* attributes);

// Only the instance's hsm_admin users create. `attributes`: Sensitive (default true),
// Extractable (default true), CryptographicUsageMask (default: the driver's).
Ttlv create(OperationContext& ctx, const std::string& uid, const Ttlv& attributes, std::int32_t bits);
// The private key at `uid`, the public key at `uid`_pk.
Ttlv createKeyPair(OperationContext& ctx, const std::string& uid, const Ttlv& privateAttributes, std::int32_t bits);

// Get, Export and GetAttributes, Destroy of the payload's hsm:: UID: the HSM column of
// handlers/OperationTable (same signature as the database handlers).
// Get and Export (Get plus the attributes): public keys always; a sensitive or unextractable
// secret or private key is refused (Sensitive / NotExtractable).
Ttlv get(OperationContext& ctx, const Ttlv& payload);
Ttlv exportKey(OperationContext& ctx, const Ttlv& payload);
Ttlv getAttributes(OperationContext& ctx, const Ttlv& payload);
// No revoke needed: the key leaves the HSM, and its grants go with it.
Ttlv destroy(OperationContext& ctx, const Ttlv& payload);

// What Locate filters HSM keys on (the store's index columns; HSM keys carry no tags).
struct LocateFilter {
  std::optional<std::string> name;  // the token label
  std::optional<std::uint32_t> objectType;
  std::optional<std::uint32_t> algorithm;
  std::optional<std::int32_t> length;
};
// Canonical UIDs of the HSM keys the caller administers or holds a grant on.
[[nodiscard]] std::vector<std::string> locate(OperationContext& ctx, const LocateFilter& filter);

}  // namespace kms::ops::hsmkeys
