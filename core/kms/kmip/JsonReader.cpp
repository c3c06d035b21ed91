#include "kms/kmip/JsonReader.hpp"

#include <array>

#include <fmt/format.h>

#include "kms/Exception.hpp"
#include "kms/kmip/Hex.hpp"
#include "kms/kmip/Utf8.hpp"

namespace kms::kmip {
namespace {

// ASCII bytes that may appear in a JSON string as they are: not '"', '\\' or a control.
constexpr auto kPlain = [] {
  std::array<bool, 256> plain{};
  for (int c = 0x20; c < 0x80; ++c) plain[static_cast<std::size_t>(c)] = c != '"' && c != '\\';
  return plain;
}();

void appendUtf8(std::string& out, unsigned cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

}  // namespace

void JsonReader::fail(std::string_view what) const {
  throw Exception(ErrorCode::InvalidMessage, errorMessage(what));
}

void JsonReader::syntaxError(std::string_view what) const {
  fail(fmt::format("invalid JSON: {} at offset {}", what, pos_));
}

void JsonReader::skipSpace() noexcept {
  while (pos_ < text_.size()) {
    const char c = text_[pos_];
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t') return;
    ++pos_;
  }
}

char JsonReader::peek() noexcept {
  skipSpace();
  return pos_ < text_.size() ? text_[pos_] : '\0';
}

void JsonReader::expect(char c) {
  if (peek() != c) {
    if (pos_ >= text_.size()) syntaxError(fmt::format("expected '{}' but the input ended", c));
    syntaxError(fmt::format("expected '{}'", c));
  }
  ++pos_;
}

bool JsonReader::consume(char c) noexcept {
  if (peek() != c) return false;
  ++pos_;
  return true;
}

std::string_view JsonReader::readString(std::string& scratch) {
  expect('"');
  const std::size_t start = pos_;
  bool escaped = false;
  // One pass finds the end and validates; escapes are decoded in a second pass only when
  // present, which is rare in KMIP (names, hex and identifiers).
  const std::size_t size = text_.size();
  while (true) {
    // Plain ASCII is the common case: run over it before looking at anything else.
    while (pos_ < size && kPlain[static_cast<unsigned char>(text_[pos_])]) ++pos_;
    if (pos_ >= size) syntaxError("unterminated string");
    const auto c = static_cast<unsigned char>(text_[pos_]);
    if (c == '"') break;
    if (c == '\\') {
      escaped = true;
      pos_ += 2;  // the escaped character is checked by decodeEscapes()
      continue;
    }
    if (c < 0x20) syntaxError("control character in string");
    const std::size_t n = utf8::sequenceLength(text_, pos_);
    if (n == 0) syntaxError("invalid UTF-8 in string");
    pos_ += n;
  }
  const std::size_t stop = pos_;
  ++pos_;  // closing quote
  if (!escaped) return text_.substr(start, stop - start);
  return decodeEscapes(start, stop, scratch);
}

unsigned JsonReader::readHex4() {
  if (text_.size() - pos_ < 4) syntaxError("truncated \\u escape");
  unsigned value = 0;
  for (int i = 0; i < 4; ++i) {
    const int d = hex::digit(text_[pos_++]);
    if (d < 0) syntaxError("bad \\u escape");
    value = (value << 4) | static_cast<unsigned>(d);
  }
  return value;
}

std::string_view JsonReader::decodeEscapes(std::size_t start, std::size_t stop, std::string& scratch) {
  const std::size_t resume = pos_;
  scratch.clear();
  pos_ = start;
  while (pos_ < stop) {
    const char c = text_[pos_++];
    if (c != '\\') {
      scratch += c;
      continue;
    }
    if (pos_ >= stop) syntaxError("bad escape");
    const char e = text_[pos_++];
    switch (e) {
      case '"':
        scratch += '"';
        break;
      case '\\':
        scratch += '\\';
        break;
      case '/':
        scratch += '/';
        break;
      case 'b':
        scratch += '\b';
        break;
      case 'f':
        scratch += '\f';
        break;
      case 'n':
        scratch += '\n';
        break;
      case 'r':
        scratch += '\r';
        break;
      case 't':
        scratch += '\t';
        break;
      case 'u': {
        unsigned cp = readHex4();
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          // A high surrogate must be followed by an escaped low one.
          if (stop - pos_ < 6 || text_[pos_] != '\\' || text_[pos_ + 1] != 'u') syntaxError("lone surrogate");
          pos_ += 2;
          const unsigned low = readHex4();
          if (low < 0xDC00 || low > 0xDFFF) syntaxError("lone surrogate");
          cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
          syntaxError("lone surrogate");
        }
        appendUtf8(scratch, cp);
        break;
      }
      default:
        syntaxError("bad escape");
    }
  }
  pos_ = resume;
  return scratch;
}

void JsonReader::skipString() {
  std::string ignored;
  readString(ignored);
}

JsonReader::Number JsonReader::readNumber() {
  Number n;
  skipSpace();
  if (pos_ < text_.size() && text_[pos_] == '-') {
    n.negative = true;
    ++pos_;
  }
  const auto isDigit = [&] { return pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9'; };
  if (!isDigit()) syntaxError("bad number");
  if (text_[pos_] == '0') {
    ++pos_;
    if (isDigit()) syntaxError("leading zero in number");
  } else {
    while (isDigit()) {
      const auto d = static_cast<std::uint64_t>(text_[pos_++] - '0');
      if (n.magnitude > (UINT64_MAX - d) / 10) n.overflow = true;
      n.magnitude = n.magnitude * 10 + d;
    }
  }
  if (pos_ < text_.size() && text_[pos_] == '.') {
    ++pos_;
    n.integral = false;
    if (!isDigit()) syntaxError("bad number");
    while (isDigit()) ++pos_;
  }
  if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
    ++pos_;
    n.integral = false;
    if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
    if (!isDigit()) syntaxError("bad number");
    while (isDigit()) ++pos_;
  }
  return n;
}

char JsonReader::readLiteral() {
  const char c = peek();
  std::string_view word;
  if (c == 't') {
    word = "true";
  } else if (c == 'f') {
    word = "false";
  } else if (c == 'n') {
    word = "null";
  } else {
    syntaxError("unexpected character");
  }
  if (text_.substr(pos_, word.size()) != word) syntaxError("bad literal");
  pos_ += word.size();
  return c;
}

void JsonReader::skipValue() {
  // Containers are tracked on an explicit stack of closing brackets, not by recursion, so
  // that hostile nesting costs heap bytes, never stack frames.
  std::string closers;
  while (true) {
    const char c = peek();
    bool complete = true;
    if (c == '[' || c == '{') {
      ++pos_;
      closers += c == '[' ? ']' : '}';
      if (consume(closers.back())) {
        closers.pop_back();
      } else {
        if (c == '{') {
          skipString();
          expect(':');
        }
        complete = false;
      }
    } else if (c == '"') {
      skipString();
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      readNumber();
    } else {
      readLiteral();
    }
    if (!complete) continue;
    // After a complete value: close what ends here, or move on to the next element.
    while (!closers.empty()) {
      if (consume(closers.back())) {
        closers.pop_back();
        continue;
      }
      expect(',');
      if (closers.back() == '}') {
        skipString();
        expect(':');
      }
      break;
    }
    if (closers.empty()) return;
  }
}

}  // namespace kms::kmip
