#pragma once
// The SELECT for one LocateQuery in PostgreSQL's dialect: its text and its parameters.
//
// As for SQLite, only the shape of the query reaches the text and every value is a parameter,
// so queries of one shape share one prepared statement per session. Unlike SQLite, PostgreSQL
// keeps statistics and plans joins itself: for the server's own queries the filters are plain
// semi-joins, and the planner picks which drives (a rare tag, the name). A user's query by name
// or tag has its plan fixed by the text instead, to what the user sees, so that its time does
// not depend on other users' objects (see the .cpp); a user's query without either is driven by
// the user's visible set.
#include <string>
#include <vector>

#include "kms/store/ObjectStore.hpp"

namespace kms::store::postgres {

struct LocateSql {
  std::string sql;
  // Parameter i is $(i + 1), as text: PostgreSQL infers each one's type from its use.
  std::vector<std::string> parameters;

  [[nodiscard]] static LocateSql build(const LocateQuery& query);
};

}  // namespace kms::store::postgres
