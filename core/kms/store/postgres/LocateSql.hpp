#pragma once
// The SELECT for one LocateQuery in PostgreSQL's dialect: its text and its parameters.
//
// As for SQLite, only the shape of the query reaches the text and every value is a parameter,
// so queries of one shape share one prepared statement per session. Unlike SQLite, PostgreSQL
// keeps statistics and plans joins itself: the filters are plain semi-joins, and the planner
// picks which drives (a rare tag, the name, the user's visible set).
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
