#include "kms/store/Migration.hpp"

#include <fmt/format.h>

#include "kms/Exception.hpp"

namespace kms::store {

int latestVersion(std::span<const Migration> all) noexcept {
  return all.empty() ? 0 : all.back().version;
}

std::vector<const Migration*> pendingMigrations(std::span<const Migration> all, int current, std::string_view backend) {
  int previous = 0;
  for (const Migration& m : all) {
    // A list out of order is a programming error; catch it before touching a database.
    if (m.version <= previous) {
      throw Exception(ErrorCode::InternalError,
                      fmt::format("{} migrations are not strictly increasing at version {}", backend, m.version));
    }
    previous = m.version;
  }
  const int latest = latestVersion(all);
  if (current > latest) {
    throw Exception(ErrorCode::InternalError,
                    fmt::format("the {} database has schema version {}, newer than the {} this kmsd supports; "
                                "upgrade kmsd (or restore a backup taken before the upgrade)",
                                backend, current, latest));
  }
  std::vector<const Migration*> pending;
  for (const Migration& m : all) {
    if (m.version > current) pending.push_back(&m);
  }
  return pending;
}

}  // namespace kms::store
