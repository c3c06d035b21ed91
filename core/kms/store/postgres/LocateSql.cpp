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
  std::set<std::string> seen;  // a repeated tag adds nothing
  const bool byName = query.name.has_value();
  if (query.visibleTo && (byName || !query.tags.empty())) {
    // A user's Locate by name or tag must cost the same whether or not other users' objects
    // carry that name or tag, or its time tells that they exist. Left to itself the planner
    // drives by the value's index when statistics say the value is rare, which reads every
    // user's entries of it. So the text fixes the plan to what the user sees. The candidates are
    // the user's own entries of the name (else the first tag), by (value, owner, uid) index, a
    // range of the user's entries only, UNION the objects granted to the user or to '*', by
    // access_by_user, each checked for the value among its own rows; then each candidate's row.
    // - Every value is an InitPlan, `(SELECT $n::text)`: the planner never sees it, so custom
    //   plans cannot differ with what the statistics say of that value (of others' objects).
    // - The object rows come from a LATERAL subquery on `uid = candidate`: a nested loop of
    //   primary-key lookups, one per candidate (a hash join would read every object).
    // - The per-object checks are EXISTS (... OFFSET 0): the OFFSET keeps PostgreSQL from
    //   turning them into a (hashed) semi-join that would read all the value's entries, so each
    //   runs per candidate, on the primary key (uid, value) by `uid = candidate`. The value is
    //   compared as `value || ''`, which no index holds, so the (value, owner, uid) index (every
    //   user's entries of the value) is never a choice for them.
    // EXPLAIN ANALYZE (tests/unit/store/PgStoreTest.cpp checks that it is the same, rows and
    // pages, for a tag on 2000 objects of another user and for one nobody has), for a tag:
    //   Limit <- Sort <- Nested Loop
    //     HashAggregate <- Append
    //       Index Only Scan using object_tags_by_tag: Index Cond: ((tag = $0) AND (owner = $1))
    //       Index Only Scan using access_by_user: Index Cond: (user_id = ANY (ARRAY[$2, '*']))
    //         Filter: (SubPlan): Index Only Scan using object_tags_pkey: Index Cond: (uid = a.uid)
    //     Subquery Scan on o <- Index Scan using objects_pkey: Index Cond: (uid = object_tags.uid)
    // Every step reads the user's entries, the user's grants, or rows of the candidates. (On a
    // table of a few pages the planner may read the table whole instead of an index: every row,
    // whatever the value.)
    const auto fixed = [&](const std::string& value) { return "(SELECT " + b.bind(value) + "::text)"; };
    const std::string user = fixed(*query.visibleTo);
    const std::string* driver = byName ? &*query.name : &query.tags.front();
    const std::string value = fixed(*driver);
    const std::string own = byName ? "SELECT uid FROM object_names WHERE name = " + value + " AND owner = " + user
                                   : "SELECT uid FROM object_tags WHERE tag = " + value + " AND owner = " + user;
    const std::string carries =
        byName ? "EXISTS (SELECT 1 FROM object_names n WHERE n.uid = a.uid AND n.name || '' = " + value + " OFFSET 0)"
               : "EXISTS (SELECT 1 FROM object_tags t WHERE t.uid = a.uid AND t.tag || '' = " + value + " OFFSET 0)";
    b.out().sql = "SELECT o.uid FROM (" + own + " UNION SELECT a.uid FROM access a WHERE a.user_id IN (" + user +
                  ", '*') AND " + carries +
                  ") c CROSS JOIN LATERAL (SELECT uid, object_type, state, algorithm, length, created_us, wrapping_key"
                  " FROM objects x WHERE x.uid = c.uid OFFSET 0) o";
    if (!byName) seen.insert(*driver);
    for (const std::string& tag : query.tags) {
      if (!seen.insert(tag).second) continue;
      b.where("EXISTS (SELECT 1 FROM object_tags t WHERE t.uid = o.uid AND t.tag || '' = " + fixed(tag) + " OFFSET 0)");
    }
  } else {
    if (query.name) {
      b.where("o.uid IN (SELECT uid FROM object_names WHERE name = " + b.bind(*query.name) + ")");
    }
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
