// PostgresStore against a server that stops answering but keeps its connections open (a paused
// VM, SIGSTOP, a partition): the server cannot enforce its statement_timeout then, and kmsd must
// give up by itself. The test's server stays healthy: the store reaches it through a forwarding
// proxy on loopback that the test can freeze (it stops reading and writing, and closes nothing),
// so other tests sharing the fixture's server are not disturbed.
#include <doctest/doctest.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "PgTestSupport.hpp"
#include "StoreTestSupport.hpp"
#include "kms/Exception.hpp"
#include "kms/store/postgres/ConnectionString.hpp"

using kms::ErrorCode;
using kms::Exception;
using kms::store::PostgresOptions;
using kms::store::PostgresStore;
using namespace kms::store::test;
using namespace std::chrono_literals;

namespace {

// Forwards TCP connections from a loopback port to the server, until frozen: then it neither
// accepts, nor reads, nor writes, nor closes anything, which to the client looks exactly like a
// stopped server whose kernel still acknowledges. Thawed, it goes on where it stopped.
class FreezableProxy {
 public:
  FreezableProxy(const std::string& host, const std::string& port) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (::getaddrinfo(host.c_str(), port.c_str(), &hints, &found) != 0 || found == nullptr) {
      throw std::runtime_error("cannot resolve " + host + ":" + port);
    }
    target_.assign(reinterpret_cast<const char*>(found->ai_addr), found->ai_addrlen);
    family_ = found->ai_family;
    ::freeaddrinfo(found);

    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    if (listener_ < 0 || ::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
        ::listen(listener_, 16) != 0 || ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      throw std::runtime_error("cannot listen on loopback");
    }
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { run(); });
  }
  ~FreezableProxy() {
    stopping_ = true;
    thread_.join();
    for (const auto& [client, server] : pairs_) {
      ::close(client);
      ::close(server);
    }
    ::close(listener_);
  }
  FreezableProxy(const FreezableProxy&) = delete;
  FreezableProxy& operator=(const FreezableProxy&) = delete;

  [[nodiscard]] int port() const { return port_; }
  // Thaws by itself after `limit`: a store that waits for the frozen server then fails the
  // test's timing checks instead of hanging the test run.
  void freeze(std::chrono::milliseconds limit = 8s) {
    frozenUntil_ = (std::chrono::steady_clock::now() + limit).time_since_epoch().count();
  }
  void thaw() { frozenUntil_ = 0; }

 private:
  void run() {
    std::vector<char> buffer(64 * 1024);
    while (!stopping_) {
      if (frozen()) {
        std::this_thread::sleep_for(5ms);
        continue;
      }
      std::vector<pollfd> fds{{listener_, POLLIN, 0}};
      for (const auto& [client, server] : pairs_) {
        fds.push_back({client, POLLIN, 0});
        fds.push_back({server, POLLIN, 0});
      }
      if (::poll(fds.data(), fds.size(), 20) <= 0) continue;
      if (frozen()) continue;  // frozen while polling: nothing moves from now on
      std::vector<std::pair<int, int>> kept;
      for (std::size_t i = 0; i < pairs_.size(); ++i) {
        auto [client, server] = pairs_[i];
        const bool open = forward(fds[1 + 2 * i], server, buffer) && forward(fds[2 + 2 * i], client, buffer);
        if (open) {
          kept.emplace_back(client, server);
        } else {
          ::close(client);
          ::close(server);
        }
      }
      pairs_ = std::move(kept);
      if ((fds[0].revents & POLLIN) != 0) accept();  // after: fds has no entries for a new pair
    }
  }

  [[nodiscard]] bool frozen() const {
    return std::chrono::steady_clock::now().time_since_epoch().count() < frozenUntil_.load();
  }

  void accept() {
    const int client = ::accept(listener_, nullptr, nullptr);
    if (client < 0) return;
    const int server = ::socket(family_, SOCK_STREAM, 0);
    if (server < 0 || ::connect(server, reinterpret_cast<const sockaddr*>(target_.data()),
                                static_cast<socklen_t>(target_.size())) != 0) {
      ::close(client);
      if (server >= 0) ::close(server);
      return;
    }
    pairs_.emplace_back(client, server);
  }

  // Copies what `from` has to `to`; false when the pair is done (end of file or error).
  static bool forward(const pollfd& from, int to, std::vector<char>& buffer) {
    if ((from.revents & (POLLIN | POLLHUP | POLLERR)) == 0) return true;
    const ssize_t got = ::recv(from.fd, buffer.data(), buffer.size(), 0);
    if (got <= 0) return false;
    for (ssize_t sent = 0; sent < got;) {
      const ssize_t n = ::send(to, buffer.data() + sent, static_cast<std::size_t>(got - sent), MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += n;
    }
    return true;
  }

  std::string target_;  // a sockaddr
  int family_ = AF_INET;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<std::chrono::steady_clock::rep> frozenUntil_{0};
  std::atomic<bool> stopping_{false};
  std::vector<std::pair<int, int>> pairs_;  // (client, server); the proxy thread's only
  std::thread thread_;
};

