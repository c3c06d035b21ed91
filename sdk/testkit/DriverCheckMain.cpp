// kms-driver-check: runs the kms::testkit conformance suite on one driver and prints one line
// per check and a summary; exit status 0 only when no check failed.
//
//   kms-driver-check --driver PATH [--library PATH] --slot N --pin-env VAR
//                    [--setting name=value]... [--skip CHECK]...
//
// The PIN is read from the environment variable VAR only: a PIN on the command line would be
// visible to every user through ps.
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

#include "kms/testkit/Conformance.hpp"

namespace {

int usage(const std::string& problem) {
  std::cerr << "kms-driver-check: " << problem << "\n"
            << "usage: kms-driver-check --driver PATH [--library PATH] --slot N [--pin-env VAR]\n"
            << "                        [--setting name=value]... [--skip CHECK]...\n"
            << "  --pin-env VAR   read the user PIN from environment variable VAR (omit: no login)\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  kms::testkit::CheckOptions options;
  bool haveSlot = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      usage("driver conformance check");
      return 0;
    }
    if (i + 1 >= argc) return usage("missing value after " + arg);
    const std::string value = argv[++i];
    if (arg == "--driver") {
      options.driverPath = value;
    } else if (arg == "--library") {
      options.libraryPath = value;
    } else if (arg == "--slot") {
      char* end = nullptr;
      options.slot = std::strtoull(value.c_str(), &end, 10);
      if (value.empty() || *end != '\0') return usage("--slot needs a number");
      haveSlot = true;
    } else if (arg == "--pin-env") {
      const char* pin = std::getenv(value.c_str());
      if (pin == nullptr) return usage("environment variable " + value + " is not set");
      options.pin = pin;
    } else if (arg == "--setting") {
      const auto equals = value.find('=');
      if (equals == std::string::npos || equals == 0) return usage("--setting needs name=value");
      options.settings.emplace_back(value.substr(0, equals), value.substr(equals + 1));
    } else if (arg == "--skip") {
      options.skip.push_back(value);
    } else {
      return usage("unknown option " + arg + (arg == "--pin" ? " (the PIN comes from --pin-env VAR only)" : ""));
    }
  }
  if (options.driverPath.empty()) return usage("--driver is required");
  if (!haveSlot) return usage("--slot is required");

  int passed = 0, failed = 0, skipped = 0;
  for (const auto& result : kms::testkit::runConformance(options)) {
    std::cout << kms::testkit::outcomeName(result.outcome) << " " << result.name;
    if (!result.detail.empty()) std::cout << ": " << result.detail;
    std::cout << "\n";
    switch (result.outcome) {
      case kms::testkit::Outcome::Pass:
        ++passed;
        break;
      case kms::testkit::Outcome::Fail:
        ++failed;
        break;
      default:
        ++skipped;
        break;
    }
  }
  std::cout << "kms-driver-check: " << passed << " passed, " << failed << " failed, " << skipped << " skipped\n"
            << std::flush;
  return failed == 0 ? 0 : 1;
}
