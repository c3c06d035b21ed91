// kms server-version: the version kmsd reports at GET /version (a JSON string).
#include <Poco/JSON/Object.h>

#include <cctype>

#include "kms/cli/CliError.hpp"
#include "kms/cli/commands/Commands.hpp"

namespace kms::cli::commands {

void addServerInfo(CLI::App& root, Context& context) {
  auto* command = root.add_subcommand("server-version", "Print the version of the server");
  command->callback([&context] {
    const std::string body = context.client().get("/version");
    // A JSON string of digits and dots ("0.1.0"): nothing to unescape.
    std::string version = body;
    while (!version.empty() && std::isspace(static_cast<unsigned char>(version.back()))) version.pop_back();
    if (version.size() < 2 || version.front() != '"' || version.back() != '"' ||
        version.find('\\', 1) != std::string::npos) {
      throw CliError(ExitCode::ServerRefused, "GET /version: the answer is not a version string");
    }
    version = version.substr(1, version.size() - 2);
    Poco::JSON::Object fields;
    fields.set("version", version);
    context.printer().result(version, fields);
  });
}

}  // namespace kms::cli::commands
