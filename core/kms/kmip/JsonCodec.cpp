#include "kms/kmip/JsonCodec.hpp"

#include <charconv>
#include <limits>
#include <span>
#include <vector>

#include <fmt/format.h>

#include "kms/Exception.hpp"
#include "kms/kmip/AttributeEnum.hpp"
#include "kms/kmip/DateTimeText.hpp"
#include "kms/kmip/Dictionary.hpp"
#include "kms/kmip/Hex.hpp"
#include "kms/kmip/JsonReader.hpp"
#include "kms/kmip/TreeMeter.hpp"
#include "kms/kmip/Utf8.hpp"

namespace kms::kmip {
namespace {

constexpr std::size_t kQuotedValueMax = 64;  // longest input echoed back in an error

// Error messages quote the offending value, but never a megabyte of it.
std::string quote(std::string_view value) {
  std::string q = "'";
  if (value.size() > kQuotedValueMax) {
    q.append(value.substr(0, kQuotedValueMax));
    q += "...";
  } else {
    q.append(value);
  }
  q += '\'';
  return q;
}

// ---------------------------------------------------------------------------------------
// Decoding
// ---------------------------------------------------------------------------------------

class Decoder final : public JsonReader {
 public:
  Decoder(std::string_view json, const DecodeLimits& limits) : JsonReader(json), limits_(limits), meter_(limits) {}

  Ttlv decodeDocument() {
    if (atEnd()) fail("empty document");
    meter_.root();
    Ttlv root = node(0, nullptr);
    if (!atEnd()) fail(fmt::format("trailing characters after the top item at offset {}", offset()));
    return root;
  }

  // Prefixes the path of the node being decoded, e.g. "RequestMessage/BatchItem[0]/...".
  [[nodiscard]] std::string errorMessage(std::string_view what) const override {
    std::string message;
    for (const Frame& frame : frames_) {
      if (!message.empty()) message += '/';
      if (frame.tag.empty()) {
        message += '?';
        continue;
      }
      message += frame.tag;
      // Siblings before this one with the same tag give its index. A batch item is always
      // numbered because the client correlates errors with batch positions.
      std::size_t index = 0;
      if (frame.siblings != nullptr) {
        for (const Ttlv& s : *frame.siblings) index += s.tag() == frame.tag ? 1 : 0;
      }
      if (index > 0 || frame.tag == "BatchItem") message += fmt::format("[{}]", index);
    }
    if (message.empty()) {
      message = what;
    } else {
      message += ": ";
      message += what;
    }
    return message;
  }

 private:
  struct Frame {
    const std::vector<Ttlv>* siblings;  // completed siblings, for the index in the path
    std::string_view tag;               // empty until the "tag" property is read
  };

