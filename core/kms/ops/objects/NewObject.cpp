#include "kms/ops/objects/NewObject.hpp"

#include <array>
#include <cstddef>
#include <string>

#include <fmt/format.h>

#include "kms/Exception.hpp"
#include "kms/hsm/UidParser.hpp"
#include "kms/keys/Digest.hpp"
#include "kms/ops/attributes/AttributeSet.hpp"
#include "kms/ops/attributes/AttributeKey.hpp"
#include "kms/ops/attributes/AttributeValues.hpp"

namespace kms::ops::objects {

using kmip::ItemType;
using kmip::Ttlv;

namespace {

// Attributes only the server sets: a client's value is ignored (Cosmian clients send
// ObjectType in Attributes, for instance).
constexpr std::array<std::string_view, 12> kServerSet{
    "UniqueIdentifier",         "ObjectType",       "State",           "InitialDate",
    "LastChangeDate",           "Digest",           "DestroyDate",     "CompromiseDate",
    "CompromiseOccurrenceDate", "RevocationReason", "KeyValuePresent", "ArchiveDate",
};

bool isServerSet(std::string_view tag) {
  for (const auto t : kServerSet) {
    if (t == tag) return true;
  }
  return false;
}

// The identifier a client chose (Create, CreateKeyPair, Register: the UniqueIdentifier of its
// Attributes; Import: its payload's), checked: the hsm:: form names keys inside an HSM, and an
// identifier travels in URLs, logs and other systems' records, so it is printable and bounded.
std::string checkedClientUid(std::string uid) {
  constexpr std::size_t kMaxUidBytes = 255;
  if (hsm::UidParser::isHsmUid(uid)) {
    throw Exception(ErrorCode::InvalidField,
                    "identifiers starting with hsm:: name keys inside an HSM "
                    "(Create or CreateKeyPair make those); choose another one");
  }
  if (uid.size() > kMaxUidBytes) {
    throw Exception(ErrorCode::InvalidField,
                    fmt::format("a UniqueIdentifier has at most {} bytes, not {}", kMaxUidBytes, uid.size()));
  }
  for (const char c : uid) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F) {
      throw Exception(ErrorCode::InvalidField, "a UniqueIdentifier must not contain control characters");
    }
  }
  return uid;
}

std::string clientUidOf(const Ttlv& clientAttributes) {
  if (!clientAttributes.isStructure()) return {};
  const auto* uid = clientAttributes.find("UniqueIdentifier");
  if (uid == nullptr) return {};
  if (uid->type() != ItemType::TextString) {
    throw Exception(ErrorCode::InvalidField, "UniqueIdentifier must be a TextString");
  }
  return uid->text();
}

const Ttlv* keyBlockOf(const Ttlv& keyObject) {
  if (!keyObject.isStructure()) return nullptr;
  const auto* block = keyObject.find("KeyBlock");
  return block != nullptr && block->isStructure() ? block : nullptr;
}

}  // namespace

ManagedObject NewObject::make(OperationContext& ctx, kmip::ObjectType type, Ttlv keyObject,
                              const Ttlv& clientAttributes, const std::string& uid) {
  // Every way of making an object (Create, CreateKeyPair, Register, Import) comes here.
  if (!ctx.settings.accessPolicy.mayCreate(ctx.request.user)) {
    throw Exception(ErrorCode::PermissionDenied, "only privileged users may create objects");
  }
  const std::int64_t now = attributes::nowSeconds();
  ManagedObject object;
  const std::string chosen = uid.empty() ? clientUidOf(clientAttributes) : uid;
  object.uid = chosen.empty() ? ObjectRepository::newUid() : checkedClientUid(chosen);
  object.owner = ctx.request.user;
  object.objectType = type;

  Ttlv client = clientAttributes.isStructure() ? clientAttributes.withTag("Attributes") : Ttlv::structure("Attributes");
  attributes::normalizeVendorAttributes(client);

  Ttlv attributes = Ttlv::structure("Attributes");
  attributes.add(Ttlv::textString("UniqueIdentifier", object.uid));
  attributes.add(Ttlv::enumeration("ObjectType", static_cast<std::uint32_t>(type)));
  for (const auto& item : client.items()) {
    if (isServerSet(item.tag())) continue;
    // An empty Link structure (Cosmian clients send one) carries nothing.
    if (item.tag() == "Link" && item.isStructure() && item.items().empty()) continue;
    attributes.add(item);
  }
  attributes::AttributeSet set(attributes);

  // Algorithm, length and key format from the key block when the client did not say.
  if (const auto* block = keyBlockOf(keyObject)) {
    if (set.get("CryptographicAlgorithm") == nullptr) {
      if (const auto* a = block->find("CryptographicAlgorithm"); a != nullptr && a->type() == ItemType::Enumeration) {
        set.set(*a);
      }
    }
    if (set.get("CryptographicLength") == nullptr) {
      if (const auto* l = block->find("CryptographicLength"); l != nullptr && l->type() == ItemType::Integer) {
        set.set(*l);
      }
    }
    if (set.get("KeyFormatType") == nullptr) {
      if (const auto* f = block->find("KeyFormatType"); f != nullptr && f->type() == ItemType::Enumeration) {
        set.set(*f);
      }
    }
  }

  // State: a past or present ActivationDate activates at once (KMIP 2.1 section 4.57, 1.).
  const auto activation = set.date("ActivationDate");
  set.setState(activation && *activation <= now ? kmip::State::Active : kmip::State::PreActive);
  set.setDate("InitialDate", now);
  set.setDate("LastChangeDate", now);
  if (set.get("OriginalCreationDate") == nullptr) set.setDate("OriginalCreationDate", now);

  // Digest (section 4.21): SHA-256 of the key material in its Key Format Type, when the
  // material is a plain byte string (Raw, PKCS#1, PKCS#8...) and is not wrapped. A key the
  // server then wraps loses it again in KeyWrapper::wrap: nothing derived from the clear
  // material of a wrapped key reaches the store (issue 22, finding 7).
  if (const auto* block = keyBlockOf(keyObject); block != nullptr && block->find("KeyWrappingData") == nullptr) {
    const auto* value = block->find("KeyValue");
    const auto* material = value != nullptr && value->isStructure() ? value->find("KeyMaterial") : nullptr;
    const auto* format = block->find("KeyFormatType");
    if (material != nullptr && material->type() == ItemType::ByteString && format != nullptr &&
        format->type() == ItemType::Enumeration) {
      const auto digest = keys::Digest::sha256(material->bytes());
      set.set(Ttlv::structure(
          "Digest", {Ttlv::enumeration("HashingAlgorithm", static_cast<std::uint32_t>(kmip::HashingAlgorithm::SHA_256)),
                     Ttlv::byteString("DigestValue", Ttlv::Bytes(digest.begin(), digest.end())),
                     Ttlv::enumeration("KeyFormatType", format->asEnumeration())}));
    }
  }

  // Tags must be a valid JSON array now rather than fail later in the store mapping.
  (void)set.tags(ctx.objects.vendors());

  object.object = std::move(keyObject);
  object.attributes = std::move(attributes);
  return object;
}

}  // namespace kms::ops::objects
