#pragma once
// A request body as a stream, read from the connection's buffer (ConnectionInput) under the
// request's deadline: Content-Length bytes, or chunked coding (RFC 9112 section 7.1) decoded
// strictly, every line ended by CRLF. A framing error, a timeout or the peer closing makes the
// stream bad (std::istream catches what underflow() throws); failure() says which.
#include <cstdint>
#include <streambuf>
#include <string>

namespace kms::http {

class ConnectionInput;

class BodyStreamBuf : public std::streambuf {
 public:
  explicit BodyStreamBuf(ConnectionInput& input) noexcept : input_(input) {}

  void fixed(std::uint64_t length) noexcept;
  void chunked() noexcept;

  // Drops the rest of the body if all of it has arrived already (nothing is waited for) and it
  // is at most `limit` bytes: true when the body is then read to its end and the next request
  // on the connection starts where it should.
  bool skipArrived(std::size_t limit);
  [[nodiscard]] bool failed() const noexcept { return !failure_.empty(); }
  [[nodiscard]] const std::string& failure() const noexcept { return failure_; }

 protected:
  int_type underflow() override;

 private:
  enum class State { Data, ChunkSize, ChunkEnd, Trailers, Done };

  int_type next();
  void readChunkSize();
  void readTrailer();

  ConnectionInput& input_;
  State state_ = State::Done;
  bool chunked_ = false;
  std::uint64_t remaining_ = 0;  // of the body (fixed) or of the current chunk
  std::size_t trailers_ = 0;
  std::string failure_;
};

}  // namespace kms::http
