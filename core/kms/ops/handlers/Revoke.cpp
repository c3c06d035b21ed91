// KMIP 2.1 section 6.1.44 and the transitions of section 4.57:
//   KeyCompromise/CACompromise: PreActive, Active, Deactivated -> Compromised;
//                               Destroyed -> DestroyedCompromised
//   any other reason:           Active -> Deactivated
// Every other revocation is refused with WrongKeyLifecycleState.
#include <fmt/format.h>

#include "kms/Exception.hpp"
#include "kms/kmip/Dictionary.hpp"
#include "kms/ops/attributes/AttributeEdit.hpp"
#include "kms/ops/attributes/AttributeSet.hpp"
#include "kms/ops/attributes/AttributeValues.hpp"
#include "kms/ops/handlers/Handlers.hpp"
#include "kms/ops/objects/Lifecycle.hpp"

namespace kms::ops::handlers {

using kmip::State;

Ttlv revoke(OperationContext& ctx, const Ttlv& payload) {
  const auto& reason = payload.at("RevocationReason");
  if (!reason.isStructure()) throw Exception(ErrorCode::InvalidField, "RevocationReason must be a Structure");
  const auto code = static_cast<kmip::RevocationReasonCode>(reason.at("RevocationReasonCode").asEnumeration());
  const bool compromise =
      code == kmip::RevocationReasonCode::KeyCompromise || code == kmip::RevocationReasonCode::CACompromise;
  const auto* occurrence = payload.find("CompromiseOccurrenceDate");
  if (occurrence != nullptr && !compromise) {
    throw Exception(ErrorCode::InvalidField,
                    "CompromiseOccurrenceDate is only for the KeyCompromise and CACompromise reasons");
  }
  std::optional<std::int64_t> occurredAt;
  if (occurrence != nullptr) occurredAt = occurrence->asDateTime();

  objects::ManagedObject object = attributes::load(ctx, payload, "revoke");
  const State state = objects::stateOf(object);
  attributes::AttributeSet set(object.attributes);
  const auto now = attributes::nowSeconds();
  if (compromise) {
    const State next = [&] {
      switch (state) {
        case State::PreActive:
        case State::Active:
        case State::Deactivated:
          return State::Compromised;
        case State::Destroyed:
          return State::DestroyedCompromised;
        default:
          throw Exception(ErrorCode::WrongKeyLifecycleState,
                          fmt::format("object {} is already {}", object.uid, objects::name(state)));
      }
    }();
    set.setState(next);
    set.setDate("CompromiseDate", now);
    // Section 6.1.44: the client's occurrence date, else the object's Initial Date.
    set.setDate("CompromiseOccurrenceDate", occurredAt.value_or(set.date("InitialDate").value_or(now)));
  } else {
    if (state != State::Active) {
      throw Exception(ErrorCode::WrongKeyLifecycleState,
                      fmt::format("only an Active object can be revoked for reason {}; object {} is {}",
                                  kmip::Dictionary::enumText("RevocationReasonCode", static_cast<std::uint32_t>(code)),
                                  object.uid, objects::name(state)));
    }
    set.setState(State::Deactivated);
    set.setDate("DeactivationDate", now);
  }
  Ttlv stored = Ttlv::structure("RevocationReason");
  stored.add(Ttlv::enumeration("RevocationReasonCode", static_cast<std::uint32_t>(code)));
  if (const auto* message = reason.find("RevocationMessage");
      message != nullptr && message->type() == kmip::ItemType::TextString) {
    stored.add(Ttlv::textString("RevocationMessage", message->text().substr(0, 1024)));
  }
  set.set(std::move(stored));
  attributes::commit(ctx, object);
  return attributes::uidResponse(object.uid);
}

}  // namespace kms::ops::handlers
