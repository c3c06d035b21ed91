#pragma once
// What a command prints: the sentences of ckms by default (the product documentation shows
// them), one JSON object with stable field names with --json, nothing with --quiet. Errors
// are one line on stderr (a JSON object with --json).
#include <Poco/JSON/Object.h>

#include <string>

namespace kms::cli {

class CliError;

class Printer {
 public:
  Printer() = default;
  Printer(bool json, bool quiet) : json_(json), quiet_(quiet) {}

  // `human` (lines, without the last newline) or `fields` as JSON. `toStderr`: the command's
  // data went to stdout, so its message must not mix with it.
  void result(const std::string& human, const Poco::JSON::Object& fields, bool toStderr = false) const;
  void error(const CliError& error) const;
  [[nodiscard]] bool json() const noexcept { return json_; }

 private:
  bool json_ = false;
  bool quiet_ = false;
};

}  // namespace kms::cli
