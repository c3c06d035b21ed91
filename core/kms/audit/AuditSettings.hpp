#pragma once
// How the audit log is written; main.cpp fills it from config::AuditConfig.
#include <chrono>
#include <cstddef>
#include <string>

#include "kms/SecureBytes.hpp"

namespace kms::audit {

enum class FlushPolicy {
  // Every line is written and fdatasync'ed before the request that caused it is answered. The
  // writer syncs once for all the lines that queued meanwhile (group commit): under load, one
  // fdatasync covers many requests.
  Event,
  // Lines are written as they come and synced every `flushInterval`: a request never waits for
  // the disk, and a crash loses at most the last interval's lines (the chain stays verifiable).
  Interval,
};

struct AuditSettings {
  std::string path;  // the active file; rotated files are path.000001, path.000002, ...
  // HMAC-SHA-256 key (32 bytes); empty: lines carry no mac (a whole rewrite goes undetected).
  SecureBytes hmacKey;
  FlushPolicy flush = FlushPolicy::Event;
  std::chrono::milliseconds flushInterval{1000};
  // The active file is rotated before a line would take it beyond this size; 0: never.
  std::size_t rotateSize = std::size_t{100} << 20;
  // Each line is also sent to syslog (LOG_AUTHPRIV, read by journald on systemd machines), a
  // copy outside the machine's file that an intruder cannot rewrite afterwards.
  bool syslog = false;
  // Events waiting for the writer at most; a request finding it full waits (events are never
  // dropped: an audit log that loses lines under load records nothing reliably).
  std::size_t queueCapacity = 65536;
};

}  // namespace kms::audit
