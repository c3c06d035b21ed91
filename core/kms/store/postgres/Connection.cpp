#include "kms/store/postgres/Connection.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

#include <fmt/format.h>
#include <pqxx/except>

namespace kms::store::postgres {

namespace {

constexpr auto kNever = std::chrono::steady_clock::time_point::max();

}  // namespace

Watchdog::Watchdog(std::chrono::milliseconds limit)
    : limit_(limit), nextCheck_(std::chrono::steady_clock::now() + limit) {
  thread_ = std::thread([this] { run(); });
}

Watchdog::~Watchdog() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void Watchdog::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    const auto now = std::chrono::steady_clock::now();
    // With nothing due sooner, look again one limit from now: a deadline armed meanwhile is at
    // least that far away, so arming never has to wake this thread (no wake-up per statement).
    auto next = now + limit_;
    for (Watch* watch : watches_) {
      if (watch->deadline_ <= now) {
        // The blocked poll()/recv() in libpq sees end of file at once and reports a broken
        // connection; the server sees the connection close once it runs again, and rolls back
        // whatever transaction was open.
        ::shutdown(watch->socket_, SHUT_RDWR);
        watch->timedOut_ = true;
        watch->deadline_ = kNever;
      } else {
        next = std::min(next, watch->deadline_);
      }
    }
    nextCheck_ = next;
    wake_.wait_until(lock, next);
  }
}

Watchdog::Watch::Watch(Watchdog& watchdog, int socket)
    : watchdog_(watchdog), socket_(::fcntl(socket, F_DUPFD_CLOEXEC, 0)), deadline_(kNever) {
  if (socket_ < 0) throw std::system_error(errno, std::generic_category(), "cannot duplicate the PostgreSQL socket");
  std::lock_guard lock(watchdog_.mutex_);
  watchdog_.watches_.push_back(this);
}

Watchdog::Watch::~Watch() {
  {
    // Once out of the list, the watchdog never touches this socket again.
    std::lock_guard lock(watchdog_.mutex_);
    std::erase(watchdog_.watches_, this);
  }
  ::close(socket_);
}

void Watchdog::Watch::arm() {
  bool wake = false;
  {
    std::lock_guard lock(watchdog_.mutex_);
    if (timedOut_) return;
    deadline_ = std::chrono::steady_clock::now() + watchdog_.limit_;
    wake = deadline_ < watchdog_.nextCheck_;
  }
  if (wake) watchdog_.wake_.notify_one();
}

void Watchdog::Watch::renew() {
  std::lock_guard lock(watchdog_.mutex_);
  // A later deadline never needs an earlier check: the watchdog finds it when it looks.
  if (deadline_ != kNever) deadline_ = std::chrono::steady_clock::now() + watchdog_.limit_;
}

void Watchdog::Watch::disarm() {
  std::lock_guard lock(watchdog_.mutex_);
  deadline_ = kNever;
}

bool Watchdog::Watch::timedOut() const {
  std::lock_guard lock(watchdog_.mutex_);
  return timedOut_;
}

Connection::Connection(const std::string& conninfo, std::chrono::milliseconds statementTimeout, Watchdog& watchdog)
    : connection_(conninfo), watch_(std::make_unique<Watchdog::Watch>(watchdog, connection_.sock())) {
  // libpqxx 6 may re-establish a broken session by itself (on a new socket, for a BEGIN on a
  // dropped one). The watchdog holds this session's socket, so a session must keep it for life:
  // a broken session fails instead, and the store replaces it (its retry rules decide).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  connection_.inhibit_reactivation(true);
#pragma GCC diagnostic pop
  try {
    // The server may stop answering right after the handshake (connect_timeout covers only
    // that): the setup round trips are bounded like any other.
    const Watchdog::Armed armed(*watch_);
    // The timeout bounds lock waits too; set_variable rather than a plain SET so that libpqxx
    // knows the session's settings.
    connection_.set_variable("statement_timeout", std::to_string(statementTimeout.count()));
    // libpqxx prints server notices to stderr; "relation already exists, skipping" at every
    // start is noise in kmsd's output. Warnings and errors still come through.
    connection_.set_variable("client_min_messages", "warning");
  } catch (const pqxx::broken_connection&) {
    if (watch_->timedOut()) {
      throw pqxx::broken_connection(
          fmt::format("PostgreSQL did not answer within {} ms after connecting", watchdog.limit().count()));
    }
    throw;
  }
}

const std::string& Connection::statement(const std::string& sql) {
  watch_->renew();
  auto found = statements_.find(sql);
  if (found != statements_.end()) return found->second;
  std::string name = "kms_" + std::to_string(statements_.size());
  // libpqxx prepares on the server at first execution.
  connection_.prepare(name, sql);
  return statements_.emplace(sql, std::move(name)).first->second;
}

}  // namespace kms::store::postgres
