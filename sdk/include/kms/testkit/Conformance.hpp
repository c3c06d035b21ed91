#pragma once
// kms::testkit: the driver conformance suite, as a library. It drives a driver .so through the
// C ABI only (dlopen + kms_driver_get, never engine internals), so that a vendor runs on their
// driver exactly the checks kmsd's own CI runs on the bundled ones. Every ABI function is
// exercised, error paths included; a NULL function is "not supported" and its checks skip.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace kms::testkit {

enum class Outcome { Pass, Fail, Skip };

struct CheckResult {
  std::string name;  // "encrypt.aes_gcm"
  Outcome outcome = Outcome::Pass;
  std::string detail;  // why it failed or skipped; what was seen when it passed
};

struct CheckOptions {
  std::string driverPath;   // the driver .so
  std::string libraryPath;  // the PKCS#11 library it should use; empty: the driver's default
  std::uint64_t slot = 0;
  std::string pin;  // empty: no login (KMS_LOGIN_NONE); never printed
  std::vector<std::pair<std::string, std::string>> settings;
  std::vector<std::string> skip;  // check names not to run (e.g. open.wrong_pin on a token
                                  // whose PIN locks after few failures)
};

// Runs every check; never throws for a driver's misbehaviour (that is a failed check).
std::vector<CheckResult> runConformance(const CheckOptions& options);

const char* outcomeName(Outcome outcome) noexcept;

}  // namespace kms::testkit
