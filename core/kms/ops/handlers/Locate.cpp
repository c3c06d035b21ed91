// KMIP 2.1 section 6.1.28. The index columns (Name, ObjectType, CryptographicAlgorithm,
// CryptographicLength, State, tags) filter in the store; any other attribute is matched here on
// the candidates (usage mask by bits, a pair of dates as a range, structures by the fields
// given). Only objects the caller owns or holds a right on are seen; newest first; destroyed
// objects only when the StorageStatusMask asks for them.
#include <algorithm>

#include <fmt/format.h>

#include "kms/Exception.hpp"
#include "kms/ops/attributes/AttributeSet.hpp"
#include "kms/ops/attributes/AttributeKey.hpp"
#include "kms/ops/handlers/Handlers.hpp"
#include "kms/ops/objects/StoredObjectMapper.hpp"
#include "kms/ops/hsmkeys/HsmHandlers.hpp"

namespace kms::ops::handlers {

using kmip::ItemType;

namespace {

constexpr std::int32_t kOnLineStorage = 0x1;
constexpr std::int32_t kDestroyedStorage = 0x4;

// Every field the filter gives is present in the candidate (KMIP: structure fields are not all
// required in a Locate filter).
bool subsetMatch(const Ttlv& filter, const Ttlv& candidate) {
  if (filter.tag() != candidate.tag() || filter.type() != candidate.type()) return false;
  if (!filter.isStructure()) return filter == candidate;
  for (const auto& f : filter.items()) {
    bool found = false;
    for (const auto& c : candidate.items()) {
      if (subsetMatch(f, c)) {
        found = true;
        break;
      }
    }
    if (!found) return false;
  }
  return true;
}

struct Residual {
  attributes::AttributeKey key;
  std::vector<Ttlv> values;
};

bool matches(const Ttlv& attributes, const std::vector<Residual>& residuals) {
  for (const auto& r : residuals) {
    const auto indices = attributes::instancesOf(attributes, r.key);
    if (r.key.tag == "CryptographicUsageMask") {
      if (indices.empty()) return false;
      const auto have = static_cast<std::uint32_t>(attributes.items()[indices.front()].number());
      for (const auto& v : r.values) {
        const auto want = static_cast<std::uint32_t>(v.number());
        if ((have & want) != want) return false;
      }
      continue;
    }
    if (r.values.size() == 2 && r.values[0].type() == ItemType::DateTime && r.values[1].type() == ItemType::DateTime) {
      if (indices.empty()) return false;
      const auto lo = std::min(r.values[0].number(), r.values[1].number());
      const auto hi = std::max(r.values[0].number(), r.values[1].number());
      const auto have = attributes.items()[indices.front()].number();
      if (have < lo || have > hi) return false;
      continue;
    }
    for (const auto& v : r.values) {
      bool found = false;
      for (const auto index : indices) {
        if (subsetMatch(v, attributes.items()[index])) {
          found = true;
          break;
        }
      }
      if (!found) return false;
    }
  }
  return true;
}

std::int32_t optionalCount(const Ttlv& payload, std::string_view tag) {
  const auto* item = payload.find(tag);
  if (item == nullptr) return -1;
  const auto value = item->asInteger();
  if (value < 0) throw Exception(ErrorCode::InvalidField, fmt::format("{} must not be negative", tag));
  return value;
}

bool isTagAttribute(const attributes::AttributeKey& key, const std::vector<std::string>& vendors) {
  if (!key.isVendor() || key.name != "tag") return false;
  return std::any_of(vendors.begin(), vendors.end(),
                     [&](const auto& v) { return attributes::sameVendor(v, key.vendor); });
}

}  // namespace

Ttlv locate(OperationContext& ctx, const Ttlv& payload) {
  const std::int32_t maximum = optionalCount(payload, "MaximumItems");
  const std::int32_t offset = std::max(optionalCount(payload, "OffsetItems"), 0);
  std::int32_t storage = kOnLineStorage;
  if (const auto* mask = payload.find("StorageStatusMask")) storage = mask->asInteger();

  store::LocateQuery query;
  query.visibleTo = ctx.request.user;
  std::vector<Residual> residuals;
  auto addResidual = [&](const Ttlv& item) {
    const auto key = attributes::keyOf(item);
    for (auto& r : residuals) {
      if (attributes::keyMatches(r.key, key)) {
        r.values.push_back(item);
        return;
      }
    }
    residuals.push_back(Residual{key, {item}});
  };

  if (const auto* given = payload.find("Attributes")) {
    Ttlv filter = given->withTag("Attributes");
    attributes::normalizeVendorAttributes(filter);
    for (const auto& item : filter.items()) {
      const auto key = attributes::keyOf(item);
      if (item.isStructure() && item.items().empty()) continue;  // e.g. Cosmian's empty Link
      if (key.tag == "KeyFormatType") continue;                  // an export choice, not a property
      if (key.tag == "Name" && !query.name) {
        const auto* value = item.find("NameValue");
        if (value == nullptr) throw Exception(ErrorCode::InvalidField, "a Name filter needs a NameValue");
        query.name = value->asText();
      } else if (key.tag == "ObjectType" && !query.objectType) {
        query.objectType = item.asEnumeration();
      } else if (key.tag == "CryptographicAlgorithm" && !query.algorithm) {
        query.algorithm = item.asEnumeration();
      } else if (key.tag == "CryptographicLength" && !query.length) {
        query.length = item.asInteger();
      } else if (key.tag == "State" && !query.state) {
        query.state = item.asEnumeration();
      } else if (isTagAttribute(key, ctx.objects.vendors())) {
        Ttlv one = Ttlv::structure("Attributes", {item});
        for (auto& tag : attributes::AttributeSet(one).tags(ctx.objects.vendors())) {
          if (std::find(query.tags.begin(), query.tags.end(), tag) == query.tags.end()) query.tags.push_back(tag);
        }
      } else {
        addResidual(item);
      }
    }
  }

  // Storage Status Mask: destroyed objects only when asked for (an explicit State filter is
  // taken as asking), in the same query.
  bool none = false;
  if (!query.state) {
    const bool online = (storage & kOnLineStorage) != 0;
    const bool destroyed = (storage & kDestroyedStorage) != 0;
    const std::vector<std::uint32_t> gone{static_cast<std::uint32_t>(kmip::State::Destroyed),
                                          static_cast<std::uint32_t>(kmip::State::DestroyedCompromised)};
    if (!online && !destroyed) {
      none = true;  // only archived objects asked for: kmsd archives nothing
    } else if (!destroyed) {
      query.statesNotIn = gone;
    } else if (!online) {
      query.statesIn = gone;
    }
  }
  std::vector<std::string> uids = none ? std::vector<std::string>{} : ctx.objects.locate(query);

  if (!residuals.empty()) {
    std::erase_if(uids, [&](const std::string& uid) {
      const auto stored = ctx.objects.store().get(uid);
      if (!stored) return true;
      const auto object = objects::StoredObjectMapper::fromStored(*stored);
      return !matches(object.attributes, residuals);
    });
  }

  // Keys inside the HSMs: Active, on-line, without tags; matched on the index filters only (a
  // filter on any other attribute or on tags excludes them rather than guess).
  const bool online = (storage & kOnLineStorage) != 0;
  const bool activeWanted = !query.state || *query.state == static_cast<std::uint32_t>(kmip::State::Active);
  if (ctx.settings.hsm != nullptr && online && activeWanted && query.tags.empty() && residuals.empty()) {
    const hsmkeys::LocateFilter filter{query.name, query.objectType, query.algorithm, query.length};
    for (auto& uid : hsmkeys::locate(ctx, filter)) uids.push_back(std::move(uid));
  }

  const auto total = uids.size();
  Ttlv response = Ttlv::structure("ResponsePayload");
  response.add(Ttlv::integer("LocatedItems", static_cast<std::int32_t>(std::min<std::size_t>(total, INT32_MAX))));
  std::size_t begin = std::min<std::size_t>(static_cast<std::size_t>(offset), total);
  std::size_t end = maximum < 0 ? total : std::min(total, begin + static_cast<std::size_t>(maximum));
  for (std::size_t i = begin; i < end; ++i) response.add(Ttlv::textString("UniqueIdentifier", uids[i]));

  // Section 6.1.28: one result becomes the ID placeholder; several (or none) empty it.
  ctx.idPlaceholder = end - begin == 1 ? uids[begin] : std::string();
  return response;
}

}  // namespace kms::ops::handlers
