#include "kms/audit/AuditVerifier.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "kms/audit/AuditError.hpp"
#include "kms/audit/Digest.hpp"
#include "kms/audit/LineFormat.hpp"

namespace kms::audit {
namespace {

struct Line {
  std::string text;
  bool complete = true;  // ended by a newline
};

std::vector<Line> readLines(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw AuditError(fmt::format("cannot read '{}'", file));
  std::ostringstream all;
  all << in.rdbuf();
  const std::string bytes = all.str();
  std::vector<Line> lines;
  std::size_t from = 0;
  while (from < bytes.size()) {
    const auto end = bytes.find('\n', from);
    if (end == std::string::npos) {
      lines.push_back(Line{bytes.substr(from), false});
      break;
    }
    lines.push_back(Line{bytes.substr(from, end - from), true});
    from = end + 1;
  }
  return lines;
}

struct Parsed {
  std::uint64_t seq = 0;
  std::string prev;
};

// The line as render() writes it: a JSON object starting with seq, with a 64-hex prev.
std::optional<Parsed> parse(const std::string& text) {
  const auto seq = LineFormat::sequenceOf(text);
  if (!seq) return std::nullopt;
  try {
    Poco::JSON::Parser parser;
    const auto value = parser.parse(text);
    const auto& object = value.extract<Poco::JSON::Object::Ptr>();
    if (object.isNull() || !object->has("prev") || !object->has("type") || !object->has("time")) return std::nullopt;
    Parsed out{*seq, object->getValue<std::string>("prev")};
    if (out.prev.size() != Digest::kHexSize) return std::nullopt;
    return out;
  } catch (const Poco::Exception&) {
    return std::nullopt;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

struct Location {
  std::size_t file = 0;
  std::size_t line = 0;  // 1-based
};

}  // namespace

std::string VerifyReport::text() const {
  if (!ok) return fmt::format("{}:{}: {}", file, line, reason);
  return fmt::format("{} line(s), seq {}..{}: chain intact; {}", lines, firstSeq, lastSeq,
                     macsChecked ? "every mac checked" : "macs NOT checked (no --hmac-key-file)");
}

VerifyReport AuditVerifier::verify(const std::vector<std::string>& files, std::span<const std::uint8_t> key,
                                   bool partial) {
  VerifyReport report;
  report.macsChecked = !key.empty();
  if (files.empty()) {
    report.reason = "no file given";
    return report;
  }
  std::vector<std::vector<Line>> contents;
  contents.reserve(files.size());
  for (const auto& file : files) contents.push_back(readLines(file));

  // Where each sequence number sits, to tell a removed line from a moved one.
  std::vector<std::pair<std::uint64_t, Location>> seqs;
  for (std::size_t f = 0; f < contents.size(); ++f) {
    for (std::size_t l = 0; l < contents[f].size(); ++l) {
      if (const auto seq = LineFormat::sequenceOf(contents[f][l].text)) seqs.push_back({*seq, {f, l + 1}});
    }
  }
  const auto findSeq = [&](std::uint64_t seq, std::size_t afterIndex) -> std::optional<Location> {
    for (std::size_t i = afterIndex; i < seqs.size(); ++i) {
      if (seqs[i].first == seq) return seqs[i].second;
    }
    return std::nullopt;
  };
  const auto name = [&](std::size_t f) { return files[f]; };
  const auto fail = [&](std::size_t f, std::size_t line, std::string reason) {
    report.ok = false;
    report.file = name(f);
    report.line = line;
    report.reason = std::move(reason);
    return report;
  };

  std::uint64_t expected = 0;  // the seq the next line must carry, once `any` line was read
  std::string prevHash;
  Location previous;
  std::size_t seqIndex = 0;  // index in `seqs` of the line after the current one
  bool any = false;
  for (std::size_t f = 0; f < contents.size(); ++f) {
    const auto& lines = contents[f];
    if (lines.empty()) return fail(f, 1, "empty file: every audit file holds at least one line");
    for (std::size_t l = 0; l < lines.size(); ++l) {
      const Line& line = lines[l];
      const std::size_t number = l + 1;
      if (LineFormat::sequenceOf(line.text)) ++seqIndex;
      if (!line.complete) {
        return fail(f, number,
                    f + 1 == contents.size() && l + 1 == lines.size()
                        ? "truncated: the last line is incomplete (no newline at its end)"
                        : "truncated: a line without its newline inside the chain");
      }
      const auto parsed = parse(line.text);
      if (!parsed) return fail(f, number, "altered: not a well-formed audit line");
      if (!key.empty()) {
        const auto mac = LineFormat::splitMac(line.text);
        if (!mac) return fail(f, number, "no mac: the line was written without the key, or its mac was removed");
        if (!Digest::same(mac->mac, Digest::hmacSha256(key, mac->text))) {
          return fail(f, number, "bad mac: the line was altered, or written without this key");
        }
      }
      const std::uint64_t seq = parsed->seq;
      if (!any) {
        const bool genesis = seq == 1 && parsed->prev == Digest::zero();
        if (!genesis && !partial) {
          return fail(f, number,
                      fmt::format("the chain does not start here (seq {}): earlier lines or files are missing; give "
                                  "the earlier files first, or --partial to check from this line on",
                                  seq));
        }
        report.firstSeq = seq;
      } else {
        if (seq > expected) {
          if (const auto later = findSeq(expected, seqIndex)) {
            return fail(f, number,
                        fmt::format("reordered: seq {} where seq {} was expected (seq {} is at {}:{})", seq, expected,
                                    expected, name(later->file), later->line));
          }
          return fail(
              f, number,
              seq == expected + 1
                  ? fmt::format("missing: the line of seq {} before this one was removed", expected)
                  : fmt::format("missing: the lines of seq {}..{} before this one were removed", expected, seq - 1));
        }
        if (seq < expected) {
          return fail(f, number,
                      fmt::format("reordered: seq {} after seq {} (moved or duplicated)", seq, expected - 1));
        }
        if (parsed->prev != prevHash) {
          // This line follows in sequence, yet the previous line is not what it chained to.
          if (previous.file != f) {
            return fail(previous.file, previous.line,
                        fmt::format("altered: the last line of this file does not chain to the first line of {} "
                                    "(the line was changed, or a file is missing or out of order)",
                                    name(f)));
          }
          return fail(previous.file, previous.line,
                      "altered: this line's hash does not match the next line's prev (the line was changed)");
        }
      }
      any = true;
      expected = seq + 1;
      prevHash = Digest::sha256(line.text);
      previous = Location{f, number};
      report.lastSeq = seq;
      ++report.lines;
    }
  }
  report.ok = true;
  return report;
}

}  // namespace kms::audit
