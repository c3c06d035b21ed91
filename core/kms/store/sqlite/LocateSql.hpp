#pragma once
// The SELECT for one LocateQuery: its text and its parameters in order.
//
// Only the shape of the query (which filters are present, how many tags) reaches the SQL text;
// every value is a bound parameter. Queries of the same shape share one text, so the
// connection's statement cache reuses the prepared statement.
//
// Without statistics SQLite cannot tell a rare tag from a common one, so the text fixes the
// plan. With visibleTo and a name or tag, the user's own entries of the name (else the first
// tag) and the user's grants drive it, so that other users' objects cost nothing (see the .cpp);
// else the name when given, else the first tag, else the visibility filter, else the wrapping
// key drives the query. For the server's own queries the caller puts the rarest tag first
// (SqliteStore probes their counts).
#include <cstdint>
#include <string>
#include <vector>

#include "kms/store/ObjectStore.hpp"

namespace kms::store::sqlite {

struct LocateSql {
  // A plain struct rather than std::variant: g++ 12 reports a false maybe-uninitialized on
  // moving a variant holding a string at -O2, and warnings are errors here.
  struct Parameter {
    bool isText = false;
    std::int64_t number = 0;
    std::string text;
  };

  std::string sql;
  std::vector<Parameter> parameters;  // parameter i + 1 of `sql`

  [[nodiscard]] static LocateSql build(const LocateQuery& query);
};

}  // namespace kms::store::sqlite
