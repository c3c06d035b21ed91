#pragma once
// One PostgreSQL session of the pool: a pqxx connection with the session settings kmsd needs
// and the statements it has prepared; and the watchdog that bounds its round trips on the
// client side.
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <pqxx/connection>

namespace kms::store::postgres {

// Bounds how long a session waits for the server, whatever the server does.
//
// The session's statement_timeout is enforced by the server, and libpq then waits for an answer
// without a time limit: a server that stops answering but keeps its TCP connections open (a
// paused VM, SIGSTOP, a partition behind a middlebox that still acknowledges) would hold a
// caller as long as it lasts. Keepalives and tcp_user_timeout do not help while the peer's
// kernel still acknowledges. So one thread per store watches the sessions that wait for an
// answer: a session armed for longer than `limit` gets its socket shut down, which makes the
// blocked libpq call fail at once with a broken connection, and the session is marked timed
// out so that it is never used again.
class Watchdog {
 public:
  explicit Watchdog(std::chrono::milliseconds limit);
  ~Watchdog();
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  [[nodiscard]] std::chrono::milliseconds limit() const noexcept { return limit_; }

  // One watched socket, registered for its whole life. It holds its own duplicate of the
  // socket: libpq closes its descriptor when it sees the connection fail, and the number may
  // then be reused at once by any other socket of the process (a client's, another session's);
  // the duplicate keeps the number ours, so a late shutdown can only reach this connection.
  class Watch {
   public:
    // Throws std::system_error when the socket cannot be duplicated.
    Watch(Watchdog& watchdog, int socket);
    ~Watch();
    Watch(const Watch&) = delete;
    Watch& operator=(const Watch&) = delete;

    // The server must answer within the limit from now on (again).
    void arm();
    // When armed: the server must answer within the limit from now on. Disarmed: nothing.
    void renew();
    // No deadline until the next arm().
    void disarm();
    // Whether the watchdog shut the socket down: the session is unusable from then on.
    [[nodiscard]] bool timedOut() const;

   private:
    friend class Watchdog;
    Watchdog& watchdog_;
    int socket_;                                      // our duplicate
    std::chrono::steady_clock::time_point deadline_;  // max(): disarmed; guarded by watchdog_.mutex_
    bool timedOut_ = false;                           // guarded by watchdog_.mutex_
  };

  // Arms `watch` for its scope (renew() pushes the deadline back within it), disarms at the end.
  class Armed {
   public:
    explicit Armed(Watch& watch) : watch_(watch) { watch_.arm(); }
    ~Armed() { watch_.disarm(); }
    Armed(const Armed&) = delete;
    Armed& operator=(const Armed&) = delete;

   private:
    Watch& watch_;
  };

 private:
  void run();

  const std::chrono::milliseconds limit_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<Watch*> watches_;                      // guarded by mutex_
  std::chrono::steady_clock::time_point nextCheck_;  // when run() looks next; guarded by mutex_
  bool stopping_ = false;                            // guarded by mutex_
  std::thread thread_;
};

class Connection {
 public:
  // Connects with `conninfo` (keyword/value form, holds the password) and sets the session's
  // statement_timeout. The setup round trips are bounded by `watchdog`, and so are later ones
  // inside arm()...disarm() (Watchdog::Armed). Throws pqxx::broken_connection (and other pqxx
  // failures) as they come: the store turns them into kms::Exception with the password
  // scrubbed.
  Connection(const std::string& conninfo, std::chrono::milliseconds statementTimeout, Watchdog& watchdog);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  [[nodiscard]] pqxx::connection& raw() noexcept { return connection_; }
  [[nodiscard]] int backendPid() const noexcept { return connection_.backendpid(); }
  // False once the connection broke or the watchdog shut it down: the pool then closes it
  // instead of handing it out again.
  [[nodiscard]] bool isOpen() const { return connection_.is_open() && !watch_->timedOut(); }
  [[nodiscard]] bool timedOut() const { return watch_->timedOut(); }
  [[nodiscard]] Watchdog::Watch& watch() noexcept { return *watch_; }

  // The name of a prepared statement for `sql` on this session, prepared on first use. Locate
  // builds its text per query shape, so statements are prepared as they are first seen rather
  // than from a fixed list. Callers ask for the name just before executing it: an armed
  // deadline is renewed here, so that it bounds each statement rather than a whole
  // transaction (a large batch may legitimately take longer than one statement may).
  const std::string& statement(const std::string& sql);

 private:
  pqxx::connection connection_;
  std::unique_ptr<Watchdog::Watch> watch_;                   // after connection_: made from its socket
  std::unordered_map<std::string, std::string> statements_;  // sql -> name
};

}  // namespace kms::store::postgres
