#include "kms/http/LingeringCloser.hpp"

#include <Poco/Net/StreamSocket.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <stdexcept>

namespace kms::http {
namespace {

// Read per socket per wake-up, so that one busy sender does not starve the others.
constexpr std::size_t kReadsPerWake = 16;

}  // namespace

LingeringCloser::LingeringCloser() : wake_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
  if (wake_ < 0) throw std::runtime_error("cannot create the lingering-close eventfd");
  thread_ = std::thread([this] { run(); });
}

LingeringCloser::~LingeringCloser() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  const std::uint64_t one = 1;
  (void)::write(wake_, &one, sizeof one);
  thread_.join();
  ::close(wake_);
}

void LingeringCloser::adopt(Poco::Net::StreamSocket& socket) {
  const int fd = socket.impl()->sockfd();
  (void)::shutdown(fd, SHUT_WR);
  if (count_.fetch_add(1) >= kCapacity) {
    count_.fetch_sub(1);
    return;  // closed with the connection: a reset at worst
  }
  const int copy = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) {
    count_.fetch_sub(1);
    return;
  }
  {
    const std::lock_guard lock(mutex_);
    arrived_.push_back(Entry{copy, std::chrono::steady_clock::now() + kLingerTime, 0});
  }
  const std::uint64_t one = 1;
  (void)::write(wake_, &one, sizeof one);
}

void LingeringCloser::run() {
  std::vector<Entry> entries;
  std::vector<pollfd> polled;
  std::array<char, 16384> scratch;  // NOLINT(cppcoreguidelines-pro-type-member-init): written by recv
  const auto finish = [this](Entry& entry) {
    ::close(entry.fd);
    entry.fd = -1;
    count_.fetch_sub(1);
  };
  for (;;) {
    {
      const std::lock_guard lock(mutex_);
      entries.insert(entries.end(), arrived_.begin(), arrived_.end());
      arrived_.clear();
      if (stopping_) break;
    }
    auto now = std::chrono::steady_clock::now();
    int timeout = -1;  // none lingers: until woken
    polled.assign(1, pollfd{wake_, POLLIN, 0});
    for (const Entry& entry : entries) {
      polled.push_back(pollfd{entry.fd, POLLIN, 0});
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(entry.until - now).count();
      const int wait = static_cast<int>(std::max<std::int64_t>(left, 0));
      timeout = timeout < 0 ? wait : std::min(timeout, wait);
    }
    (void)::poll(polled.data(), polled.size(), timeout);
    if ((polled[0].revents & POLLIN) != 0) {
      std::uint64_t ignored = 0;
      (void)::read(wake_, &ignored, sizeof ignored);
    }
    now = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < entries.size(); ++i) {
      Entry& entry = entries[i];
      if (polled[i + 1].revents != 0) {
        for (std::size_t reads = 0; reads < kReadsPerWake; ++reads) {
          const auto got = ::recv(entry.fd, scratch.data(), scratch.size(), MSG_DONTWAIT);
          if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) break;
          if (got <= 0) {  // the peer's end, or an error: nothing more to wait for
            finish(entry);
            break;
          }
          entry.dropped += static_cast<std::size_t>(got);
          if (entry.dropped >= kLingerBytes) {
            finish(entry);
            break;
          }
        }
      }
      if (entry.fd >= 0 && now >= entry.until) finish(entry);
    }
    std::erase_if(entries, [](const Entry& entry) { return entry.fd < 0; });
  }
  for (Entry& entry : entries) finish(entry);
}

}  // namespace kms::http