  // One {"tag","type","value"} object. `level` counts the Structures enclosing it.
  Ttlv node(std::size_t level, const std::vector<Ttlv>* siblings) {
    if (++items_ > limits_.maxItems) fail(fmt::format("more than {} items", limits_.maxItems));
    frames_.push_back({siblings, {}});
    expect('{');
    std::string tag;
    ItemType type = ItemType::Structure;
    bool haveTag = false;
    bool haveType = false;
    bool haveValue = false;
    std::size_t deferred = std::string_view::npos;
    std::vector<Ttlv> children;
    bool haveChildren = false;
    Ttlv result;
    if (!consume('}')) {
      do {
        const std::string_view key = readString(scratch_);
        expect(':');
        if (key == "tag") {
          if (haveTag) fail("duplicate \"tag\"");
          tag = resolveTag(readString(scratch_));
          haveTag = true;
          frames_.back().tag = tag;
        } else if (key == "type") {
          if (haveType) fail("duplicate \"type\"");
          const std::string_view name = readString(scratch_);
          if (!itemTypeFromName(name, type)) fail(fmt::format("unknown type {}", quote(name)));
          haveType = true;
        } else if (key == "value") {
          if (haveValue) fail("duplicate \"value\"");
          haveValue = true;
          // Cosmian and the OASIS examples write tag, type, value in that order, but any
          // order is legal JSON. An array can only be a Structure's and is read at once
          // (skipping it to read it again would cost a pass per nesting level); another
          // value is skipped and read once its tag and type are known.
          if (peek() == '[') {
            children = items(level + 1);
            haveChildren = true;
          } else if (haveTag && haveType) {
            // Moved once: a second "value" or "tag" property fails above, so no later pass
            // of the loop reads `tag` again.
            result = value(std::move(tag), type);  // NOLINT(bugprone-use-after-move)
            frames_.back().tag = result.tag();     // `tag` was moved from
          } else {
            deferred = offset();
            skipValue();
          }
        } else if (key == "name") {
          skipValue();  // informative only (KMIP JSON encoding 4.1.6)
        } else {
          fail(fmt::format("unknown property {}", quote(key)));
        }
      } while (consume(','));
      expect('}');
    }
    if (!haveTag) fail("missing \"tag\"");
    if (haveChildren) {
      if (type != ItemType::Structure) fail(fmt::format("a {} value cannot be an array", itemTypeName(type)));
      result = Ttlv::structure(std::move(tag), std::move(children));
    } else if (!haveValue) {
      if (type != ItemType::Structure) fail("missing \"value\"");
      result = Ttlv::structure(std::move(tag));
    } else if (deferred != std::string_view::npos) {
      const std::size_t end = offset();
      seek(deferred);
      result = value(std::move(tag), type);
      seek(end);
    }
    frames_.pop_back();
    meter_.item(result);
    return result;
  }

  std::string resolveTag(std::string_view name) {
    if (hex::hasPrefix(name)) {
      std::uint64_t code = 0;
      if (name.size() != 8 || !hex::parseNumber(name, 6, code)) {
        fail(fmt::format("bad tag {}: a hex tag has 6 digits", quote(name)));
      }
      if (auto known = Dictionary::tagName(static_cast<std::uint32_t>(code))) return std::string(*known);
      std::string normalized;
      hex::appendNumber(normalized, code, 6);
      return normalized;
    }
    if (!Dictionary::tagCode(name) && !Dictionary::isOperationTag(name)) {
      fail(fmt::format("unknown tag {}", quote(name)));
    }
    return std::string(name);
  }

  // The value of a node whose tag and type are known. `tag` is moved into the result only
  // at the end: the path frame views it until then.
  Ttlv value(std::string&& tag, ItemType type) {
    switch (type) {
      case ItemType::Structure:
        return structure(std::move(tag));
      case ItemType::Integer: {
        const std::int32_t v = integer(tag);
        return Ttlv::integer(std::move(tag), v);
      }
      case ItemType::LongInteger: {
        const std::int64_t v = signed64("LongInteger");
        return Ttlv::longInteger(std::move(tag), v);
      }
      case ItemType::BigInteger:
        return Ttlv::bigInteger(std::move(tag), bigInteger());
      case ItemType::Enumeration: {
        const std::uint32_t v = enumeration(tag);
        return Ttlv::enumeration(std::move(tag), v);
      }
      case ItemType::Boolean: {
        const bool v = boolean();
        return Ttlv::boolean(std::move(tag), v);
      }
      case ItemType::TextString: {
        if (peek() != '"') fail("a TextString value must be a string");
        const std::string_view text = readString(scratch_);
        checkSize(text.size());
        return Ttlv::textString(std::move(tag), std::string(text));
      }
      case ItemType::ByteString:
        return Ttlv::byteString(std::move(tag), byteString());
      case ItemType::DateTime: {
        const std::int64_t v = dateTime(false);
        return Ttlv::dateTime(std::move(tag), v);
      }
      case ItemType::Interval: {
        const std::uint32_t v = unsigned32("Interval");
        return Ttlv::interval(std::move(tag), v);
      }
      case ItemType::DateTimeExtended: {
        const std::int64_t v = dateTime(true);
        return Ttlv::dateTimeExtended(std::move(tag), v);
      }
    }
    fail("unknown type");
  }

