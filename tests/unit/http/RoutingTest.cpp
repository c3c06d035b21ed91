#include <doctest/doctest.h>

#include "TestServer.hpp"
#include "kms/config/Version.hpp"

using kms::http::test::Client;
using kms::http::test::TestServer;

TEST_CASE("GET /version answers the version as a JSON string") {
  TestServer server;
  Client client(server.port());
  const auto reply = client.get("/version");
  CHECK(reply.status == 200);
  CHECK(reply.contentType == "application/json");
  CHECK(reply.body == "\"" + std::string(kms::config::kVersion) + "\"");
}

TEST_CASE("GET /health answers ok while the store answers") {
  TestServer server;
  Client client(server.port());
  const auto reply = client.get("/health");
  CHECK(reply.status == 200);
  CHECK(reply.contentType == "application/json");
  CHECK(reply.body == R"({"status":"ok"})");
}

TEST_CASE("unknown paths are 404, wrong methods 405 with Allow") {
  TestServer server;
  Client client(server.port());

  const auto missing = client.get("/nope");
  CHECK(missing.status == 404);
  CHECK(missing.reason == "Not Found");
  CHECK(missing.contentType == "text/plain; charset=utf-8");
  CHECK(missing.body == "no such endpoint");

  const auto getKmip = client.get("/kmip/2_1");
  CHECK(getKmip.status == 405);
  CHECK(getKmip.allow == "POST");
  CHECK(getKmip.body == "method GET is not allowed on /kmip/2_1 (use POST)");

  const auto postVersion = client.post("/version", "{}");
  CHECK(postVersion.status == 405);
  CHECK(postVersion.allow == "GET");
  // The unread body is skipped, not parsed as the next request: the connection goes on.
  CHECK(postVersion.keepAlive);
  CHECK(client.get("/version").status == 200);

  Client other(server.port());
  CHECK(other.send("DELETE", "/health").status == 405);
  CHECK(other.get("/kmip/2_1/extra").status == 404);
  CHECK(other.get("/version?x=1").status == 200);  // the query is not part of the route
}

TEST_CASE("requests without a body keep the connection alive") {
  TestServer server;
  Client client(server.port());
  for (int i = 0; i < 5; ++i) {
    const auto reply = client.get(i % 2 == 0 ? "/version" : "/nope");
    CHECK(reply.keepAlive);
  }
  CHECK(client.get("/health").status == 200);
}