// The schema's URL with the proxy in the server's place.
std::string throughProxy(const PgSchema& schema, std::unique_ptr<FreezableProxy>& proxy) {
  kms::store::postgres::ConnectionString url(schema.url());
  proxy = std::make_unique<FreezableProxy>(url.get("host").value_or("127.0.0.1"), url.get("port").value_or("5432"));
  url.set("host", "127.0.0.1");
  if (url.get("hostaddr")) url.set("hostaddr", "127.0.0.1");
  url.set("port", std::to_string(proxy->port()));
  return url.str();
}

struct Warnings {
  std::mutex mutex;
  std::vector<std::string> messages;
  PostgresStore::Warning sink() {
    return [this](const std::string& message) {
      std::lock_guard lock(mutex);
      messages.push_back(message);
    };
  }
  bool any(const std::string& text) {
    std::lock_guard lock(mutex);
    for (const auto& m : messages) {
      if (m.find(text) != std::string::npos) return true;
    }
    return false;
  }
};

// Runs `call`, which must fail with Unavailable; returns the message, and how long it took.
template <typename Call>
std::pair<std::string, std::chrono::steady_clock::duration> unavailable(Call call) {
  const auto start = std::chrono::steady_clock::now();
  try {
    call();
  } catch (const Exception& e) {
    CHECK(e.code() == ErrorCode::Unavailable);
    return {e.what(), std::chrono::steady_clock::now() - start};
  }
  FAIL("expected Unavailable");
  return {};
}

// What a client must not learn from a message: where the server is and who kmsd is there.
void checkGeneric(const std::string& message, const PgSchema& schema, int proxyPort) {
  kms::store::postgres::ConnectionString url(schema.url());
  CHECK(message.find("127.0.0.1") == std::string::npos);
  CHECK(message.find(std::to_string(proxyPort)) == std::string::npos);
  CHECK(message.find("user") == std::string::npos);
  CHECK(message.find("keepalives") == std::string::npos);
  if (const auto user = url.get("user")) CHECK(message.find("=" + *user) == std::string::npos);
  if (const auto password = url.get("password")) CHECK(message.find(*password) == std::string::npos);
}

}  // namespace

// A store with one pooled session and a listening one, both through a proxy; statement
// timeout 500 ms, so the watchdog's limit is 1500 ms. (Test cases rather than subcases: doctest
// reruns a test case for subcases it has not seen, forever when the setup keeps failing.)
struct Frozen {
  Frozen() {
    PostgresOptions options = schema.options(1, 500ms);
    options.url = throughProxy(schema, proxy);
    options.connectTimeout = 2s;
    store = std::make_unique<PostgresStore>(options, warnings.sink());
    store->insert({makeObject("before")});
    store->subscribe([](const std::string&, std::int64_t) {});
  }
  PgSchema schema;
  std::unique_ptr<FreezableProxy> proxy;
  Warnings warnings;
  std::unique_ptr<PostgresStore> store;  // last: closed before the proxy
};

