#pragma once
// What a server's ConnectionRegistry and ConnectionWatchdog need of a connection, whatever it
// speaks (HTTP or binary KMIP): a thread blocked in a read wakes only when its socket is shut
// down, so these calls are how a stopping server, a thread wanted by a queued connection or a
// read past its deadline reach it. Each is called under the registry's lock, while the
// connection is registered: none of them acts on a closed descriptor.
#include <chrono>
#include <cstdint>
#include <optional>

namespace kms::net {

class ServedConnection {
 public:
  ServedConnection() = default;
  ServedConnection(const ServedConnection&) = delete;
  ServedConnection& operator=(const ServedConnection&) = delete;
  ServedConnection(ServedConnection&&) = delete;
  ServedConnection& operator=(ServedConnection&&) = delete;

  // The server stops: an idle connection closes now, a busy one after its answer.
  virtual void stop() = 0;
  // Since when it has waited for its next request; nullopt while it reads or answers one.
  [[nodiscard]] virtual std::optional<std::chrono::steady_clock::time_point> idleSince() = 0;
  // Closes it when it is still idle (its thread then serves a queued connection); true if so.
  virtual bool reclaimIfIdle() = 0;
  // `now` (steady_clock ticks): ends a read (handshake, head, body, message) past its deadline.
  virtual void expireRead(std::int64_t now) = 0;

 protected:
  ~ServedConnection() = default;
};

}  // namespace kms::net
