#include "kms/ops/attributes/AttributeEdit.hpp"

#include <fmt/format.h>

#include "kms/Exception.hpp"
#include "kms/ops/attributes/AttributeRules.hpp"
#include "kms/ops/attributes/AttributeSet.hpp"
#include "kms/ops/attributes/AttributeValues.hpp"
#include "kms/ops/objects/Lifecycle.hpp"
#include "kms/ops/wrapping/KeyWrapper.hpp"

namespace kms::ops::attributes {

using kmip::ItemType;
using kmip::State;
using kmip::Ttlv;

objects::ManagedObject load(OperationContext& ctx, const Ttlv& payload, std::string_view operation) {
  return ctx.objects.load(ctx.uidOrPlaceholder(payload), ctx.request.user, operation);
}

void checkWritable(OperationContext& ctx, const objects::ManagedObject& object, const attributes::AttributeKey& key,
                   const Ttlv& attribute) {
  if (key.isVendor()) {
    // Section 4.60: vendor identification "y" is the server's own.
    if (key.vendor == "y") {
      throw Exception(ErrorCode::AttributeReadOnly,
                      "vendor attributes of identification 'y' are set by the server only");
    }
    if (key.name == wrapping::KeyWrapper::kAttributeName) {
      // It reports where the server put the key; a client value would only mislead.
      throw Exception(ErrorCode::AttributeReadOnly, fmt::format("{} is set by the server only", key.display()));
    }
    if (key.name == "tag") {
      for (const auto& vendor : ctx.objects.vendors()) {
        if (attributes::sameVendor(vendor, key.vendor)) {
          Ttlv probe = Ttlv::structure("Attributes", {attribute});
          (void)AttributeSet(probe).tags(ctx.objects.vendors());  // InvalidField unless a JSON array
          break;
        }
      }
    }
    return;
  }
  const auto spec = AttributeRules::find(key.tag);
  if (!spec) {
    throw Exception(ErrorCode::InvalidField,
                    fmt::format("{} is not an attribute kmsd supports", key.tag.substr(0, 64)));
  }
  if (spec->setter == AttributeRules::Setter::Server || !spec->modifiable) {
    throw Exception(ErrorCode::AttributeReadOnly, fmt::format("{} is read-only for clients", key.display()));
  }
  AttributeRules::checkValue(*spec, attribute);
  if (key.tag == "Name") {
    const auto* value = attribute.find("NameValue");
    if (value == nullptr || value->type() != ItemType::TextString || value->text().empty()) {
      throw Exception(ErrorCode::InvalidField, "Name needs a non-empty NameValue");
    }
  }
  using Change = AttributeRules::Change;
  switch (spec->change) {
    case Change::Any:
      break;
    case Change::OnlyToTrue:
    case Change::OnlyToFalse:
      AttributeRules::checkChange(*spec, object.attributes.find(key.tag), attribute);
      break;
    case Change::WhilePreActive:
    case Change::WhilePreActiveOrActive: {
      const State state = objects::stateOf(object);
      if (spec->change == Change::WhilePreActive && state != State::PreActive) {
        throw Exception(ErrorCode::WrongKeyLifecycleState,
                        fmt::format("{} can change only while PreActive; object {} is {}", key.tag, object.uid,
                                    objects::name(state)));
      }
      if (state != State::PreActive && state != State::Active) {
        throw Exception(ErrorCode::WrongKeyLifecycleState,
                        fmt::format("{} can change only while PreActive or Active; object {} is {}", key.tag,
                                    object.uid, objects::name(state)));
      }
      break;
    }
  }
}

void checkDeletable(const objects::ManagedObject& /*object*/, const attributes::AttributeKey& key) {
  if (key.isVendor()) {
    if (key.vendor == "y" || key.name == wrapping::KeyWrapper::kAttributeName) {
      throw Exception(ErrorCode::AttributeReadOnly, fmt::format("{} cannot be deleted by clients", key.display()));
    }
    return;
  }
  const auto spec = AttributeRules::find(key.tag);
  if (!spec) {
    throw Exception(ErrorCode::InvalidField,
                    fmt::format("{} is not an attribute kmsd supports", key.tag.substr(0, 64)));
  }
  // Sensitive and Extractable are not deletable: an absent Sensitive would read as false.
  if (spec->setter == AttributeRules::Setter::Server || !spec->deletable) {
    throw Exception(ErrorCode::AttributeReadOnly, fmt::format("{} cannot be deleted by clients", key.display()));
  }
}

void commit(OperationContext& ctx, objects::ManagedObject& object) {
  AttributeSet set(object.attributes);
  const auto now = attributes::nowSeconds();
  // Section 4.57: an ActivationDate reached activates a PreActive object, a DeactivationDate
  // reached deactivates an Active one.
  const State state = objects::stateOf(object);
  if (state == State::PreActive) {
    if (auto activation = set.date("ActivationDate"); activation && *activation <= now) set.setState(State::Active);
  }
  if (objects::stateOf(object) == State::Active) {
    if (auto deactivation = set.date("DeactivationDate"); deactivation && *deactivation <= now) {
      set.setState(State::Deactivated);
    }
  }
  AttributeRules::maintainDerivedFlags(object.attributes);
  set.setDate("LastChangeDate", now);
  ctx.objects.update(object);
}

void ensureIdentity(objects::ManagedObject& object) {
  auto& items = object.attributes.items();
  if (object.attributes.find("ObjectType") == nullptr) {
    items.insert(items.begin(), Ttlv::enumeration("ObjectType", static_cast<std::uint32_t>(object.objectType)));
  }
  if (object.attributes.find("UniqueIdentifier") == nullptr) {
    items.insert(items.begin(), Ttlv::textString("UniqueIdentifier", object.uid));
  }
}

Ttlv uidResponse(const std::string& uid) {
  return Ttlv::structure("ResponsePayload", {Ttlv::textString("UniqueIdentifier", uid)});
}

}  // namespace kms::ops::attributes
