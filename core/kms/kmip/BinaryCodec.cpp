#include "kms/kmip/BinaryCodec.hpp"

#include <limits>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "kms/Exception.hpp"
#include "kms/kmip/Dictionary.hpp"
#include "kms/kmip/Hex.hpp"
#include "kms/kmip/TreeMeter.hpp"
#include "kms/kmip/Utf8.hpp"

namespace kms::kmip {
namespace {

constexpr std::size_t kHeaderSize = 8;  // tag (3) + type (1) + length (4)

constexpr std::size_t padded(std::size_t length) noexcept {
  return (length + 7) & ~std::size_t{7};
}

std::string tagText(std::uint32_t code) {
  if (auto name = Dictionary::tagName(code)) return std::string(*name);
  std::string text;
  hex::appendNumber(text, code, 6);
  return text;
}

// ---------------------------------------------------------------------------------------
// Decoding
// ---------------------------------------------------------------------------------------

class Decoder {
 public:
  Decoder(std::span<const std::uint8_t> bytes, const DecodeLimits& limits)
      : bytes_(bytes), limits_(limits), meter_(limits) {}

  Ttlv decodeMessage() {
    meter_.root();
    Ttlv root = item(0, bytes_.size());
    if (pos_ != bytes_.size()) {
      fail(pos_, fmt::format("{} trailing bytes after the top item", bytes_.size() - pos_));
    }
    return root;
  }

 private:
  [[noreturn]] static void fail(std::size_t offset, std::string_view what) {
    throw Exception(ErrorCode::InvalidMessage, fmt::format("TTLV at offset {}: {}", offset, what));
  }
  [[noreturn]] static void fail(std::size_t offset, std::string_view tag, std::string_view what) {
    throw Exception(ErrorCode::InvalidMessage, fmt::format("TTLV at offset {} ({}): {}", offset, tag, what));
  }

  // The `size` bytes at `at`, as a Ttlv byte string (the caller checked they are there).
  [[nodiscard]] Ttlv::Bytes bytesAt(std::size_t at, std::size_t size) const {
    const auto part = bytes_.subspan(at, size);
    return Ttlv::Bytes(part.begin(), part.end());
  }

  [[nodiscard]] std::uint64_t readBigEndian(std::size_t at, std::size_t size) const noexcept {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < size; ++i) v = (v << 8) | bytes_[at + i];
    return v;
  }

  // One item starting at pos_ that must end by `limit` (its Structure's end, or the
  // buffer's). `level` counts the Structures enclosing it.
  Ttlv item(std::size_t level, std::size_t limit) {
    Ttlv decoded = read(level, limit);
    meter_.item(decoded);
    return decoded;
  }

  Ttlv read(std::size_t level, std::size_t limit) {
    const std::size_t start = pos_;
    if (limit - start < kHeaderSize) fail(start, "truncated item header");
    if (++items_ > limits_.maxItems) fail(start, fmt::format("more than {} items", limits_.maxItems));
    const auto code = static_cast<std::uint32_t>(readBigEndian(start, 3));
    const std::uint8_t typeByte = bytes_[start + 3];
    const auto length = static_cast<std::size_t>(readBigEndian(start + 4, 4));
    std::string tag = tagText(code);
    if (typeByte < 0x01 || typeByte > 0x0B) fail(start, tag, fmt::format("unknown item type 0x{:02X}", typeByte));
    const auto type = static_cast<ItemType>(typeByte);

    const std::size_t value = start + kHeaderSize;
    if (padded(length) > limit - value) fail(start, tag, fmt::format("length {} overruns the enclosing data", length));
    const auto expectLength = [&](std::size_t expected) {
      if (length != expected) {
        fail(start, tag, fmt::format("{} length must be {}, not {}", itemTypeName(type), expected, length));
      }
    };
    pos_ = value + padded(length);

    switch (type) {
      case ItemType::Structure: {
        if (level + 1 > limits_.maxDepth) fail(start, tag, fmt::format("nesting deeper than {}", limits_.maxDepth));
        if (length % 8 != 0) fail(start, tag, "Structure length is not a multiple of 8");
        std::vector<Ttlv> children;
        const std::size_t end = value + length;
        // Exactly as many slots as there are children: a vector grown by doubling holds up to
        // twice the memory, and moves every child at each growth.
        meter_.reserve(children, countChildren(value, end));
        pos_ = value;
        while (pos_ < end) meter_.append(children, item(level + 1, end));
        return Ttlv::structure(std::move(tag), std::move(children));
      }
      case ItemType::Integer:
        expectLength(4);
        return Ttlv::integer(std::move(tag), static_cast<std::int32_t>(readBigEndian(value, 4)));
      case ItemType::LongInteger:
        expectLength(8);
        return Ttlv::longInteger(std::move(tag), static_cast<std::int64_t>(readBigEndian(value, 8)));
      case ItemType::BigInteger:
        if (length % 8 != 0) fail(start, tag, "BigInteger length is not a multiple of 8");
        checkSize(start, tag, length);
        return Ttlv::bigInteger(std::move(tag), bytesAt(value, length));
      case ItemType::Enumeration:
        expectLength(4);
        return Ttlv::enumeration(std::move(tag), static_cast<std::uint32_t>(readBigEndian(value, 4)));
      case ItemType::Boolean: {
        expectLength(8);
        const std::uint64_t v = readBigEndian(value, 8);
        if (v > 1) fail(start, tag, "a Boolean must be 0 or 1");
        return Ttlv::boolean(std::move(tag), v == 1);
      }
      case ItemType::TextString: {
        checkSize(start, tag, length);
        std::string text(reinterpret_cast<const char*>(bytes_.data() + value), length);
        if (!utf8::isValid(text)) fail(start, tag, "TextString is not UTF-8");
        return Ttlv::textString(std::move(tag), std::move(text));
      }
      case ItemType::ByteString:
        checkSize(start, tag, length);
        return Ttlv::byteString(std::move(tag), bytesAt(value, length));
      case ItemType::DateTime:
        expectLength(8);
        return Ttlv::dateTime(std::move(tag), static_cast<std::int64_t>(readBigEndian(value, 8)));
      case ItemType::Interval:
        expectLength(4);
        return Ttlv::interval(std::move(tag), static_cast<std::uint32_t>(readBigEndian(value, 4)));
      case ItemType::DateTimeExtended:
        expectLength(8);
        return Ttlv::dateTimeExtended(std::move(tag), static_cast<std::int64_t>(readBigEndian(value, 8)));
    }
    fail(start, tag, "unknown item type");
  }

