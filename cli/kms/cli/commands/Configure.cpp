// kms configure: writes the client configuration file (--conf, else $KMS_CLI_CONF, else
// ~/.config/kms/cli.toml) with the [http_config] keys Config reads, asking for each value on a
// terminal, or from the flags alone (--no-prompt, or stdin not a terminal: scripts).
//
// The file is the owner's only (0600, in a 0700 directory when kms makes it) and appears whole
// (OutputFile); an existing file is replaced only when the user says so at the prompt or gives
// --force. A secret typed at the prompt (access token, PKCS#12 password) is not echoed, and no
// secret is ever printed: the result names the file only. The access token never is a flag (it
// would show in `ps`): it is typed, read from stdin (--access-token-stdin) or named by a file.
#include <fmt/format.h>
#include <termios.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include "kms/cli/CliError.hpp"
#include "kms/cli/OutputFile.hpp"
#include "kms/cli/commands/Commands.hpp"

namespace kms::cli::commands {
namespace {

struct ConfigureOptions {
  std::string pkcs12Path;
  std::string pkcs12PasswordFile;
  std::string accessTokenFile;
  bool accessTokenStdin = false;
  bool noPrompt = false;
  bool force = false;
};

// Prints `prompt` (to stderr: stdout holds the result only) and reads one line of stdin. For a
// secret the terminal's echo goes off before the prompt shows, so that nothing typed after it
// is echoed.
std::string readLine(const std::string& prompt, bool secret) {
  termios saved{};
  const bool hide = secret && isatty(STDIN_FILENO) == 1 && tcgetattr(STDIN_FILENO, &saved) == 0;
  if (hide) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::cerr << prompt << std::flush;
  std::string line;
  const bool ok = static_cast<bool>(std::getline(std::cin, line));
  if (hide) {
    tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    std::cerr << '\n';
  }
  if (!ok) throw CliError(ExitCode::Usage, "kms configure: the input ended before every answer was given");
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  return line;
}

std::string ask(const std::string& question, const std::string& current, bool secret = false) {
  std::string prompt = question;
  if (!secret && !current.empty()) prompt += " [" + current + "]";
  if (secret && !current.empty()) prompt += " [keep the current one]";
  const std::string answer = readLine(prompt + ": ", secret);
  return answer.empty() ? current : answer;
}

bool confirm(const std::string& question, bool current) {
  const std::string answer = ask(question + (current ? " (Y/n)" : " (y/N)"), "");
  if (answer.empty()) return current;
  return answer[0] == 'y' || answer[0] == 'Y';
}

std::string firstLine(const std::string& path, const char* what) {
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) throw CliError(ExitCode::LocalFile, fmt::format("cannot read {} {}", what, path));
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  return line;
}

// Paths as the file will hold them: absolute (Config reads a relative path against the
// file's directory, not against the directory kms configure ran in), and existing.
std::string checkedPath(const std::string& path, const char* what) {
  if (path.empty()) return path;
  std::error_code ec;
  const auto absolute = std::filesystem::absolute(path, ec);
  if (ec || !std::filesystem::is_regular_file(absolute, ec)) {
    throw CliError(ExitCode::LocalFile, fmt::format("{} {} is not a readable file", what, path));
  }
  return absolute.lexically_normal().string();
}

bool isPkcs12(const std::string& path) {
  const auto ext = std::filesystem::path(path).extension().string();
  return ext == ".p12" || ext == ".pfx";
}

void prompt(Config& config) {
  config.serverUrl = ask("Server URL", config.serverUrl);
  if (config.serverUrl.rfind("https://", 0) == 0) {
    config.caCertPath = ask("CA certificate(s) of the server, a PEM file (empty: the system's)", config.caCertPath);
    config.acceptInvalidCerts =
        confirm("Accept an invalid server certificate (tests only)?", config.acceptInvalidCerts);
    std::string current = config.pkcs12Path.empty() ? config.clientCertPath : config.pkcs12Path;
    const std::string cert =
        ask("Client certificate: a PEM file, a PKCS#12 file (.p12/.pfx), or '-' for none", current);
    if (cert.empty() || cert == "-") {
      config.clientCertPath.clear();
      config.clientKeyPath.clear();
      config.pkcs12Path.clear();
      config.pkcs12Password.clear();
    } else if (isPkcs12(cert)) {
      config.pkcs12Path = cert;
      config.clientCertPath.clear();
      config.clientKeyPath.clear();
      config.pkcs12Password = ask("Password of the PKCS#12 file (not shown)", config.pkcs12Password, true);
    } else {
      config.clientCertPath = cert;
      config.pkcs12Path.clear();
      config.pkcs12Password.clear();
      config.clientKeyPath =
          ask("Its private key, a PEM file", config.clientKeyPath.empty() ? cert : config.clientKeyPath);
    }
  }
  const std::string current =
      config.accessTokenFile.empty() ? (config.accessToken.empty() ? "" : "=") : config.accessTokenFile;
  const std::string token = ask("Access token: a file that holds it, '=' to type it, or '-' for none", current);
  if (token.empty() || token == "-") {
    config.accessToken.clear();
    config.accessTokenFile.clear();
  } else if (token == "=") {
    config.accessToken = ask("Access token (not shown)", config.accessToken, true);
    config.accessTokenFile.clear();
  } else {
    config.accessTokenFile = token;
    config.accessToken.clear();
  }
}

void runConfigure(Context& context, const ConfigureOptions& options) {
  std::string path = context.confPath.empty() ? Config::defaultPath() : context.confPath;
  if (path.empty()) throw CliError(ExitCode::Usage, "no configuration file: give --conf FILE (HOME is not set)");
  const bool interactive = !options.noPrompt && !options.accessTokenStdin && isatty(STDIN_FILENO) == 1;
  std::error_code ec;
  const bool exists = std::filesystem::exists(path, ec);
  bool replace = options.force;
  if (exists && !replace) {
    if (!interactive) {
      throw CliError(ExitCode::LocalFile, fmt::format("{} exists: --force replaces it", path));
    }
    if (!confirm(fmt::format("{} exists. Replace it?", path), false)) {
      throw CliError(ExitCode::LocalFile, fmt::format("{} was left as it was", path));
    }
    replace = true;
  }

  // The starting values: the file's (when it reads), then the flags.
  Config config;
  if (exists) {
    try {
      config = Config::load(path);
    } catch (const CliError&) {
      config = Config();
    }
    config.accessToken.clear();  // load() adds KMS_CLI_ACCESS_TOKEN: never copy the environment's
    if (const char* env = std::getenv("KMS_CLI_ACCESS_TOKEN_FILE"); env != nullptr && *env != '\0') {
      config.accessTokenFile.clear();
    }
  }
  if (!context.url.empty()) config.serverUrl = context.url;
  if (!context.caCertPath.empty()) config.caCertPath = context.caCertPath;
  if (context.acceptInvalidCerts) config.acceptInvalidCerts = true;
  if (context.timeoutSeconds) config.timeoutSeconds = *context.timeoutSeconds;
  if (!context.clientCertPath.empty()) {
    config.clientCertPath = context.clientCertPath;
    config.clientKeyPath = context.clientKeyPath;
    config.pkcs12Path.clear();
    config.pkcs12Password.clear();
  }
  if (!options.pkcs12Path.empty()) {
    config.pkcs12Path = options.pkcs12Path;
    config.clientCertPath.clear();
    config.clientKeyPath.clear();
  }
  if (!options.pkcs12PasswordFile.empty()) {
    config.pkcs12Password = firstLine(options.pkcs12PasswordFile, "the PKCS#12 password file");
  }
  if (!options.accessTokenFile.empty()) {
    config.accessTokenFile = options.accessTokenFile;
    config.accessToken.clear();
  }
  if (options.accessTokenStdin) {
    config.accessToken = readLine("", true);
    if (config.accessToken.empty()) throw CliError(ExitCode::Usage, "--access-token-stdin: stdin holds no token");
    config.accessTokenFile.clear();
  }
  if (interactive) prompt(config);

  if (config.serverUrl.rfind("http://", 0) != 0 && config.serverUrl.rfind("https://", 0) != 0) {
    throw CliError(ExitCode::Usage,
                   fmt::format("the server URL '{}' must start with http:// or https://", config.serverUrl));
  }
  config.caCertPath = checkedPath(config.caCertPath, "the CA file");
  config.clientCertPath = checkedPath(config.clientCertPath, "the client certificate");
  config.clientKeyPath = checkedPath(config.clientKeyPath, "the client key");
  config.pkcs12Path = checkedPath(config.pkcs12Path, "the PKCS#12 file");
  config.accessTokenFile = checkedPath(config.accessTokenFile, "the access token file");
  if (!config.clientKeyPath.empty() && config.clientCertPath.empty()) {
    throw CliError(ExitCode::Usage, "a client key needs its certificate (--cert)");
  }

  const auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty() && !std::filesystem::exists(parent, ec)) {
    std::filesystem::create_directories(parent, ec);
    if (ec) throw CliError(ExitCode::LocalFile, fmt::format("cannot make the directory {}", parent.string()));
    std::filesystem::permissions(parent, std::filesystem::perms::owner_all, ec);
  }
  const OutputFile output(path, replace);
  output.commit(config.toToml());
  Poco::JSON::Object fields;
  fields.set("file", path);
  context.printer().result(fmt::format("The configuration was written to \"{}\"", path), fields);
}

}  // namespace

void addConfigure(CLI::App& root, Context& context) {
  auto options = std::make_shared<ConfigureOptions>();
  auto* command = root.add_subcommand(
      "configure",
      "Write the configuration file (asks on a terminal; the global flags --url, --ca, --cert, --key, "
      "--accept-invalid-certs, --timeout give values)");
  command->add_option("--pkcs12", options->pkcs12Path, "A PKCS#12 file of the client certificate and its key");
  command->add_option("--pkcs12-password-file", options->pkcs12PasswordFile,
                      "A file whose first line is the PKCS#12 password (stored in the configuration)");
  command->add_option("--access-token-file", options->accessTokenFile,
                      "A file holding the bearer token (the file is named, the token not copied)");
  command->add_flag("--access-token-stdin", options->accessTokenStdin,
                    "Read the bearer token from stdin and store it in the configuration");
  command->add_flag("--no-prompt", options->noPrompt,
                    "Ask nothing: the flags only (the default when stdin is no terminal)");
  command->add_flag("--force", options->force, "Replace the file when it exists");
  command->callback([&context, options] { runConfigure(context, *options); });
}

}  // namespace kms::cli::commands
