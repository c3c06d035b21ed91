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

LocateSql LocateSql::build(const LocateQuery& query) {
  Builder b;
  b.out().sql = "SELECT o.uid FROM objects o";
  // One condition drives the query through a by-value index, as `uid IN (SELECT ...)`; the
  // others are checked per candidate row with primary-key lookups (correlated EXISTS). Two IN
  // subqueries would each be materialised in full, and a tag on half the objects would then
  // cost 50,000 rows whatever the other filters select.
  bool driven = false;
  // The name, else the first tag: what drives a query by value (the caller put the rarest tag
  // first when it could count them).
  const bool byName = query.name.has_value();
  const std::string* driver = byName ? &*query.name : (query.tags.empty() ? nullptr : &query.tags.front());
  std::set<std::string> seen;  // a repeated tag adds nothing
  if (query.visibleTo && driver) {
    // A user's Locate by name or tag must cost the same whether or not other users' objects
    // carry that name or tag, or its time tells that they exist. The candidates are therefore
    // the user's own objects with the value, by (value, owner, uid) index: a range that holds
    // the user's entries only; UNION ALL the objects granted to the user or to '*', by
    // access_by_user (user_id, uid), each checked for the value by primary key (uid, value).
    // EXPLAIN QUERY PLAN for a tag (tests/unit/store/SqliteLocateTest.cpp checks it):
    //   SEARCH o USING INDEX sqlite_autoindex_objects_1 (uid=?)
    //   LIST SUBQUERY 3
    //     SEARCH object_tags USING COVERING INDEX object_tags_by_tag (tag=? AND owner=?)
    //     UNION ALL
    //     SEARCH a USING COVERING INDEX access_by_user (user_id=?)
    //     CORRELATED SCALAR SUBQUERY 2: SEARCH t USING PRIMARY KEY (uid=? AND tag=?)
    //   USE TEMP B-TREE FOR ORDER BY
    // and each further condition a primary-key probe of a candidate. Every step reads the
    // user's entries, the user's grants, or rows of the candidates: none reads an entry of
    // another user's object that the user was not granted, so the work is the same for a value
    // nobody has, for any number of objects the user sees. SQLite has no statistics here (no
    // ANALYZE), so the plan is fixed when the statement is prepared, whatever values are bound.
    const std::string user = b.bind(*query.visibleTo);
    const std::string value = b.bind(*driver);
    const std::string own = byName ? "SELECT uid FROM object_names WHERE name = " + value + " AND owner = " + user
                                   : "SELECT uid FROM object_tags WHERE tag = " + value + " AND owner = " + user;
    const std::string carries = byName ? "EXISTS (SELECT 1 FROM object_names n WHERE n.uid = a.uid AND n.name = "
                                       : "EXISTS (SELECT 1 FROM object_tags t WHERE t.uid = a.uid AND t.tag = ";
    b.where("o.uid IN (" + own + " UNION ALL SELECT a.uid FROM access a WHERE a.user_id IN (" + user + ", '*') AND " +
            carries + value + "))");
    driven = true;
    if (!byName) seen.insert(*driver);
  } else if (query.visibleTo) {
    // The objects the user may see, by index: SQLite runs the two terms as a multi-index OR
    // (objects_by_owner, then access_by_user), as it would not `owner = ? OR EXISTS (...)`,
    // which scans every object. A UNION subquery would do as well but builds a temporary
    // b-tree, which costs more than the rest of a small user's query.
    const std::string user = b.bind(*query.visibleTo);
    b.where("(o.owner = " + user + " OR o.uid IN (SELECT uid FROM access WHERE user_id IN (" + user + ", '*')))");
    driven = true;
  }
  if (query.name && !query.visibleTo) {
    b.where("o.uid IN (SELECT uid FROM object_names WHERE name = " + b.bind(*query.name) + ")");
    driven = true;
  }
  for (const std::string& tag : query.tags) {
    if (!seen.insert(tag).second) continue;
    const std::string value = b.bind(tag);
    b.where(driven ? "EXISTS (SELECT 1 FROM object_tags t WHERE t.uid = o.uid AND t.tag = " + value + ")"
                   : "o.uid IN (SELECT uid FROM object_tags WHERE tag = " + value + ")");
    driven = true;
  }
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
  // index yields rows already in order, and a page stops after `limit` rows. A user's query is
  // driven by what the user sees (above): the unary + keeps SQLite from reading every object of
  // the type through objects_by_type instead, which would cost time per object of other users.
  if (query.objectType) {
    b.where((query.visibleTo ? "+o.object_type = " : "o.object_type = ") + b.bind(std::int64_t{*query.objectType}));
  }
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
