#include "kms/store/sqlite/LocateSql.hpp"

#include <set>

#include <fmt/format.h>

namespace kms::store::sqlite {
namespace {

class Builder {
 public:
  // Adds a parameter and returns its placeholder, "?N".
  std::string bind(std::int64_t number) {
    out_.parameters.push_back(LocateSql::Parameter{false, number, {}});
    return placeholder();
  }
  std::string bind(const std::string& text) {
    out_.parameters.push_back(LocateSql::Parameter{true, 0, text});
    return placeholder();
  }
  std::string placeholder() const { return fmt::format("?{}", out_.parameters.size()); }
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

LocateSql LocateSql::build(const LocateQuery& query, bool visibilityDrives) {
  Builder b;
  b.out().sql = "SELECT o.uid FROM objects o";
  // One condition drives the query through a by-value index, as `uid IN (SELECT ...)`; the
  // others are checked per candidate row with primary-key lookups (correlated EXISTS). Two IN
  // subqueries would each be materialised in full, and a tag on half the objects would then
  // cost 50,000 rows whatever the other filters select.
  bool driven = false;
  auto visibility = [&] {
    const std::string user = b.bind(*query.visibleTo);
    if (!driven) {
      // The objects the user may see, by index: SQLite runs the two terms as a multi-index OR
      // (objects_by_owner, then access_by_user), as it would not `owner = ? OR EXISTS (...)`,
      // which scans every object. A UNION subquery would do as well but builds a temporary
      // b-tree, which costs more than the rest of a small user's query.
      b.where("(o.owner = " + user + " OR o.uid IN (SELECT uid FROM access WHERE user_id IN (" + user + ", '*')))");
      driven = true;
    } else {
      b.where("(o.owner = " + user + " OR EXISTS (SELECT 1 FROM access a WHERE a.uid = o.uid AND a.user_id IN (" +
              user + ", '*')))");
    }
  };
  if (query.visibleTo && visibilityDrives) visibility();
  if (query.name) {
    const std::string name = b.bind(*query.name);
    b.where(driven ? "EXISTS (SELECT 1 FROM object_names n WHERE n.uid = o.uid AND n.name = " + name + ")"
                   : "o.uid IN (SELECT uid FROM object_names WHERE name = " + name + ")");
    driven = true;
  }
  std::set<std::string> seen;  // a repeated tag adds nothing
  for (const std::string& tag : query.tags) {
    if (!seen.insert(tag).second) continue;
    const std::string value = b.bind(tag);
    b.where(driven ? "EXISTS (SELECT 1 FROM object_tags t WHERE t.uid = o.uid AND t.tag = " + value + ")"
                   : "o.uid IN (SELECT uid FROM object_tags WHERE tag = " + value + ")");
    driven = true;
  }
  if (query.visibleTo && !visibilityDrives) visibility();
  if (query.wrappingKey) {
    if (query.wrappingKey->empty()) {
      // Stored as NULL (see SqliteStore), which the partial index leaves out: the rows are read
      // in created order and filtered.
      b.where("o.wrapping_key IS NULL");
    } else if (driven) {
      // One key may wrap every object: the unary + keeps SQLite, which has no statistics to
      // tell, from preferring objects_by_wrapping_key over the name, tag or visibility that
      // drives.
      b.where("+o.wrapping_key = " + b.bind(*query.wrappingKey));
    } else {
      // objects_by_wrapping_key (partial, which `=` allows) yields the rows in order.
      b.where("o.wrapping_key = " + b.bind(*query.wrappingKey));
    }
  }
  // Without any of the above, the (object_type, created_us DESC, uid) or (created_us DESC, uid)
  // index yields rows already in order, and a page stops after `limit` rows.
  if (query.objectType) b.where("o.object_type = " + b.bind(std::int64_t{*query.objectType}));
  if (query.algorithm) b.where("o.algorithm = " + b.bind(std::int64_t{*query.algorithm}));
  if (query.length) b.where("o.length = " + b.bind(std::int64_t{*query.length}));
  if (query.state) b.where("o.state = " + b.bind(std::int64_t{*query.state}));
  const auto stateList = [&](const std::vector<std::uint32_t>& states) {
    std::string list;
    for (const auto state : states) list += (list.empty() ? "" : ", ") + b.bind(std::int64_t{state});
    return list;
  };
  if (!query.statesIn.empty()) b.where("o.state IN (" + stateList(query.statesIn) + ")");
  if (!query.statesNotIn.empty()) b.where("o.state NOT IN (" + stateList(query.statesNotIn) + ")");
  // A negative LIMIT means none in SQLite; binding it keeps one text for paged and full queries.
  const std::string limit = b.bind(query.limit ? std::int64_t{*query.limit} : std::int64_t{-1});
  const std::string offset = b.bind(std::int64_t{query.offset});
  b.out().sql += " ORDER BY o.created_us DESC, o.uid LIMIT " + limit + " OFFSET " + offset;
  return std::move(b.out());
}

}  // namespace kms::store::sqlite
