#pragma once
// Closes connections that may still have input coming, on a thread of its own. Closing a
// socket with unread input makes the kernel send a reset, and a reset can destroy the answer
// before the client reads it; so the server stops sending, reads and drops what still comes
// for a little while, then closes (nginx's "lingering close"). Done on the connection's own
// thread, that wait let any client that keeps sending hold a worker thread for it; here one
// thread watches every lingering socket with poll(), at most kLingerTime each and at most
// kCapacity at once (beyond, a socket is closed at once: under such a flood a reset is the
// cheaper evil).
#include <atomic>
#include <chrono>
#include <cstddef>
#include <mutex>
#include <thread>
#include <vector>

namespace Poco::Net {
class StreamSocket;
}

namespace kms::http {

class LingeringCloser {
 public:
  static constexpr auto kLingerTime = std::chrono::seconds(2);
  static constexpr std::size_t kLingerBytes = std::size_t{64} << 20;
  static constexpr std::size_t kCapacity = 256;

  LingeringCloser();
  ~LingeringCloser();  // closes what still lingers
  LingeringCloser(const LingeringCloser&) = delete;
  LingeringCloser& operator=(const LingeringCloser&) = delete;

  // Ends the sending side of `socket` (the answer is complete) and lingers on a duplicate of
  // its descriptor, so that the connection's own close (by Poco, later) sends nothing more.
  // On the descriptor itself: what is dropped needs no TLS decoding.
  void adopt(Poco::Net::StreamSocket& socket);
  [[nodiscard]] std::size_t lingering() const noexcept { return count_.load(); }

 private:
  struct Entry {
    int fd = -1;
    std::chrono::steady_clock::time_point until;
    std::size_t dropped = 0;
  };

  void run();

  std::mutex mutex_;
  std::vector<Entry> arrived_;  // guarded by mutex_: adopted, not yet watched
  bool stopping_ = false;       // guarded by mutex_
  std::atomic<std::size_t> count_{0};
  int wake_;  // eventfd
  std::thread thread_;
};

}  // namespace kms::http