  // The items between `from` and `end`, by their headers alone; what does not fit is left to
  // item() to report.
  [[nodiscard]] std::size_t countChildren(std::size_t from, std::size_t end) const noexcept {
    std::size_t count = 0;
    while (end - from >= kHeaderSize && count < limits_.maxItems) {
      const auto length = static_cast<std::size_t>(readBigEndian(from + 4, 4));
      if (padded(length) > end - from - kHeaderSize) break;
      from += kHeaderSize + padded(length);
      ++count;
    }
    return count;
  }

  void checkSize(std::size_t start, std::string_view tag, std::size_t length) const {
    if (length > limits_.maxValueBytes) {
      fail(start, tag, fmt::format("value of {} bytes exceeds the limit of {}", length, limits_.maxValueBytes));
    }
  }

  std::span<const std::uint8_t> bytes_;
  const DecodeLimits& limits_;
  TreeMeter meter_;
  std::size_t pos_ = 0;
  std::size_t items_ = 0;
};

// ---------------------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------------------

using Bytes = Ttlv::Bytes;

std::uint32_t tagCode(const std::string& tag) {
  if (auto code = Dictionary::tagCode(tag)) return *code;
  std::uint64_t code = 0;
  if (hex::hasPrefix(tag) && tag.size() == 8 && hex::parseNumber(tag, 6, code)) return static_cast<std::uint32_t>(code);
  throw Exception(ErrorCode::InvalidMessage, fmt::format("cannot encode unknown tag '{}' in TTLV", tag));
}

void appendBigEndian(Bytes& out, std::uint64_t v, std::size_t size) {
  const std::size_t at = out.size();
  out.resize(at + size);
  for (std::size_t i = 0; i < size; ++i) out[at + i] = static_cast<std::uint8_t>(v >> ((size - 1 - i) * 8));
}

void appendPadding(Bytes& out, std::size_t length) {
  out.resize(out.size() + (padded(length) - length), 0);
}

void putLength(Bytes& out, std::size_t headerAt, std::size_t length, const std::string& tag) {
  if (length > std::numeric_limits<std::uint32_t>::max()) {
    throw Exception(ErrorCode::InvalidMessage, fmt::format("{} is too long for TTLV ({} bytes)", tag, length));
  }
  for (std::size_t i = 0; i < 4; ++i) out[headerAt + 4 + i] = static_cast<std::uint8_t>(length >> ((3 - i) * 8));
}

void encodeItem(Bytes& out, const Ttlv& t) {
  const std::size_t headerAt = out.size();
  appendBigEndian(out, tagCode(t.tag()), 3);
  out.push_back(static_cast<std::uint8_t>(t.type()));
  appendBigEndian(out, 0, 4);  // length, written once known
  const auto number = static_cast<std::uint64_t>(t.number());
  std::size_t length = 0;
  switch (t.type()) {
    case ItemType::Structure:
      for (const Ttlv& child : t.items()) encodeItem(out, child);
      length = out.size() - headerAt - kHeaderSize;
      break;
    case ItemType::Integer:
    case ItemType::Enumeration:
    case ItemType::Interval:
      appendBigEndian(out, number, 4);
      length = 4;
      appendPadding(out, length);
      break;
    case ItemType::LongInteger:
    case ItemType::Boolean:
    case ItemType::DateTime:
    case ItemType::DateTimeExtended:
      appendBigEndian(out, t.type() == ItemType::Boolean ? (number != 0 ? 1 : 0) : number, 8);
      length = 8;
      break;
    case ItemType::BigInteger: {
      // Sign-extend to a multiple of 8 bytes (KMIP 2.1 §10.1.2).
      const Bytes& v = t.bytes();
      const std::uint8_t fill = !v.empty() && (v.front() & 0x80) != 0 ? 0xFF : 0x00;
      length = padded(v.size());
      out.resize(out.size() + (length - v.size()), fill);
      out.insert(out.end(), v.begin(), v.end());
      break;
    }
    case ItemType::TextString:
      out.insert(out.end(), t.text().begin(), t.text().end());
      length = t.text().size();
      appendPadding(out, length);
      break;
    case ItemType::ByteString:
      out.insert(out.end(), t.bytes().begin(), t.bytes().end());
      length = t.bytes().size();
      appendPadding(out, length);
      break;
  }
  putLength(out, headerAt, length, t.tag());
}

}  // namespace

Ttlv BinaryCodec::decode(std::span<const std::uint8_t> bytes, const DecodeLimits& limits) {
  Decoder decoder(bytes, limits);
  return decoder.decodeMessage();
}

Ttlv::Bytes BinaryCodec::encode(const Ttlv& ttlv) {
  Bytes out;
  out.reserve(256);
  encodeItem(out, ttlv);
  return out;
}

}  // namespace kms::kmip
