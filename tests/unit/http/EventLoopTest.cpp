// EventLoop on its own, with connections that echo over socket pairs: which thread serves whom,
// what a blocked connection costs the others, idle timeout and stop.
#include <doctest/doctest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "kms/http/EventLoop.hpp"

using kms::http::EventLoop;
using namespace std::chrono_literals;

namespace {

// Echoes what it reads; "slow" makes it hold its thread for 500 ms first (an HSM or database
// call that blocks).
class EchoConnection : public EventLoop::Connection {
 public:
  EchoConnection(int descriptor, std::atomic<int>& closed) : descriptor_(descriptor), closed_(closed) {}
  ~EchoConnection() override {
    ::close(descriptor_);
    ++closed_;
  }
  EchoConnection(const EchoConnection&) = delete;
  EchoConnection& operator=(const EchoConnection&) = delete;
  EchoConnection(EchoConnection&&) = delete;
  EchoConnection& operator=(EchoConnection&&) = delete;

  Next serveReady(const std::atomic<bool>& stopping) override {
    std::string buffer(256, '\0');
    const auto got = ::recv(descriptor_, buffer.data(), buffer.size(), 0);
    if (got <= 0) return Next::Close;
    buffer.resize(static_cast<std::size_t>(got));
    if (buffer == "slow") std::this_thread::sleep_for(500ms);
    (void)::send(descriptor_, buffer.data(), buffer.size(), MSG_NOSIGNAL);
    return stopping ? Next::Close : Next::Wait;
  }
  [[nodiscard]] int descriptor() const override { return descriptor_; }

 private:
  int descriptor_;
  std::atomic<int>& closed_;
};

// The client end of a socket pair whose server end the loop serves.
class Peer {
 public:
  Peer(EventLoop& loop, std::atomic<int>& closed) {
    int ends[2] = {-1, -1};
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ends) == 0);
    client_ = ends[0];
    loop.add(std::make_shared<EchoConnection>(ends[1], closed));
  }
  ~Peer() { ::close(client_); }
  Peer(const Peer&) = delete;
  Peer& operator=(const Peer&) = delete;
  Peer(Peer&&) = delete;
  Peer& operator=(Peer&&) = delete;

  void send(const std::string& text) const { REQUIRE(::send(client_, text.data(), text.size(), MSG_NOSIGNAL) > 0); }
  // What came back within `wait`; "" when nothing did, "<closed>" when the loop closed it.
  [[nodiscard]] std::string receive(std::chrono::milliseconds wait = 5000ms) const {
    pollfd ready{client_, POLLIN, 0};
    if (::poll(&ready, 1, static_cast<int>(wait.count())) <= 0) return "";
    std::string buffer(256, '\0');
    const auto got = ::recv(client_, buffer.data(), buffer.size(), 0);
    if (got <= 0) return "<closed>";
    buffer.resize(static_cast<std::size_t>(got));
    return buffer;
  }

 private:
  int client_ = -1;
};

EventLoop::Options options(unsigned running, unsigned max) {
  EventLoop::Options result;
  result.runningThreads = running;
  result.maxThreads = max;
  return result;
}

}  // namespace

TEST_CASE("connections waiting for input hold no thread") {
  std::atomic<int> closed{0};
  EventLoop loop(options(1, 2));
  loop.start();
  std::vector<std::unique_ptr<Peer>> peers;
  for (int i = 0; i < 50; ++i) peers.push_back(std::make_unique<Peer>(loop, closed));
  for (int round = 0; round < 2; ++round) {
    for (std::size_t i = 0; i < peers.size(); ++i) {
      const std::string text = "hello " + std::to_string(i);
      peers[i]->send(text);
      CHECK(peers[i]->receive() == text);
    }
  }
  CHECK(loop.threads() <= 2);
  CHECK(loop.connections() == 50);
  CHECK(closed == 0);
}

TEST_CASE("a connection that blocks its thread does not keep the others waiting") {
  std::atomic<int> closed{0};
  EventLoop loop(options(1, 4));  // one thread serves while nothing blocks
  loop.start();
  Peer slow(loop, closed);
  Peer quick(loop, closed);
  slow.send("slow");
  std::this_thread::sleep_for(50ms);  // the only running thread is now inside the slow call
  const auto started = std::chrono::steady_clock::now();
  quick.send("quick");
  CHECK(quick.receive() == "quick");
  // Without a spare taking over, "quick" waits for the 500 ms of "slow".
  CHECK(std::chrono::steady_clock::now() - started < 300ms);
  CHECK(slow.receive() == "slow");
  CHECK(loop.threads() >= 2);
}

TEST_CASE("without a spare left, a ready connection waits for a thread") {
  std::atomic<int> closed{0};
  EventLoop loop(options(1, 1));
  loop.start();
  Peer slow(loop, closed);
  Peer quick(loop, closed);
  slow.send("slow");
  std::this_thread::sleep_for(50ms);
  quick.send("quick");
  CHECK(quick.receive(200ms).empty());  // maxThreads bounds the requests served at once
  CHECK(quick.receive() == "quick");
  CHECK(loop.threads() == 1);
}

TEST_CASE("a connection idle past the timeout is closed; an active one is not") {
  std::atomic<int> closed{0};
  EventLoop::Options settings = options(1, 2);
  settings.idleTimeout = 300ms;
  EventLoop loop(settings);
  loop.start();
  Peer idle(loop, closed);
  Peer active(loop, closed);
  idle.send("a");
  CHECK(idle.receive() == "a");
  const auto until = std::chrono::steady_clock::now() + 2500ms;
  while (std::chrono::steady_clock::now() < until) {
    active.send("b");
    REQUIRE(active.receive() == "b");
    std::this_thread::sleep_for(100ms);
  }
  CHECK(idle.receive() == "<closed>");
  CHECK(closed == 1);
  active.send("c");
  CHECK(active.receive() == "c");
}

TEST_CASE("stop() closes waiting connections at once and lets a served one answer") {
  std::atomic<int> closed{0};
  EventLoop loop(options(1, 2));
  loop.start();
  Peer waiting(loop, closed);
  Peer served(loop, closed);
  served.send("slow");
  std::this_thread::sleep_for(50ms);
  const auto started = std::chrono::steady_clock::now();
  std::thread stopper([&] { loop.stop(); });
  CHECK(waiting.receive(1000ms) == "<closed>");
  CHECK(std::chrono::steady_clock::now() - started < 400ms);  // not after the slow answer
  CHECK(served.receive() == "slow");
  CHECK(served.receive() == "<closed>");
  stopper.join();
  CHECK(closed == 2);
  CHECK(loop.threads() == 0);
  Peer late(loop, closed);  // added after stop: closed at once
  CHECK(late.receive() == "<closed>");
  loop.stop();  // idempotent
}
