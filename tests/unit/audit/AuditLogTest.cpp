#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "kms/audit/AuditError.hpp"
#include "kms/audit/AuditLog.hpp"
#include "kms/audit/AuditVerifier.hpp"
#include "support/TempDir.hpp"

using kms::audit::AuditEvent;
using kms::audit::AuditLog;
using kms::audit::AuditSettings;
using kms::audit::AuditVerifier;

namespace {

AuditSettings settingsIn(const kms::test::TempDir& dir) {
  AuditSettings settings;
  settings.path = (dir.path() / "audit.log").string();
  settings.hmacKey.assign(32, 0x5a);
  return settings;
}

AuditEvent event(int i) {
  AuditEvent e;
  e.type = "kmip";
  e.user = "user" + std::to_string(i % 7);
  e.operation = "Encrypt";
  e.uids = {"uid-" + std::to_string(i)};
  return e;
}

std::vector<std::string> readLines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The files of the log, oldest first.
std::vector<std::string> filesOf(const kms::test::TempDir& dir) {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    if (entry.path().filename() != "audit.log") files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  files.push_back((dir.path() / "audit.log").string());
  return files;
}

}  // namespace

TEST_CASE("event policy: a recorded line is on disk when record() returns, from many threads") {
  const kms::test::TempDir dir;
  auto settings = settingsIn(dir);
  const std::vector<std::uint8_t> key(settings.hmacKey.begin(), settings.hmacKey.end());
  {
    AuditLog log(settings);
    log.record(event(0));
    CHECK(readLines(settings.path).size() == 1);  // before stop(): written and synced already
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&log, t] {
        for (int i = 0; i < 250; ++i) log.record(event(t * 1000 + i));
      });
    }
    for (auto& thread : threads) thread.join();
    CHECK(log.lastSequence() == 1001);
  }
  CHECK(readLines(settings.path).size() == 1001);
  CHECK(AuditVerifier::verify({settings.path}, key, false).ok);
}

TEST_CASE("a restart continues the chain; a torn last line is kept for verify to report") {
  const kms::test::TempDir dir;
  auto settings = settingsIn(dir);
  const std::vector<std::uint8_t> key(settings.hmacKey.begin(), settings.hmacKey.end());
  {
    AuditLog log(settings);
    for (int i = 0; i < 3; ++i) log.record(event(i));
  }
  {
    AuditLog log(settings);
    CHECK(log.lastSequence() == 3);
    log.record(event(3));
  }
  CHECK(AuditVerifier::verify({settings.path}, key, false).ok);
  {
    std::ofstream torn(settings.path, std::ios::app);
    torn << R"({"seq":5,"time":"2026)";  // a crash in the middle of a write
  }
  {
    AuditLog log(settings);
    log.record(event(5));
  }
  const auto report = AuditVerifier::verify({settings.path}, key, false);
  CHECK_FALSE(report.ok);
  CHECK(report.line == 5);
  CHECK(report.reason.starts_with("altered"));
}

TEST_CASE("a file whose last line is not an audit line is refused") {
  const kms::test::TempDir dir;
  auto settings = settingsIn(dir);
  {
    std::ofstream junk(settings.path);
    junk << "not an audit line\n";
  }
  CHECK_THROWS_AS(AuditLog{settings}, kms::audit::AuditError);
}

TEST_CASE("rotation keeps one chain across files, also across a restart") {
  const kms::test::TempDir dir;
  auto settings = settingsIn(dir);
  settings.rotateSize = 2000;  // a few lines per file
  const std::vector<std::uint8_t> key(settings.hmacKey.begin(), settings.hmacKey.end());
  {
    AuditLog log(settings);
    for (int i = 0; i < 40; ++i) log.record(event(i));
  }
  {
    AuditLog log(settings);
    for (int i = 40; i < 60; ++i) log.record(event(i));
  }
  const auto files = filesOf(dir);
  REQUIRE(files.size() > 5);
  CHECK(std::filesystem::path(files.front()).filename() == "audit.log.000001");
  for (const auto& file : files) CHECK(std::filesystem::file_size(file) <= 2000);
  const auto report = AuditVerifier::verify(files, key, false);
  CHECK(report.ok);
  CHECK(report.lastSeq == report.lines);
  // Every file but the first starts with the rotation line naming its predecessor.
  const auto second = readLines(files[1]);
  CHECK(second.front().find(R"("type":"audit.rotate")") != std::string::npos);
  CHECK(second.front().find(R"("previous_file":"audit.log.000001")") != std::string::npos);
  // A file left out breaks the chain where it was.
  std::vector<std::string> gap = files;
  gap.erase(gap.begin() + 2);
  const auto broken = AuditVerifier::verify(gap, key, false);
  CHECK_FALSE(broken.ok);
  CHECK(broken.file == files[3]);
}

TEST_CASE("interval policy: record() does not wait, stop() writes and syncs everything") {
  const kms::test::TempDir dir;
  auto settings = settingsIn(dir);
  settings.flush = kms::audit::FlushPolicy::Interval;
  settings.flushInterval = std::chrono::milliseconds(50);
  {
    AuditLog log(settings);
    for (int i = 0; i < 500; ++i) log.record(event(i));
  }
  CHECK(readLines(settings.path).size() == 500);
}

TEST_CASE("the installed log receives note(); none installed: nothing happens") {
  const kms::test::TempDir dir;
  auto settings = settingsIn(dir);
  AuditLog::note(event(0));  // no log installed
  {
    AuditLog log(settings);
    AuditLog::install(&log);
    AuditLog::note(event(1));
    AuditLog::install(nullptr);
    AuditLog::note(event(2));
  }
  CHECK(readLines(settings.path).size() == 1);
}

TEST_CASE("a write that fails leaves the log failed: record() throws, healthy() is false") {
  REQUIRE(std::filesystem::exists("/dev/full"));  // every write there fails with ENOSPC
  AuditSettings settings;
  settings.path = "/dev/full";
  AuditLog log(settings);
  CHECK(log.healthy());
  CHECK_THROWS_AS(log.record(event(0)), kms::audit::AuditError);
  CHECK_FALSE(log.healthy());
  CHECK_THROWS_AS(log.submit(event(1)), kms::audit::AuditError);
}
