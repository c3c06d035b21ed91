#pragma once
// The one table of what a client may do with each KMIP 2.1 attribute (section 4): its type,
// who sets it, whether Add/Set/Modify/Delete may touch it, how many instances it may have and
// which way its value may move. Every path that takes attribute values from a client (Create,
// CreateKeyPair, Register, Import and the four attribute edit operations) checks them here, so
// that a rule written once holds everywhere: a Sensitive key cannot be made extractable by any
// of them, whatever type or form the request uses.
#include <optional>
#include <span>
#include <string_view>

#include "kms/kmip/Ttlv.hpp"

namespace kms::ops::attributes {

class AttributeRules {
 public:
  // Who gives the attribute its value.
  enum class Setter {
    Client,  // the client may give it at creation; edits follow `modifiable`/`deletable`
    // The server's alone: never editable. At creation a client's value is ignored (clients echo
    // exported attributes): objects::NewObject drops the identity and lifecycle ones (Import puts those of
    // a restored object back, KMIP 2.1 6.1.25), clientAttributes the history flags always.
    Server,
  };
  // How an edit may change a single-instance value.
  enum class Change {
    Any,
    OnlyToTrue,              // Sensitive: false -> true only (a secret, once protected, stays protected)
    OnlyToFalse,             // Extractable: true -> false only
    WhilePreActive,          // ActivationDate (section 4.1)
    WhilePreActiveOrActive,  // DeactivationDate, ProcessStartDate, ProtectStopDate
  };
  struct Spec {
    std::string_view tag;
    kmip::ItemType type;  // the encoding section 4 gives the attribute
    Setter setter;
    bool modifiable;  // Add/Set/Modify allowed for a client (subject to `change`)
    bool deletable;   // Delete allowed for a client
    bool multiple;    // several instances permitted
    Change change;
  };

  // The rule of a standard attribute tag; nullopt for anything section 4 does not define.
  // Vendor attributes (tag "Attribute") are not in the table: see AttributeEdit.
  [[nodiscard]] static std::optional<Spec> find(std::string_view tag) noexcept;

  // Throws InvalidField when `value` does not have the type of `spec`, or, for a DateTime, lies
  // outside 0000-01-01..9999-12-31 (the dates KMIP's text encodings can write; beyond, second
  // and microsecond conversions overflow).
  static void checkValue(const Spec& spec, const kmip::Ttlv& value);
  // find + checkValue for a standard attribute; other tags pass (unknown ones are refused, or
  // not, by the caller).
  static void checkValue(const kmip::Ttlv& value);

  // Throws AttributeReadOnly when an edit may not move the attribute from `current` (nullptr:
  // absent) to `next`, by `spec.change`. The lifecycle conditions are checked by the caller,
  // which knows the object's state.
  static void checkChange(const Spec& spec, const kmip::Ttlv* current, const kmip::Ttlv& next);

  // Server-maintained flags after any change of `attributes` (KMIP 2.1 4.3, 4.33):
  // AlwaysSensitive stays true only while Sensitive has always been true, NeverExtractable only
  // while Extractable has always been false.
  static void maintainDerivedFlags(kmip::Ttlv& attributes);

  // The whole table, for tests and for the spec cross-check.
  [[nodiscard]] static std::span<const Spec> all() noexcept;
};

}  // namespace kms::ops::attributes
