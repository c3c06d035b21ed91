#pragma once
// What kmsd does to its own process at start so that key material in its memory does not end
// up elsewhere: no core dumps (a crash would write the unwrapped-key cache to disk), no
// ptrace or /proc/<pid>/mem access by other processes of the same user, wiped frees in
// OpenSSL and SQLite, and the cache's key bytes in locked memory.
#include <cstddef>
#include <string>
#include <vector>

namespace kms::server {

class ProcessHardening {
 public:
  // Runs before anything else allocates through OpenSSL or SQLite. Returns the warnings to log
  // once logging is set up (what the system did not allow).
  static std::vector<std::string> apply(std::size_t secureHeapBytes);
};

}  // namespace kms::server
