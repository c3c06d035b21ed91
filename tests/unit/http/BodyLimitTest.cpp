#include <doctest/doctest.h>

#include <string>

#include "KmipJson.hpp"
#include "TestServer.hpp"

using kms::http::test::Client;
using kms::http::test::loopbackConfig;
using kms::http::test::TestServer;

TEST_CASE("a declared Content-Length above the limit is 413 before the body is read") {
  TestServer server(loopbackConfig(1024));
  Client client(server.port());
  const auto reply = client.post("/kmip/2_1", std::string(4096, ' '));
  CHECK(reply.status == 413);
  CHECK(reply.body == "payload_too_large: request body of 4096 bytes exceeds the limit of 1024 bytes");
  // A body this small is skipped by the connection, which then serves the next request.
  CHECK(reply.keepAlive);
  CHECK(client.get("/version").status == 200);
}

TEST_CASE("a refused body too large to skip closes the connection, and the answer still arrives") {
  TestServer server(loopbackConfig(1024));
  Client client(server.port());
  const auto reply = client.post("/kmip/2_1", std::string(1 << 20, ' '));
  CHECK(reply.status == 413);
  CHECK_FALSE(reply.keepAlive);
}

TEST_CASE("a chunked body is cut at the limit") {
  TestServer server(loopbackConfig(1024));
  Client client(server.port());
  const auto reply = client.send("POST", "/kmip/2_1", std::string(4096, ' '), "application/json", true);
  CHECK(reply.status == 413);
  CHECK(reply.body == "payload_too_large: request body exceeds the limit of 1024 bytes");
  CHECK_FALSE(reply.keepAlive);
}

TEST_CASE("a body of exactly the limit is read (and then decoded)") {
  TestServer server(loopbackConfig(1024));
  Client client(server.port());
  // A valid message padded with spaces to the limit: it is decoded and processed.
  std::string body = kms::http::test::requestMessage("Get", kms::http::test::getPayload("x"));
  REQUIRE(body.size() <= 1024);
  body.resize(1024, ' ');
  CHECK(client.post("/kmip/2_1", body).status == 200);
  CHECK(client.send("POST", "/kmip/2_1", body, "application/json", true).status == 200);
  body.push_back(' ');
  CHECK(client.post("/kmip/2_1", body).status == 413);
}
