#pragma once
// What one connection reads, through one buffer kept for the whole connection: a request's head
// is checked and parsed where it arrived, and the bytes after it (its body, pipelined requests)
// stay for whoever reads next.
//
// Reads inside a request share the request's deadline: its head and body must have arrived by
// then, in total, however the peer spaces its bytes. (With a timeout per read, a client sending a
// byte a second holds a thread forever.) A read still blocked at the deadline is ended from
// outside: the ReadWatch tells HttpServer's watchdog until when this thread may wait, and the
// watchdog shuts the socket's receive side then (HttpConnection::expireRead). That costs no
// system call per request, and it also bounds TLS, where one SSL_read waits for a whole record
// however slowly its bytes come. Between requests the socket's receive timeout is the keep-alive
// idle limit.
#include <Poco/Net/StreamSocket.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string_view>

namespace kms::http {

// Shared by a connection's thread and the watchdog.
struct ReadWatch {
  // steady_clock ticks until which the thread may block in a read; 0: not inside a request.
  std::atomic<std::int64_t> until{0};
  std::atomic<bool> expired{false};  // the watchdog cut a read: every read fails from now on
};

// The request did not arrive by its deadline.
class RequestTimeout : public std::runtime_error {
 public:
  RequestTimeout() : std::runtime_error("the request did not arrive within the request timeout") {}
};

// The peer closed the connection in the middle of a request.
class PeerClosed : public std::runtime_error {
 public:
  PeerClosed() : std::runtime_error("the connection closed in the middle of the request") {}
};

class ConnectionInput {
 public:
  using Clock = std::chrono::steady_clock;
  // Largest request head (request line and fields): Poco's limits allow 16 KiB of URI and
  // 100 fields; JWTs of a few KiB fit many times over.
  static constexpr std::size_t kMaxHeadSize = std::size_t{64} * 1024;

  ConnectionInput(Poco::Net::StreamSocket& socket, ReadWatch& watch);
  ~ConnectionInput();
  ConnectionInput(const ConnectionInput&) = delete;
  ConnectionInput& operator=(const ConnectionInput&) = delete;

  // Waits for the first bytes of the next request: false when the peer closed or the wait ended
  // (the idle limit, or `deadline` when given: the first request of a connection, for which the
  // TLS handshake counts too). Pipelined bytes already buffered answer at once.
  bool awaitRequest(std::optional<Clock::time_point> deadline);
  // The deadline of every read until the next startRequest().
  void startRequest(Clock::time_point deadline) noexcept { deadline_ = deadline; }

  // The request's head, from its first line to the empty line that ends it (CRLF CRLF included;
  // up to four empty lines before it are skipped, RFC 9112 section 2.2). The view is valid until
  // the next read. Throws Poco::Net::MessageException for a head over kMaxHeadSize or a line not
  // ended by CRLF, RequestTimeout and PeerClosed.
  std::string_view readHead();
  // One line without its CRLF, of at most `limit` bytes (chunked framing); valid until the next
  // read. Throws like readHead().
  std::string_view readLine(std::size_t limit);
  // The bytes buffered, waiting for at least one when there are none; consume() what was used.
  std::string_view available();
  void consume(std::size_t count) noexcept { begin_ += count; }
  // True when `count` bytes are buffered, reading what the socket holds now without waiting.
  bool bufferNow(std::size_t count);
  [[nodiscard]] std::size_t buffered() const noexcept { return end_ - begin_; }

 private:
  // Receives more after what is buffered (moving it to the front, or growing the buffer up to
  // `room`), under the request's deadline when `watched`.
  void fill(std::size_t room, bool watched = true);
  std::size_t receive(char* into, std::size_t size, bool watched);
  void makeRoom(std::size_t room);

  Poco::Net::StreamSocket& socket_;
  const bool secure_;
  ReadWatch& watch_;
  Clock::time_point deadline_{};
  std::unique_ptr<char[]> data_;
  std::size_t capacity_;
  std::size_t begin_ = 0;  // first unread byte
  std::size_t end_ = 0;    // one past the last received byte
};

}  // namespace kms::http