  // A Structure value other than an array, which node() reads itself.
  Ttlv structure(std::string&& tag) {
    if (peek() != 'n') fail("a Structure value must be an array");
    readLiteral();  // null: an empty Structure (KMIP JSON encoding 4.1.6.2)
    return Ttlv::structure(std::move(tag));
  }

  // The array of a Structure at nesting `level`.
  std::vector<Ttlv> items(std::size_t level) {
    // Checked before descending: the recursion below is bounded by maxDepth.
    if (level > limits_.maxDepth) fail(fmt::format("nesting deeper than {}", limits_.maxDepth));
    std::vector<Ttlv> children;
    expect('[');
    if (!consume(']')) {
      do {
        meter_.append(children, node(level, &children));
      } while (consume(','));
      expect(']');
    }
    return children;
  }

  void checkSize(std::size_t bytes) const {
    if (bytes > limits_.maxValueBytes) {
      fail(fmt::format("value of {} bytes exceeds the limit of {}", bytes, limits_.maxValueBytes));
    }
  }

  // A JSON integer within [min, max].
  std::int64_t number(std::string_view typeName, std::int64_t min, std::uint64_t max) {
    const Number n = readNumber();
    if (!n.integral) fail(fmt::format("a {} must be an integer", typeName));
    const std::uint64_t minMagnitude = min < 0 ? std::uint64_t{0} - static_cast<std::uint64_t>(min) : 0;
    if (n.overflow || (n.negative && n.magnitude > minMagnitude) || (!n.negative && n.magnitude > max)) {
      fail(fmt::format("{} out of range", typeName));
    }
    return n.negative ? static_cast<std::int64_t>(std::uint64_t{0} - n.magnitude)
                      : static_cast<std::int64_t>(n.magnitude);
  }

  // "0x" + up to `digits` hex digits; fails naming the type otherwise.
  std::uint64_t hexNumber(std::string_view text, std::size_t digits, std::string_view typeName) {
    std::uint64_t v = 0;
    if (!hex::parseNumber(text, digits, v)) fail(fmt::format("invalid {} {}", typeName, quote(text)));
    return v;
  }

  std::int32_t integer(std::string_view tag) {
    const bool mask = Dictionary::isMask(tag);
    if (peek() != '"') {
      // Masks are unsigned in the specification, so a number up to 2^32-1 is accepted.
      const std::uint64_t max =
          mask ? std::numeric_limits<std::uint32_t>::max() : std::numeric_limits<std::int32_t>::max();
      return static_cast<std::int32_t>(
          static_cast<std::uint32_t>(number("Integer", std::numeric_limits<std::int32_t>::min(), max)));
    }
    const std::string_view text = readString(scratch_);
    if (!mask) return static_cast<std::int32_t>(static_cast<std::uint32_t>(hexNumber(text, 8, "Integer")));
    // "Encrypt|Decrypt", "CertificateSign|0x0000000c": names and hex parts OR-ed together.
    std::uint32_t bits = 0;
    bool any = false;
    std::size_t pos = 0;
    while (pos < text.size()) {
      const std::size_t stop = text.find_first_of("| \t", pos);
      const std::string_view part = text.substr(pos, stop == std::string_view::npos ? text.size() - pos : stop - pos);
      pos = stop == std::string_view::npos ? text.size() : stop + 1;
      if (part.empty()) continue;
      any = true;
      std::uint64_t v = 0;
      if (hex::parseNumber(part, 8, v)) {
        bits |= static_cast<std::uint32_t>(v);
      } else if (auto bit = Dictionary::maskBit(tag, part)) {
        bits |= *bit;
      } else {
        fail(fmt::format("unknown mask value {}", quote(part)));
      }
    }
    if (!any) fail("empty mask");
    return static_cast<std::int32_t>(bits);
  }

