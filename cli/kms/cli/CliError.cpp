#include "kms/cli/CliError.hpp"

namespace kms::cli {

const char* exitCodeName(ExitCode code) noexcept {
  switch (code) {
    case ExitCode::Ok:
      return "ok";
    case ExitCode::ServerRefused:
      return "server_refused";
    case ExitCode::Usage:
      return "usage";
    case ExitCode::Connection:
      return "connection";
    case ExitCode::LocalFile:
      return "local_file";
    case ExitCode::BadData:
      return "bad_data";
    case ExitCode::Internal:
      return "internal";
  }
  return "unknown";
}

}  // namespace kms::cli
