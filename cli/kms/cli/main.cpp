// kms: the command-line client of kmsd (docs/cli.md). Commands and flags follow Cosmian's
// ckms, so that its users' scripts keep working; exit codes are in kms/cli/CliError.hpp.
#include <CLI/CLI.hpp>
#include <Poco/Net/SSLManager.h>

#include <exception>
#include <iostream>

#include "kms/cli/CliError.hpp"
#include "kms/cli/Context.hpp"
#include "kms/cli/commands/Commands.hpp"

namespace {

struct SslLibrary {
  SslLibrary() { Poco::Net::initializeSSL(); }
  ~SslLibrary() { Poco::Net::uninitializeSSL(); }
  SslLibrary(const SslLibrary&) = delete;
  SslLibrary& operator=(const SslLibrary&) = delete;
};

int run(int argc, char** argv) {
  using kms::cli::CliError;
  using kms::cli::ExitCode;
  const SslLibrary ssl;
  kms::cli::Context context;
  CLI::App app{"kms: the command-line client of the kmsd key management server", "kms"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string(KMS_CLI_VERSION));
  app.add_option("-c,--conf", context.confPath,
                 "The configuration file (default: $KMS_CLI_CONF, else ~/.config/kms/cli.toml)");
  app.add_option("--url", context.url, "The server URL (overrides server_url)");
  app.add_option("--ca", context.caCertPath, "A PEM file of the CA(s) that sign the server certificate");
  app.add_option("--cert", context.clientCertPath, "A PEM client certificate (TLS client authentication)");
  app.add_option("--key", context.clientKeyPath, "The PEM key of --cert");
  app.add_flag("--accept-invalid-certs", context.acceptInvalidCerts,
               "Do not check the server certificate (tests only)");
  app.add_option("--timeout", context.timeoutSeconds, "Seconds to wait for the server (default 60)")
      ->check(CLI::Range(1, 3600));
  app.add_flag("--json", context.json, "Print results as JSON objects (for scripts)");
  app.add_flag("-q,--quiet", context.quiet, "Print nothing on success");
  app.fallthrough();

  kms::cli::commands::addSym(app, context);
  kms::cli::commands::addRsa(app, context);
  kms::cli::commands::addKeyWrapping(app, context);
  kms::cli::commands::addObjects(app, context);
  kms::cli::commands::addAttributes(app, context);
  kms::cli::commands::addAccessRights(app, context);
  kms::cli::commands::addServerInfo(app, context);
  kms::cli::commands::addOperators(app, context);
  kms::cli::commands::addConfigure(app, context);

  try {
    app.parse(argc, argv);
    return 0;
  } catch (const CLI::CallForHelp& help) {
    return app.exit(help);
  } catch (const CLI::CallForAllHelp& help) {
    return app.exit(help);
  } catch (const CLI::CallForVersion& version) {
    return app.exit(version);
  } catch (const CLI::ParseError& error) {
    context.printer().error(CliError(ExitCode::Usage, std::string(error.what()) + " (see kms --help)"));
    return static_cast<int>(ExitCode::Usage);
  } catch (const CliError& error) {
    context.printer().error(error);
    return error.exitStatus();
  } catch (const std::exception& error) {
    const CliError unexpected(ExitCode::Internal, error.what());
    context.printer().error(unexpected);
    return unexpected.exitStatus();
  }
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (...) {  // an error while printing an error: stderr may be gone, the code remains
    return static_cast<int>(kms::cli::ExitCode::Internal);
  }
}
