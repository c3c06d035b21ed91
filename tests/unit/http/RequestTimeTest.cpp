// A request's head and body must arrive within the request timeout in all, whatever the pace of
// their bytes; the keep-alive idle limit between requests is another matter; and a body the
// handler did not read is never waited for.
#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <thread>

#include "RawClient.hpp"
#include "TestServer.hpp"

using kms::http::test::Answer;
using kms::http::test::RawClient;
using kms::http::test::TestServer;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kTimeout = std::chrono::milliseconds(600);

kms::config::HttpConfig shortTimeout() {
  auto config = kms::http::test::loopbackConfig();
  config.requestTimeout = kTimeout;
  return config;
}

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

const std::string kHead = "POST /kmip/2_1 HTTP/1.1\r\nHost: kms\r\nContent-Type: application/json\r\n";

}  // namespace

TEST_CASE("a head sent a byte at a time is answered 408 once the request timeout has passed") {
  TestServer server(shortTimeout());
  RawClient client(server.port());
  const auto start = Clock::now();
  // The whole head takes ~9 s at this pace: a deadline restarted by every byte would let it
  // all arrive. The bounds below are that far apart because the suite runs on loaded machines.
  const std::string head = kHead + "X-Slow: " + std::string(100, 'a');
  std::size_t sent = 0;
  try {
    for (; sent < head.size() && secondsSince(start) < 6; ++sent) {
      client.write(head.substr(sent, 1));
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  } catch (const Poco::Exception&) {
    // the server closed its side: what it answered is still to be read
  }
  CHECK(sent < head.size());
  CHECK(client.read().status == 408);
  CHECK(client.closedByServer());
  CHECK(secondsSince(start) < 5.0);
}

TEST_CASE("a body that stops coming is cut at the deadline, not after the socket's timeout") {
  TestServer server(shortTimeout());
  RawClient client(server.port());
  const auto start = Clock::now();
  client.write(kHead + "Content-Length: 100\r\n\r\n{\"tag\":");
  const Answer answer = client.read();
  const double elapsed = secondsSince(start);
  CHECK(answer.status == 400);
  CHECK(answer.body.find("request timeout") != std::string::npos);
  CHECK(client.closedByServer());
  CHECK(elapsed >= 0.5);
  CHECK(elapsed < 5.0);  // the socket's own timeout is 30 s; the watchdog looks five times a second
}

TEST_CASE("the keep-alive idle time between requests is not the request timeout") {
  TestServer server(shortTimeout());
  RawClient client(server.port());
  const std::string version = "GET /version HTTP/1.1\r\nHost: kms\r\n\r\n";
  client.write(version);
  CHECK(client.read().status == 200);
  std::this_thread::sleep_for(kTimeout * 2);
  client.write(version);
  CHECK(client.read().status == 200);
}

TEST_CASE("a body the handler did not read and that has not arrived is not waited for") {
  auto config = kms::http::test::loopbackConfig();
  config.requestTimeout = std::chrono::seconds(5);
  TestServer server(config);
  RawClient client(server.port());
  const auto start = Clock::now();
  client.write("POST /no/such/route HTTP/1.1\r\nHost: kms\r\nContent-Length: 1000\r\n\r\n0123456789");
  CHECK(client.read().status == 404);
  CHECK(client.closedByServer());
  CHECK(secondsSince(start) < 2.5);  // the 5 s deadline was not waited for
}
