#include "kms/cli/Printer.hpp"

#include <iostream>
#include <sstream>

#include "kms/cli/CliError.hpp"

namespace kms::cli {

void Printer::result(const std::string& human, const Poco::JSON::Object& fields, bool toStderr) const {
  std::ostream& out = toStderr ? std::cerr : std::cout;
  if (json_) {
    fields.stringify(out);
    out << '\n';
  } else if (!quiet_) {
    out << human << '\n';
  }
  out.flush();
}

void Printer::error(const CliError& error) const {
  if (json_) {
    Poco::JSON::Object object;
    object.set("error", std::string(error.what()));
    object.set("kind", std::string(exitCodeName(error.code())));
    object.set("exit_code", error.exitStatus());
    std::ostringstream line;
    object.stringify(line);
    std::cerr << line.str() << '\n';
    return;
  }
  std::cerr << "kms: error: " << error.what() << '\n';
}

}  // namespace kms::cli
