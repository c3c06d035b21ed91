#pragma once
// A small pull tokenizer over a JSON document held in memory (RFC 8259). JsonCodec builds
// the TTLV tree straight from it: no intermediate DOM, no per-value allocation for plain
// strings, and no recursion of its own, so nesting depth is bounded by the caller alone.
#include <cstdint>
#include <string>
#include <string_view>

namespace kms::kmip {

class JsonReader {
 public:
  struct Number {
    bool negative = false;
    bool integral = true;   // no fraction, no exponent
    bool overflow = false;  // magnitude above 2^64-1
    std::uint64_t magnitude = 0;
  };

  explicit JsonReader(std::string_view text) noexcept : text_(text) {}
  virtual ~JsonReader() = default;
  JsonReader(const JsonReader&) = delete;
  JsonReader& operator=(const JsonReader&) = delete;

  [[nodiscard]] std::size_t offset() const noexcept { return pos_; }
  void seek(std::size_t offset) noexcept { pos_ = offset; }
  [[nodiscard]] bool atEnd() noexcept {
    skipSpace();
    return pos_ >= text_.size();
  }

  // Next significant character, or '\0' at the end of input.
  char peek() noexcept;
  // Consumes `c` (after whitespace) or fails.
  void expect(char c);
  // Consumes `c` if it is next; returns whether it was.
  bool consume(char c) noexcept;

  // A string value; the view points into the input or into `scratch` (escapes decoded)
  // and stays valid until the next call that uses the same scratch.
  std::string_view readString(std::string& scratch);
  Number readNumber();
  // true / false / null: returns the literal's first letter.
  char readLiteral();
  // Skips one complete value of any kind, iteratively.
  void skipValue();

  // Throws kms::Exception(InvalidMessage) with errorMessage(what).
  [[noreturn]] void fail(std::string_view what) const;
  // fail() with "invalid JSON" and the offset.
  [[noreturn]] void syntaxError(std::string_view what) const;

 protected:
  // A subclass adds context, such as the path of the TTLV node being read.
  [[nodiscard]] virtual std::string errorMessage(std::string_view what) const { return std::string(what); }

 private:
  void skipSpace() noexcept;
  void skipString();
  std::string_view decodeEscapes(std::size_t start, std::size_t stop, std::string& scratch);
  unsigned readHex4();

  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace kms::kmip
