#pragma once
// HSM key UIDs (DESIGN §4):
//   hsm::<model>[_N]::<slot>::<key>   a key of an HSM instance ("hsm::softhsm2_1::3::k1")
//   hsm::<slot>::<key>                legacy: the HSM configured with the flat hsm_* keys
// A key ending in "_pk" names the public key of an RSA pair created as the key without it
// (its token label is the full text, as the driver makes it). Anything not starting with
// "hsm::" is a database object.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kms::hsm {

struct HsmUid {
  std::string instance;  // "softhsm2_1"; empty for the legacy form
  std::uint64_t slot = 0;
  std::string key;  // the token label, "_pk" included
  bool publicKey = false;

  [[nodiscard]] bool legacy() const noexcept { return instance.empty(); }
  // The private key's label for a public key ("k1" for "k1_pk"); key otherwise.
  [[nodiscard]] std::string pairLabel() const;
  [[nodiscard]] std::string toString() const;
};

class UidParser {
 public:
  static constexpr std::string_view kPrefix = "hsm::";
  static constexpr std::string_view kPublicSuffix = "_pk";

  [[nodiscard]] static bool isHsmUid(std::string_view uid) noexcept;
  // nullopt for a database UID; throws kms::Exception(InvalidField) for a malformed hsm:: UID.
  [[nodiscard]] static std::optional<HsmUid> parse(std::string_view uid);
  [[nodiscard]] static std::string format(std::string_view instance, std::uint64_t slot, std::string_view key);
};

}  // namespace kms::hsm
