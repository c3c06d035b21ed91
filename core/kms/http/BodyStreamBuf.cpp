#include "kms/http/BodyStreamBuf.hpp"

#include <Poco/Net/NetException.h>

#include <algorithm>
#include <exception>

#include "kms/http/ConnectionInput.hpp"
#include "kms/http/RequestHead.hpp"

namespace kms::http {
namespace {

// A chunk-size line: up to 16 hex digits and extensions, which kmsd ignores.
constexpr std::size_t kMaxChunkLine = 4096;
constexpr std::size_t kMaxTrailerLine = 8192 + 256 + 2;

int hexDigit(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

void BodyStreamBuf::fixed(std::uint64_t length) noexcept {
  chunked_ = false;
  remaining_ = length;
  state_ = length > 0 ? State::Data : State::Done;
}

void BodyStreamBuf::chunked() noexcept {
  chunked_ = true;
  remaining_ = 0;
  state_ = State::ChunkSize;
}

BodyStreamBuf::int_type BodyStreamBuf::underflow() {
  if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
  try {
    return next();
  } catch (const Poco::Exception& error) {
    failure_ = error.message();
    state_ = State::Done;
    throw;
  } catch (const std::exception& error) {
    failure_ = error.what();
    state_ = State::Done;
    throw;  // std::istream makes the stream bad
  }
}

BodyStreamBuf::int_type BodyStreamBuf::next() {
  for (;;) {
    switch (state_) {
      case State::Done:
        setg(nullptr, nullptr, nullptr);
        return traits_type::eof();
      case State::Data: {
        if (remaining_ == 0) {
          state_ = chunked_ ? State::ChunkEnd : State::Done;
          continue;
        }
        // Handed out from the connection's buffer: it is read into again only by the next
        // underflow(), once these bytes are gone.
        const std::string_view bytes = input_.available();
        const auto count = static_cast<std::size_t>(std::min<std::uint64_t>(bytes.size(), remaining_));
        input_.consume(count);
        remaining_ -= count;
        char* begin = const_cast<char*>(bytes.data());  // NOLINT(cppcoreguidelines-pro-type-const-cast): a get area
        setg(begin, begin, begin + count);
        return traits_type::to_int_type(*begin);
      }
      case State::ChunkEnd:
        if (!input_.readLine(0).empty()) throw Poco::Net::MessageException("chunk data not followed by CRLF");
        state_ = State::ChunkSize;
        continue;
      case State::ChunkSize:
        readChunkSize();
        continue;
      case State::Trailers:
        readTrailer();
        continue;
    }
  }
}

void BodyStreamBuf::readChunkSize() {
  const std::string_view line = input_.readLine(kMaxChunkLine);
  std::uint64_t size = 0;
  std::size_t digits = 0;
  while (digits < line.size() && hexDigit(line[digits]) >= 0) {
    if (digits == 16) throw Poco::Net::MessageException("chunk size too large");
    size = (size << 4) | static_cast<std::uint64_t>(hexDigit(line[digits]));
    ++digits;
  }
  if (digits == 0) throw Poco::Net::MessageException("invalid chunk size");
  // chunk-ext: BWS ";" ..., ignored but checked for control characters like a field value.
  std::string_view rest = line.substr(digits);
  while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
  if (!rest.empty()) {
    if (rest.front() != ';') throw Poco::Net::MessageException("invalid chunk size");
    for (char c : rest) {
      const auto u = static_cast<unsigned char>(c);
      if ((u < 0x20 && u != '\t') || u == 0x7F) throw Poco::Net::MessageException("invalid chunk extension");
    }
  }
  remaining_ = size;
  state_ = size == 0 ? State::Trailers : State::Data;
}

void BodyStreamBuf::readTrailer() {
  const std::string_view line = input_.readLine(kMaxTrailerLine);
  if (line.empty()) {
    state_ = State::Done;
    return;
  }
  if (++trailers_ > RequestHead::kMaxFields) throw Poco::Net::MessageException("too many trailer fields");
  std::string_view name;
  std::string_view value;
  RequestHead::splitField(line, name, value);  // checked, then dropped: kmsd uses no trailer
}

bool BodyStreamBuf::skipArrived(std::size_t limit) {
  setg(nullptr, nullptr, nullptr);  // what the handler left of the bytes handed out
  if (failed()) return false;
  if (state_ == State::Done) return true;
  if (chunked_ || remaining_ > limit) return false;
  const auto left = static_cast<std::size_t>(remaining_);
  if (!input_.bufferNow(left)) return false;
  input_.consume(left);
  remaining_ = 0;
  state_ = State::Done;
  return true;
}

}  // namespace kms::http
