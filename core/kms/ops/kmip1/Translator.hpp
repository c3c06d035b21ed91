#pragma once
// KMIP 1.0-1.4 on kmsd's 2.1 operations: the one translation layer both transports use, because
// RequestProcessor applies it to every batch item of a RequestMessage whose ProtocolVersion is
// 1.x (HTTP POST /kmip today, the 5696 socket next). The handlers see only 2.1 payloads.
#include <cstdint>
#include <functional>

#include "kms/kmip/Enums.hpp"
#include "kms/kmip/Ttlv.hpp"

namespace kms::ops::kmip1 {

class Translator {
 public:
  // Runs a 2.1 operation on a 2.1 request payload, with the caller's rights and ID placeholder;
  // returns the 2.1 response payload or throws kms::Exception.
  using Runner = std::function<kmip::Ttlv(kmip::Operation, const kmip::Ttlv&)>;

  // One 1.x batch item: its payload in 2.1 form through `run`, the answer back in 1.x form.
  // Add/Modify/DeleteAttribute address an instance by AttributeIndex and answer with the
  // Attribute; they read the instances through a GetAttributes of the same caller (so a caller
  // who may not read the object is refused by that, with the same not-found answer). Before 1.4,
  // which brought AuthenticatedEncryptionTag, an AES-GCM tag ends Data: Encrypt appends it and
  // Decrypt splits it off (the key's mode read by a GetAttributes of the caller as well).
  static kmip::Ttlv run(kmip::Operation operation, const kmip::Ttlv& payload, std::int32_t minor, const Runner& run);

  // The 1.`minor` ResultReason for a 2.1 one: 2.x-only reasons become the 1.x reason for the
  // same case (WrongKeyLifecycleState -> PermissionDenied, as the 1.4 profile vectors answer),
  // anything else the version does not define GeneralFailure.
  [[nodiscard]] static std::uint32_t resultReason(std::uint32_t reason, std::int32_t minor) noexcept;
};

}  // namespace kms::ops::kmip1
