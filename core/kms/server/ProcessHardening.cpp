#include "kms/server/ProcessHardening.hpp"

#include <sys/prctl.h>
#include <sys/resource.h>

#include "kms/keys/SecureHeap.hpp"
#include "kms/store/sqlite/SqliteMemory.hpp"

namespace kms::server {

std::vector<std::string> ProcessHardening::apply(std::size_t secureHeapBytes) {
  std::vector<std::string> warnings;
  const rlimit none{0, 0};
  if (::setrlimit(RLIMIT_CORE, &none) != 0) warnings.emplace_back("could not turn core dumps off (RLIMIT_CORE)");
  // Not dumpable: no core file even where a limit is raised later, and no ptrace or
  // /proc/<pid>/mem for processes without CAP_SYS_PTRACE.
  if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) warnings.emplace_back("could not mark the process non-dumpable");
  if (!keys::SecureHeap::wipeOpenSslFrees()) {
    warnings.emplace_back("OpenSSL allocated before kmsd could make it wipe what it frees");
  }
  if (!store::sqlite::SqliteMemory::wipeOnFree()) {
    warnings.emplace_back("SQLite was initialised before kmsd could make it wipe what it frees");
  }
  const auto locked = keys::SecureHeap::lock(secureHeapBytes);
  if (!locked.locked) warnings.push_back("key memory not locked: " + locked.problem);
  return warnings;
}

}  // namespace kms::server
