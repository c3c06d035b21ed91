#include "kms/http/ConnectionInput.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/NetException.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

#include "kms/SecureBytes.hpp"

namespace kms::http {
namespace {

// Enough for a whole small request (an Encrypt is under 1 KiB) in one receive.
constexpr std::size_t kBufferSize = std::size_t{16} * 1024;
// RFC 9112 section 2.2: a server SHOULD ignore at least one empty line before the request line.
constexpr int kMaxEmptyLines = 4;

}  // namespace

ConnectionInput::ConnectionInput(Poco::Net::StreamSocket& socket, ReadWatch& watch)
    : socket_(socket),
      secure_(socket.secure()),
      watch_(watch),
      data_(std::make_unique<char[]>(kBufferSize)),
      capacity_(kBufferSize) {}

ConnectionInput::~ConnectionInput() {
  kms::secureZero(data_.get(), end_);
}

bool ConnectionInput::awaitRequest(std::optional<Clock::time_point> deadline) {
  // What the requests before this one sent (a key's hex in an Import, a token) is wiped now,
  // before the connection waits idle: only bytes not read yet stay. Bytes past end_ are zero.
  kms::secureZero(data_.get(), begin_);
  if (buffered() > 0) return true;
  begin_ = end_ = 0;
  try {
    if (deadline) {
      deadline_ = *deadline;
      fill(kBufferSize, true);
    } else {
      fill(kBufferSize, false);
    }
  } catch (const RequestTimeout&) {
    return false;
  } catch (const PeerClosed&) {
    return false;
  } catch (const Poco::Exception&) {
    return false;  // a reset, a failed TLS handshake: nothing to answer
  }
  return true;
}

std::string_view ConnectionInput::readHead() {
  int emptyLines = 0;
  std::size_t scanned = 0;  // bytes after begin_ searched for the end of the head
  std::size_t line = 0;     // where the current line starts, after begin_
  for (;;) {
    while (scanned < buffered()) {
      const char* start = data_.get() + begin_;
      const void* lf = std::memchr(start + scanned, '\n', buffered() - scanned);
      if (lf == nullptr) {
        scanned = buffered();
        break;
      }
      const auto at = static_cast<std::size_t>(static_cast<const char*>(lf) - start);
      // A bare LF ends a line for some parsers and not for others: a proxy in front and kmsd
      // could then split the same bytes into different requests.
      if (at == line || start[at - 1] != '\r') {
        throw Poco::Net::MessageException("a line of the request head does not end with CRLF");
      }
      if (at - 1 == line) {  // an empty line
        if (line > 0) {
          begin_ += at + 1;
          return {start, at + 1};
        }
        if (++emptyLines > kMaxEmptyLines) throw Poco::Net::MessageException("empty lines before the request line");
        begin_ += at + 1;
        scanned = 0;
        continue;
      }
      line = at + 1;
      scanned = at + 1;
    }
    if (buffered() >= kMaxHeadSize) throw Poco::Net::MessageException("request head too large");
    fill(kMaxHeadSize);
  }
}

std::string_view ConnectionInput::readLine(std::size_t limit) {
  std::size_t scanned = 0;
  for (;;) {
    const char* start = data_.get() + begin_;
    if (const void* lf = std::memchr(start + scanned, '\n', buffered() - scanned)) {
      const auto at = static_cast<std::size_t>(static_cast<const char*>(lf) - start);
      if (at == 0 || start[at - 1] != '\r') throw Poco::Net::MessageException("a line does not end with CRLF");
      begin_ += at + 1;
      return {start, at - 1};
    }
    scanned = buffered();
    if (scanned > limit + 1) throw Poco::Net::MessageException("line too long");
    fill(limit + 2);
  }
}

std::string_view ConnectionInput::available() {
  if (buffered() == 0) fill(kBufferSize);
  return {data_.get() + begin_, buffered()};
}

bool ConnectionInput::bufferNow(std::size_t count) {
  while (buffered() < count) {
    makeRoom(count);
    const std::size_t space = capacity_ - end_;
    if (secure_) {
      // Only what TLS has decrypted already: reading a record could wait for the network.
      const int pending = socket_.available();
      if (pending <= 0) return false;
      end_ += receive(data_.get() + end_, std::min(space, static_cast<std::size_t>(pending)), false);
      continue;
    }
    const auto got = ::recv(socket_.impl()->sockfd(), data_.get() + end_, space, MSG_DONTWAIT);
    if (got <= 0) return false;  // closed, nothing more now, or an error the next read reports
    end_ += static_cast<std::size_t>(got);
  }
  return true;
}

void ConnectionInput::makeRoom(std::size_t room) {
  if (begin_ == end_) {
    begin_ = end_ = 0;
  } else if (end_ == capacity_ && begin_ > 0) {
    std::memmove(data_.get(), data_.get() + begin_, buffered());
    kms::secureZero(data_.get() + buffered(), begin_);  // the tail the move left behind
    end_ -= begin_;
    begin_ = 0;
  }
  if (end_ == capacity_ && capacity_ < room) {
    const std::size_t grown = std::min(capacity_ * 2, room);
    auto bigger = std::make_unique<char[]>(grown);
    std::memcpy(bigger.get(), data_.get(), end_);
    kms::secureZero(data_.get(), end_);
    data_ = std::move(bigger);
    capacity_ = grown;
  }
}

void ConnectionInput::fill(std::size_t room, bool watched) {
  makeRoom(room);
  end_ += receive(data_.get() + end_, capacity_ - end_, watched);
}

std::size_t ConnectionInput::receive(char* into, std::size_t size, bool watched) {
  if (watched) {
    if (watch_.expired.load(std::memory_order_relaxed) || Clock::now() >= deadline_) throw RequestTimeout();
    watch_.until.store(deadline_.time_since_epoch().count(), std::memory_order_relaxed);
  }
  int got = 0;
  try {
    got = socket_.receiveBytes(into, static_cast<int>(std::min<std::size_t>(size, INT_MAX)));
  } catch (const Poco::TimeoutException&) {
    // The socket's receive timeout: the idle limit, or a request stalled before the watchdog's
    // next look (it checks a few times a second).
    watch_.until.store(0, std::memory_order_relaxed);
    throw RequestTimeout();
  } catch (...) {
    watch_.until.store(0, std::memory_order_relaxed);
    if (watch_.expired.load()) throw RequestTimeout();
    throw;
  }
  watch_.until.store(0, std::memory_order_relaxed);
  if (got <= 0) {
    if (watch_.expired.load()) throw RequestTimeout();
    throw PeerClosed();
  }
  return static_cast<std::size_t>(got);
}

}  // namespace kms::http
