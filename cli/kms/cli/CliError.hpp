#pragma once
// The one exception of the client: a message for one line of stderr and the exit code it
// ends the process with. Scripts branch on the code (docs/cli.md lists them), people read the
// message, which says what failed and what to do.
#include <stdexcept>
#include <string>

namespace kms::cli {

enum class ExitCode : int {
  Ok = 0,
  ServerRefused = 1,  // the server answered with an error (KMIP failure, HTTP 4xx/5xx)
  Usage = 2,          // bad command line or configuration file
  Connection = 3,     // no connection, TLS handshake or certificate failure, timeout
  LocalFile = 4,      // an input file unreadable, an output file existing or unwritable
  BadData = 5,        // a local file whose content is not what the command expects
  Internal = 6,       // a bug of the client: please report it
};

class CliError : public std::runtime_error {
 public:
  CliError(ExitCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  [[nodiscard]] ExitCode code() const noexcept { return code_; }
  [[nodiscard]] int exitStatus() const noexcept { return static_cast<int>(code_); }

 private:
  ExitCode code_;
};

// The name scripts see for each exit code in --json errors ("server_refused", ...).
const char* exitCodeName(ExitCode code) noexcept;

}  // namespace kms::cli
