#pragma once
// A libpq connection string (URI `postgresql://...` or `key=value ...`), held as parameters so
// that kmsd can add its own (timeouts, a password from the environment) without string surgery,
// and printed only with its password masked.
//
// The password is a secret (DESIGN section 5): it may come from the URL, from the environment
// variable KMS_DATABASE_PASSWORD, or from a file named by KMS_DATABASE_PASSWORD_FILE, so that it
// need not appear in `ps` or in a config file. It never appears in a message: use redacted(),
// redact() or scrub() for anything that is logged or thrown.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kms::store::postgres {

class ConnectionString {
 public:
  static constexpr std::string_view kPasswordVariable = "KMS_DATABASE_PASSWORD";
  static constexpr std::string_view kPasswordFileVariable = "KMS_DATABASE_PASSWORD_FILE";

  // Parses with libpq's own parser, so every form libpq accepts (multi-host URIs,
  // target_session_attrs, sslmode, ...) is accepted here. Throws kms::Exception(InvalidField),
  // naming the URL redacted, when libpq refuses it.
  explicit ConnectionString(std::string_view url);

  // Sets (or replaces) a parameter; the last value of a key wins, as in libpq.
  void set(std::string_view key, std::string value);
  // Sets a parameter only when the URL did not choose it.
  void setDefault(std::string_view key, std::string value);
  [[nodiscard]] std::optional<std::string> get(std::string_view key) const;

  // Takes the password from KMS_DATABASE_PASSWORD or from the file named by
  // KMS_DATABASE_PASSWORD_FILE (trailing newlines dropped), replacing one in the URL. Neither
  // set: unchanged. Throws kms::Exception(InvalidField) when both are set or the file cannot
  // be read (the message names the file, never its content).
  void mergePasswordFromEnvironment();

  // The keyword/value form libpq connects with. Holds the password: never print it.
  [[nodiscard]] std::string str() const;
  // The same with the password replaced by ***, for messages.
  [[nodiscard]] std::string redacted() const;
  // `text` with every occurrence of this connection's password replaced by ***: libpq's
  // messages do not quote passwords, but a message built from a URL might.
  [[nodiscard]] std::string scrub(std::string text) const;

  // A URL that may not even parse, masked textually: `user:pass@` -> `user:***@` and
  // `password=...` -> `password=***`.
  [[nodiscard]] static std::string redact(std::string_view url);

 private:
  std::vector<std::pair<std::string, std::string>> parameters_;  // in the URL's order
};

}  // namespace kms::store::postgres