  std::int64_t signed64(std::string_view typeName) {
    if (peek() != '"') {
      return number(typeName, std::numeric_limits<std::int64_t>::min(),
                    static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()));
    }
    return static_cast<std::int64_t>(hexNumber(readString(scratch_), 16, typeName));
  }

  std::uint32_t unsigned32(std::string_view typeName) {
    if (peek() != '"') {
      return static_cast<std::uint32_t>(number(typeName, 0, std::numeric_limits<std::uint32_t>::max()));
    }
    return static_cast<std::uint32_t>(hexNumber(readString(scratch_), 8, typeName));
  }

  Ttlv::Bytes bigInteger() {
    Ttlv::Bytes bytes;
    if (peek() != '"') {
      // A JSON number becomes the 8-byte two's complement the binary encoding would carry.
      const auto v = static_cast<std::uint64_t>(
          number("BigInteger", std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max()));
      for (int shift = 56; shift >= 0; shift -= 8) bytes.push_back(static_cast<std::uint8_t>(v >> shift));
      return bytes;
    }
    const std::string_view text = readString(scratch_);
    if (!hex::hasPrefix(text)) fail(fmt::format("invalid BigInteger {}", quote(text)));
    checkSize((text.size() - 2) / 2);
    if (!hex::decodeBytes(text.substr(2), bytes)) fail(fmt::format("invalid BigInteger {}", quote(text)));
    return bytes;
  }

  std::uint32_t enumeration(std::string_view tag) {
    if (peek() != '"') return unsigned32("Enumeration");
    const std::string_view text = readString(scratch_);
    if (hex::hasPrefix(text)) return static_cast<std::uint32_t>(hexNumber(text, 8, "Enumeration"));
    auto v = Dictionary::enumValue(tag, text);
    if (!v && tag == "AttributeValue" && frames_.back().siblings != nullptr) {
      if (auto owner = attribute::valueTag(*frames_.back().siblings)) v = Dictionary::enumValue(*owner, text);
    }
    if (!v) fail(fmt::format("unknown enumeration value {}", quote(text)));
    return *v;
  }

  bool boolean() {
    const char c = peek();
    if (c == '"') {
      const std::uint64_t v = hexNumber(readString(scratch_), 16, "Boolean");
      if (v > 1) fail("a Boolean must be 0 or 1");
      return v == 1;
    }
    if (c != 't' && c != 'f') fail("a Boolean value must be true or false");
    return readLiteral() == 't';
  }

  Ttlv::Bytes byteString() {
    if (peek() != '"') fail("a ByteString value must be a hex string");
    const std::string_view text = readString(scratch_);
    checkSize(text.size() / 2);
    Ttlv::Bytes bytes;
    if (!hex::decodeBytes(text, bytes)) fail(fmt::format("invalid hex {}", quote(text)));
    return bytes;
  }

  // Seconds, or microseconds when `extended`.
  std::int64_t dateTime(bool extended) {
    const std::string_view typeName = extended ? "DateTimeExtended" : "DateTime";
    if (peek() != '"') return signed64(typeName);
    const std::string_view text = readString(scratch_);
    if (hex::hasPrefix(text)) return static_cast<std::int64_t>(hexNumber(text, 16, typeName));
    std::int64_t micros = 0;
    if (!datetime::parseMicros(text, micros)) fail(fmt::format("invalid {} {}", typeName, quote(text)));
    return extended ? micros : datetime::floorSeconds(micros);
  }

