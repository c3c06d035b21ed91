// The token's sessions vanish under load (C_CloseAllSessions through a second handle of the
// library, which also logs the token out): the calls that follow must recover - new sessions,
// new login - without a restart, while 4 threads keep encrypting.
//
// The sessions are closed at an instant when no call is inside SoftHSM2: SoftHSM2 2.6 frees a
// session in C_CloseAllSessions while another thread may still use it inside C_EncryptInit
// (a use-after-free in SoftHSM2 itself, seen as a crash there). Every pooled session the engine
// holds is still invalid on its next use, which is what this test is about.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <atomic>
#include <mutex>
#include <shared_mutex>
#include <chrono>
#include <thread>
#include <unistd.h>

#include "SessionKiller.hpp"
#include "SoftHsmTokens.hpp"
#include "kms/Exception.hpp"
#include "kms/hsm/HsmRegistry.hpp"

using namespace kms::hsm;
using namespace kms::hsm::test;
using namespace std::chrono_literals;

TEST_CASE("sessions closed behind the engine's back while 4 threads encrypt: calls recover") {
  const auto& tokens = softHsm();
  const auto dir = pluginDir("softhsm2");
  if (dir.empty()) return;
  const auto& token = tokens.tokens.at(0);
  InstanceConfig config;
  config.model = "softhsm2";
  config.library = tokens.library;
  config.slots = {SlotConfig::fromPassword(token.slot, token.pin)};
  config.threads = 4;
  HsmRegistry registry{DriverLoader(dir)};
  auto& hsm = registry.add(config);
  const std::string label = fmt::format("recovery-{}", ::getpid());
  hsm.generateAes(token.slot, label, 256, kms::hsm::KeyProtection{.sensitive = true});
  CryptParams gcm;
  gcm.mechanism = kms::hsm::Mechanism::AesGcm;
  gcm.iv.assign(12, 9);
  const kms::SecureBytes plain(64, 0x5c);

  std::atomic<bool> stop{false};
  std::atomic<int> done{0};
  std::atomic<int> failed{0};
  std::string firstFailure;
  std::mutex failureMutex;
  std::shared_mutex library;  // shared: a worker's call; exclusive: the session killer
  std::mutex turnstile;       // held by the killer while it waits: readers must not starve it
  std::vector<std::thread> workers;
  for (int t = 0; t < 4; ++t) {
    workers.emplace_back([&] {
      while (!stop.load()) {
        { const std::lock_guard pass(turnstile); }
        const std::shared_lock inside(library);
        try {
          const auto sealed = hsm.encrypt(KeyRef{token.slot, label, {}}, gcm, plain);
          const auto opened = hsm.decrypt(KeyRef{token.slot, label, {}}, gcm, sealed);
          if (kms::SecureBytes(opened.begin(), opened.end()) != plain) throw std::runtime_error("mismatch");
          ++done;
        } catch (const std::exception& e) {
          ++failed;
          const std::lock_guard lock(failureMutex);
          if (firstFailure.empty()) firstFailure = e.what();
        }
      }
    });
  }
  int closed = 0;
  for (int i = 0; i < 10; ++i) {
    std::this_thread::sleep_for(30ms);
    const std::lock_guard first(turnstile);
    const std::unique_lock alone(library);
    if (closeAllSessions(tokens.library, token.slot) == 0) ++closed;
  }
  std::this_thread::sleep_for(50ms);
  stop = true;
  for (auto& worker : workers) worker.join();

  CHECK(closed == 10);
  CHECK(done.load() > 0);
  INFO("first failure: " << firstFailure);
  CHECK(failed.load() == 0);
  // And afterwards, as if nothing happened.
  CHECK(hsm.encrypt(KeyRef{token.slot, label, {}}, gcm, plain).size() == plain.size() + 16);
  CHECK(hsm.slotStatus(token.slot).accessible);
  hsm.destroy(KeyRef{token.slot, label, {}});
}
