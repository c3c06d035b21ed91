#pragma once
// `kmsd audit verify FILE...`: checks that files of the audit log, given oldest first, hold one
// unbroken chain (docs/audit.md) and names the first line that breaks it, and why.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace kms::audit {

struct VerifyReport {
  bool ok = false;
  // The first bad line, when !ok: file name, line number (1-based), and what is wrong there.
  std::string file;
  std::size_t line = 0;
  std::string reason;
  std::size_t lines = 0;  // lines checked
  std::uint64_t firstSeq = 0;
  std::uint64_t lastSeq = 0;
  bool macsChecked = false;

  // "FILE:LINE: reason" or "N lines (seq A..B) intact, ...".
  [[nodiscard]] std::string text() const;
};

class AuditVerifier {
 public:
  // `key` empty: the chain alone is checked (a rewrite of whole files with recomputed hashes
  // is then undetectable: say so). `partial`: the first line may continue a chain whose start
  // is not given (older rotated files deleted); otherwise it must be the chain's first line.
  [[nodiscard]] static VerifyReport verify(const std::vector<std::string>& files, std::span<const std::uint8_t> key,
                                           bool partial);
};

}  // namespace kms::audit