  const DecodeLimits& limits_;
  TreeMeter meter_;
  std::size_t items_ = 0;
  std::vector<Frame> frames_;
  std::string scratch_;
};

// ---------------------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------------------

void appendEscaped(std::string& out, std::string_view text) {
  constexpr char kHex[] = "0123456789abcdef";
  std::size_t run = 0;  // start of the pending run of bytes copied as they are
  std::size_t pos = 0;
  const auto flush = [&] { out.append(text.substr(run, pos - run)); };
  while (pos < text.size()) {
    const auto c = static_cast<unsigned char>(text[pos]);
    if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
      ++pos;
      continue;
    }
    if (c >= 0x80) {
      const std::size_t n = utf8::sequenceLength(text, pos);
      if (n != 0) {
        pos += n;
        continue;
      }
      // Not UTF-8: a JSON peer would reject the whole document, so substitute U+FFFD.
      flush();
      out += "\\ufffd";
      run = ++pos;
      continue;
    }
    flush();
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 0x0F];
    }
    run = ++pos;
  }
  flush();
}

template <typename T>
void appendDecimal(std::string& out, T value) {
  char buffer[24];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, result.ptr);
}

// `before` holds the siblings that precede `t`.
void encodeNode(std::string& out, const Ttlv& t, std::span<const Ttlv> before) {
  out += R"({"tag":")";
  appendEscaped(out, t.tag());
  out += R"(","type":")";
  out += itemTypeName(t.type());
  out += R"(","value":)";
  switch (t.type()) {
    case ItemType::Structure: {
      out += '[';
      const std::span<const Ttlv> children = t.items();
      for (std::size_t i = 0; i < children.size(); ++i) {
        if (i != 0) out += ',';
        encodeNode(out, children[i], children.first(i));
      }
      out += ']';
      break;
    }
    case ItemType::Integer: {
      const auto bits = static_cast<std::uint32_t>(t.number());
      if (Dictionary::isMask(t.tag())) {
        if (auto names = Dictionary::maskNames(t.tag(), bits)) {
          out += '"';
          out += *names;
          out += '"';
          break;
        }
        appendDecimal(out, bits);  // masks are unsigned
        break;
      }
      appendDecimal(out, static_cast<std::int32_t>(bits));
      break;
    }
    case ItemType::LongInteger:
      out += '"';
      hex::appendNumber(out, static_cast<std::uint64_t>(t.number()), 16);
      out += '"';
      break;
    case ItemType::BigInteger:
      out += "\"0x";
      hex::appendBytes(out, t.bytes());
      out += '"';
      break;
    case ItemType::Enumeration: {
      const auto value = static_cast<std::uint32_t>(t.number());
      out += '"';
      auto name = Dictionary::enumName(t.tag(), value);
      if (!name && t.tag() == "AttributeValue") {
        if (auto owner = attribute::valueTag(before)) name = Dictionary::enumName(*owner, value);
      }
      if (name) {
        out += *name;
      } else {
        hex::appendNumber(out, value, 8);
      }
      out += '"';
      break;
    }
    case ItemType::Boolean:
      out += t.number() != 0 ? "true" : "false";
      break;
    case ItemType::TextString:
      out += '"';
      appendEscaped(out, t.text());
      out += '"';
      break;
    case ItemType::ByteString:
      out += '"';
      hex::appendBytes(out, t.bytes());
      out += '"';
      break;
    case ItemType::DateTime:
    case ItemType::DateTimeExtended: {
      out += '"';
      const bool ok = t.type() == ItemType::DateTime ? datetime::appendSeconds(out, t.number())
                                                     : datetime::appendMicros(out, t.number());
      // Years beyond 0000-9999 have no RFC 3339 form; hex is the other encoding the spec allows.
      if (!ok) hex::appendNumber(out, static_cast<std::uint64_t>(t.number()), 16);
      out += '"';
      break;
    }
    case ItemType::Interval:
      appendDecimal(out, static_cast<std::uint32_t>(t.number()));
      break;
  }
  out += '}';
}

}  // namespace

Ttlv JsonCodec::decode(std::string_view json, const DecodeLimits& limits) {
  Decoder decoder(json, limits);
  return decoder.decodeDocument();
}

std::string JsonCodec::encode(const Ttlv& ttlv) {
  std::string out;
  out.reserve(512);
  encodeNode(out, ttlv, {});
  return out;
}

}  // namespace kms::kmip
