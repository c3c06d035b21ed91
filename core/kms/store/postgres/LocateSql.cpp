#include "kms/store/postgres/LocateSql.hpp"

#include <cstdint>
#include <limits>
#include <set>

namespace kms::store::postgres {
namespace {

class Builder {
 public:
  std::string bind(std::string value) {
    out_.parameters.push_back(std::move(value));
    return "$" + std::to_string(out_.parameters.size());
  }
  void where(const std::string& condition) {
    out_.sql += hasWhere_ ? " AND " : " WHERE ";
    hasWhere_ = true;
    out_.sql += condition;
  }
  LocateSql& out() { return out_; }

 private:
  LocateSql out_;
  bool hasWhere_ = false;
};

}  // namespace

LocateSql LocateSql::build(const LocateQuery& query) {
  Builder b;
  b.out().sql = "SELECT o.uid FROM objects o";
  if (query.name) {
    b.where("o.uid IN (SELECT uid FROM object_names WHERE name = " + b.bind(*query.name) + ")");
  }
  std::set<std::string> seen;  // a repeated tag adds nothing
  for (const std::string& tag : query.tags) {
    if (!seen.insert(tag).second) continue;
    b.where("o.uid IN (SELECT uid FROM object_tags WHERE tag = " + b.bind(tag) + ")");
  }
  if (query.visibleTo) {
    // The set of uids the user may see, as a semi-join: `owner = $ OR EXISTS (...)` cannot use
    // the by-value indexes and would scan every object to find the few a user sees.
    const std::string user = b.bind(*query.visibleTo);
    b.where("o.uid IN (SELECT uid FROM objects WHERE owner = " + user +
            " UNION ALL SELECT uid FROM access WHERE user_id IN (" + user + ", '*'))");
  }
  if (query.wrappingKey) {
    // An object the server did not wrap has NULL (see PostgresStore), which `=` never matches.
    b.where(query.wrappingKey->empty() ? std::string("o.wrapping_key IS NULL")
                                       : "o.wrapping_key = " + b.bind(*query.wrappingKey));
  }
  if (query.objectType) b.where("o.object_type = " + b.bind(std::to_string(*query.objectType)) + "::bigint");
  if (query.algorithm) b.where("o.algorithm = " + b.bind(std::to_string(*query.algorithm)) + "::bigint");
  if (query.length) b.where("o.length = " + b.bind(std::to_string(*query.length)) + "::integer");
  if (query.state) b.where("o.state = " + b.bind(std::to_string(*query.state)) + "::bigint");
  const auto stateList = [&](const std::vector<std::uint32_t>& states) {
    std::string list;
    for (const auto state : states) list += (list.empty() ? "" : ", ") + b.bind(std::to_string(state)) + "::bigint";
    return list;
  };
  if (!query.statesIn.empty()) b.where("o.state IN (" + stateList(query.statesIn) + ")");
  if (!query.statesNotIn.empty()) b.where("o.state NOT IN (" + stateList(query.statesNotIn) + ")");
  // A bound LIMIT keeps one text for paged and full queries; the largest bigint means none.
  const std::string limit =
      b.bind(query.limit ? std::to_string(*query.limit) : std::to_string(std::numeric_limits<std::int64_t>::max()));
  const std::string offset = b.bind(std::to_string(query.offset));
  b.out().sql += " ORDER BY o.created_us DESC, o.uid LIMIT " + limit + "::bigint OFFSET " + offset + "::bigint";
  return std::move(b.out());
}

}  // namespace kms::store::postgres