TEST_CASE("a server that stops answering: a read fails after the statement timeout + 1 s, then recovers") {
  Frozen f;
  f.proxy->freeze();
  const auto [message, elapsed] = unavailable([&] { (void)f.store->get("before"); });
  CHECK(message == "database unavailable: did not answer within 1500 ms");
  checkGeneric(message, f.schema, f.proxy->port());
  CHECK(elapsed >= 1400ms);
  CHECK(elapsed < 3s);  // no second attempt, on this session or a new one
  CHECK(f.store->reconnects() == 1);
  CHECK(f.warnings.any("did not answer within 1500 ms"));
  f.proxy->thaw();
  CHECK(f.store->get("before"));  // on a new session: the closed one was not pooled again
}

TEST_CASE("a server that stops answering before a write's COMMIT: not applied, and said so") {
  Frozen f;
  f.proxy->freeze();
  const auto [message, elapsed] = unavailable([&] { f.store->insert({makeObject("frozen")}); });
  CHECK(message == "database unavailable: did not answer within 1500 ms");
  CHECK(elapsed < 3s);
  f.proxy->thaw();
  CHECK_FALSE(f.store->get("frozen"));
  f.store->insert({makeObject("frozen")});
  CHECK(f.store->get("frozen")->version == 1);
}

TEST_CASE("a server that stops answering a write's COMMIT: maybe applied, and said so") {
  Frozen f;
  f.store->setFaultHook([&](const char* where, int) {
    if (std::string(where) == "before-commit") f.proxy->freeze();
  });
  const auto [message, elapsed] = unavailable([&] { f.store->insert({makeObject("in-doubt")}); });
  CHECK(message == "database unavailable: did not answer within 1500 ms; the change may have been applied");
  CHECK(elapsed < 3s);
  CHECK(f.warnings.any("the outcome of its COMMIT is unknown"));
  f.store->setFaultHook({});
  f.proxy->thaw();
  // Thawed, the proxy forwards the COMMIT, as a server that runs again would read it: the
  // object may well be there, once.
  CHECK(f.store->get("before"));
  PgRaw raw(f.schema.url());
  CHECK(raw.scalar("SELECT COUNT(*) FROM objects WHERE uid = 'in-doubt'") <= 1);
}

TEST_CASE("closing a store does not wait for a server that stopped answering") {
  PgSchema schema;
  std::unique_ptr<FreezableProxy> proxy;
  PostgresOptions options = schema.options(2, 500ms);
  options.url = throughProxy(schema, proxy);
  auto store = std::make_unique<PostgresStore>(options);
  store->insert({makeObject("x")});
  store->subscribe([](const std::string&, std::int64_t) {});
  proxy->freeze();
  const auto start = std::chrono::steady_clock::now();
  store.reset();  // pooled sessions and the listening one: nothing waits for an answer
  CHECK(std::chrono::steady_clock::now() - start < 2s);
}

TEST_CASE("once open, the store tells clients that the database is unavailable, and the log where") {
  PgSchema schema;
  std::unique_ptr<FreezableProxy> proxy;
  PostgresOptions options = schema.options(1, 500ms);
  options.url = throughProxy(schema, proxy);
  Warnings warnings;
  PostgresStore store(options, warnings.sink());
  store.insert({makeObject("x")});
  const int port = proxy->port();
  proxy.reset();  // every connection closed, and nothing listens there any more
  const auto [message, elapsed] = unavailable([&] { (void)store.get("x"); });
  CHECK(message == "database unavailable: cannot connect");
  checkGeneric(message, schema, port);
  CHECK(elapsed < 3s);
  // The lost session, then the failed connection, with the details for the operator.
  CHECK(warnings.any("lost a PostgreSQL connection"));
  CHECK(warnings.any("cannot connect to PostgreSQL (user="));
  CHECK(warnings.any("host='127.0.0.1'"));
  CHECK(warnings.any(std::to_string(port)));
  const auto [ping, unused] = unavailable([&] { store.ping(); });
  CHECK(ping == "database unavailable: cannot connect");
}
