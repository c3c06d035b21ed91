#include "kms/store/postgres/ChangeListener.hpp"

#include <algorithm>
#include <exception>
#include <memory>

#include <pqxx/except>
#include <pqxx/notification>

#include "kms/store/postgres/Connection.hpp"

namespace kms::store::postgres {

// A listening session: its connection and the pqxx receiver that LISTENs on it.
class ChangeListener::Session {
 public:
  Session(const std::string& conninfo, std::chrono::milliseconds statementTimeout, Watchdog& watchdog,
          ChangeListener& owner)
      : connection_(conninfo, statementTimeout, watchdog) {
    // LISTEN is a round trip like any other: a server that stops answering must not hold the
    // listener (nor kmsd's shutdown, which joins it).
    try {
      const Watchdog::Armed armed(connection_.watch());
      receiver_ = std::make_unique<Receiver>(connection_.raw(), owner);
      // libpqxx swallows a connection lost during LISTEN (it would replay LISTEN on
      // reconnecting, which our sessions never do): not listening must not pass for listening.
      if (!connection_.isOpen()) {
        throw pqxx::broken_connection(connection_.timedOut() ? "PostgreSQL did not answer LISTEN in time"
                                                             : "the connection was lost during LISTEN");
      }
      connection_.raw().get_notifs();
    } catch (...) {
      connection_.raw().disconnect();  // as in ~Session, which does not run here
      throw;
    }
  }
  ~Session() {
    // Closed first, so that the receiver does not send UNLISTEN on its way out: a round trip
    // that a closing session does not need, and that a stopped server would never answer.
    connection_.raw().disconnect();
  }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  Connection& connection() noexcept { return connection_; }

 private:
  class Receiver final : public pqxx::notification_receiver {
   public:
    Receiver(pqxx::connection& c, ChangeListener& owner) : notification_receiver(c, kChannel), owner_(owner) {}
    void operator()(const std::string& payload, int /*backend_pid*/) override { owner_.deliver(payload); }

   private:
    ChangeListener& owner_;
  };

  Connection connection_;
  std::unique_ptr<Receiver> receiver_;  // destroyed before connection_
};

ChangeListener::ChangeListener(std::string conninfo, std::chrono::milliseconds statementTimeout, Watchdog& watchdog,
                               ErrorSink errors)
    : conninfo_(std::move(conninfo)),
      statementTimeout_(statementTimeout),
      watchdog_(watchdog),
      errors_(std::move(errors)) {
  auto first = std::make_unique<Session>(conninfo_, statementTimeout_, watchdog_, *this);
  backendPid_ = first->connection().backendPid();
  thread_ = std::thread([this, session = std::move(first)]() mutable { run(std::move(session)); });
}

ChangeListener::~ChangeListener() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void ChangeListener::add(Callback callback) {
  std::lock_guard lock(mutex_);
  callbacks_.push_back(std::move(callback));
}

std::string ChangeListener::payload(const std::string& uid, std::int64_t version) {
  return std::to_string(version) + ':' + uid;
}

void ChangeListener::deliver(const std::string& payload) {
  // "<version>:<uid>"; anything else (kWildcard) is a uid of unknown version.
  std::string uid = payload;
  std::int64_t version = 0;
  const auto colon = payload.find(':');
  if (colon != std::string::npos && colon > 0 && colon <= 18 && payload.find_first_not_of("0123456789") == colon) {
    version = std::stoll(payload.substr(0, colon));
    uid = payload.substr(colon + 1);
  }
  std::vector<Callback> callbacks;
  {
    std::lock_guard lock(mutex_);
    callbacks = callbacks_;
  }
  for (const auto& callback : callbacks) {
    try {
      callback(uid, version);
    } catch (const std::exception& e) {
      if (errors_) errors_(std::string("a change callback failed: ") + e.what());
    } catch (...) {
      if (errors_) errors_("a change callback failed");
    }
  }
}

bool ChangeListener::pause(std::chrono::milliseconds delay) {
  std::unique_lock lock(mutex_);
  return !wake_.wait_for(lock, delay, [&] { return stopping_; });
}

void ChangeListener::run(std::unique_ptr<Session> session) {
  // Short waits on the socket, so that the destructor never waits long for the thread.
  constexpr long kPollMicros = 100'000;
  std::chrono::milliseconds backoff{0};
  bool lost = false;
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    try {
      if (!session) {
        session = std::make_unique<Session>(conninfo_, statementTimeout_, watchdog_, *this);
        backendPid_ = session->connection().backendPid();
        backoff = std::chrono::milliseconds{0};
        // Listening again: whatever was notified during the gap is lost, so everything is.
        if (lost) deliver(kWildcard);
        lost = false;
      }
      // A timed wait, and no round trip: a server that stops answering only means that no
      // notification comes (none can be sent while it is stopped). A session that breaks
      // fails here, since our sessions never reconnect by themselves.
      session->connection().raw().await_notification(0, kPollMicros);
    } catch (const std::exception& e) {
      // The message comes from libpq, which does not quote passwords.
      if (errors_) errors_(std::string("the change listener's database session was lost: ") + e.what());
      session.reset();
      backendPid_ = 0;
      lost = true;
      if (!pause(backoff)) return;
      // Retry at once after a first loss (a restarted backend is usually back immediately),
      // then back off up to 2 s so that a down server is not hammered.
      backoff = std::clamp(backoff * 2, std::chrono::milliseconds{100}, std::chrono::milliseconds{2000});
    }
  }
}

}  // namespace kms::store::postgres
