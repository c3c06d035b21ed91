#include <doctest/doctest.h>

#include <fstream>
#include <string>
#include <vector>

#include "kms/audit/AuditVerifier.hpp"
#include "kms/audit/Digest.hpp"
#include "kms/audit/LineFormat.hpp"
#include "support/TempDir.hpp"

using kms::audit::AuditEvent;
using kms::audit::AuditVerifier;
using kms::audit::Digest;
using kms::audit::LineFormat;

namespace {

const std::vector<std::uint8_t> kKey(32, 0x17);

// A chain of `count` lines from seq `first`, linked to `prev`.
std::vector<std::string> chain(std::size_t count, std::span<const std::uint8_t> key, std::uint64_t first = 1,
                               std::string prev = Digest::zero()) {
  std::vector<std::string> lines;
  for (std::size_t i = 0; i < count; ++i) {
    AuditEvent event;
    event.type = "kmip";
    event.user = "alice";
    event.operation = "Get";
    event.uids = {"uid-" + std::to_string(i)};
    lines.push_back(LineFormat::render(first + i, event, prev, key));
    prev = Digest::sha256(lines.back());
  }
  return lines;
}

std::string write(const kms::test::TempDir& dir, const std::string& name, const std::vector<std::string>& lines,
                  bool lastNewline = true) {
  const auto path = (dir.path() / name).string();
  std::ofstream out(path, std::ios::binary);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    out << lines[i];
    if (i + 1 < lines.size() || lastNewline) out << '\n';
  }
  return path;
}

}  // namespace

TEST_CASE("an intact chain verifies, with and without the key") {
  const kms::test::TempDir dir;
  const auto file = write(dir, "audit.log", chain(5, kKey));
  const auto withKey = AuditVerifier::verify({file}, kKey, false);
  CHECK(withKey.ok);
  CHECK(withKey.lines == 5);
  CHECK(withKey.macsChecked);
  const auto without = AuditVerifier::verify({file}, {}, false);
  CHECK(without.ok);
  CHECK(without.text().find("NOT checked") != std::string::npos);
}

TEST_CASE("each kind of tampering is named at its line") {
  const kms::test::TempDir dir;
  auto lines = chain(6, kKey);

  SUBCASE("a byte altered, no key: the altered line, by the next line's prev") {
    auto altered = lines;
    altered[2].replace(altered[2].find("alice"), 5, "alicf");
    const auto report = AuditVerifier::verify({write(dir, "a", altered)}, {}, false);
    CHECK_FALSE(report.ok);
    CHECK(report.line == 3);
    CHECK(report.reason.starts_with("altered"));
  }
  SUBCASE("a byte altered, with the key: bad mac") {
    auto altered = lines;
    altered[2].replace(altered[2].find("alice"), 5, "alicf");
    const auto report = AuditVerifier::verify({write(dir, "a", altered)}, kKey, false);
    CHECK(report.line == 3);
    CHECK(report.reason.starts_with("bad mac"));
  }
  SUBCASE("a line removed") {
    auto removed = lines;
    removed.erase(removed.begin() + 3);
    const auto report = AuditVerifier::verify({write(dir, "a", removed)}, {}, false);
    CHECK(report.line == 4);
    CHECK(report.reason.starts_with("missing"));
  }
  SUBCASE("two lines swapped") {
    auto swapped = lines;
    std::swap(swapped[1], swapped[2]);
    const auto report = AuditVerifier::verify({write(dir, "a", swapped)}, {}, false);
    CHECK(report.line == 2);
    CHECK(report.reason.starts_with("reordered"));
  }
  SUBCASE("the last line truncated") {
    auto truncated = lines;
    truncated.back().resize(truncated.back().size() - 10);
    const auto report = AuditVerifier::verify({write(dir, "a", truncated, false)}, {}, false);
    CHECK(report.line == 6);
    CHECK(report.reason.starts_with("truncated"));
  }
  SUBCASE("the head removed: the chain does not start at its first line") {
    const std::vector<std::string> tail(lines.begin() + 2, lines.end());
    const auto path = write(dir, "a", tail);
    const auto report = AuditVerifier::verify({path}, {}, false);
    CHECK(report.line == 1);
    CHECK(report.reason.find("does not start") != std::string::npos);
    CHECK(AuditVerifier::verify({path}, {}, true).ok);  // --partial accepts it
  }
  SUBCASE("the whole file rewritten with recomputed hashes, without the key") {
    const auto forged = chain(6, std::vector<std::uint8_t>(32, 0x99));  // another key: the forger's
    const auto path = write(dir, "a", forged);
    CHECK(AuditVerifier::verify({path}, {}, false).ok);  // the chain alone cannot tell
    const auto report = AuditVerifier::verify({path}, kKey, false);
    CHECK(report.line == 1);
    CHECK(report.reason.starts_with("bad mac"));
    const auto unsignedForgery = write(dir, "b", chain(6, {}));
    CHECK(AuditVerifier::verify({unsignedForgery}, kKey, false).reason.starts_with("no mac"));
  }
}

TEST_CASE("the chain runs across files in order; a missing or misplaced file is named") {
  const kms::test::TempDir dir;
  const auto all = chain(9, kKey);
  const auto first = write(dir, "audit.log.000001", {all.begin(), all.begin() + 3});
  const auto second = write(dir, "audit.log.000002", {all.begin() + 3, all.begin() + 6});
  const auto active = write(dir, "audit.log", {all.begin() + 6, all.end()});
  CHECK(AuditVerifier::verify({first, second, active}, kKey, false).ok);

  const auto skipped = AuditVerifier::verify({first, active}, kKey, false);
  CHECK_FALSE(skipped.ok);
  CHECK(skipped.file == active);
  CHECK(skipped.line == 1);
  CHECK(skipped.reason.starts_with("missing"));

  const auto misordered = AuditVerifier::verify({second, first, active}, kKey, false);
  CHECK_FALSE(misordered.ok);
  CHECK(misordered.file == second);
}
