// HTTP/1.1 as kmsd's connections speak it (HttpConnection), over a raw socket so that the test
// controls every byte: pipelining, unread bodies, malformed requests, 100-continue, HTTP/1.0
// and HEAD, each followed by what the connection must still (or no longer) do.
#include <doctest/doctest.h>

#include <string>

#include "KmipJson.hpp"
#include "RawClient.hpp"
#include "TestServer.hpp"

using kms::http::test::TestServer;

using kms::http::test::Answer;
using kms::http::test::RawClient;

namespace {

const std::string kGetVersion = "GET /version HTTP/1.1\r\nHost: kms\r\n\r\n";

std::string post(const std::string& path, const std::string& body, const std::string& extra = "") {
  return "POST " + path +
         " HTTP/1.1\r\nHost: kms\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\n" + extra + "\r\n" + body;
}

}  // namespace

TEST_CASE("pipelined requests sent in one write are answered in order") {
  TestServer server;
  RawClient client(server.port());
  const std::string kmip = kms::http::test::requestMessage("Get", kms::http::test::getPayload("missing"));
  client.write(kGetVersion + post("/kmip/2_1", kmip) + kGetVersion);
  const Answer first = client.read();
  CHECK(first.status == 200);
  CHECK(first.header.getKeepAlive());
  const Answer second = client.read();
  CHECK(second.status == 200);
  CHECK(second.body.find("ItemNotFound") != std::string::npos);
  CHECK(client.read().body == first.body);
}

TEST_CASE("a body the handler never read is skipped: the next request on the connection is served") {
  TestServer server;
  RawClient client(server.port());
  client.write(post("/no/such/route", std::string(10000, 'x')));
  CHECK(client.read().status == 404);
  client.write(kGetVersion);
  CHECK(client.read().status == 200);
}

TEST_CASE("a body too large to skip closes the connection after the answer") {
  TestServer server;
  RawClient client(server.port());
  const std::string body(200 * 1024, 'x');
  client.write(post("/no/such/route", body));
  const Answer answer = client.read();
  CHECK(answer.status == 404);
  CHECK_FALSE(answer.header.getKeepAlive());
  CHECK(client.closedByServer());
}

TEST_CASE("a malformed request is answered 400 and the connection closed") {
  TestServer server;
  SUBCASE("a URI over Poco's 16 KiB limit") {
    RawClient client(server.port());
    client.write("GET /" + std::string(20000, 'a') + " HTTP/1.1\r\nHost: kms\r\n\r\n");
    CHECK(client.read().status == 400);
    CHECK(client.closedByServer());
  }
  SUBCASE("a header field over Poco's 8 KiB value limit") {
    RawClient client(server.port());
    client.write("GET /version HTTP/1.1\r\nHost: kms\r\nX-Long: " + std::string(10000, 'v') + "\r\n\r\n");
    CHECK(client.read().status == 400);
    CHECK(client.closedByServer());
  }
}

TEST_CASE("a body whose end is ambiguous is refused 400 and the connection closed (no smuggling)") {
  TestServer server;
  const std::string kmip = kms::http::test::requestMessage("Get", kms::http::test::getPayload("missing"));
  const std::string head = "POST /kmip/2_1 HTTP/1.1\r\nHost: kms\r\nContent-Type: application/json\r\n";
  const std::string length = "Content-Length: " + std::to_string(kmip.size()) + "\r\n";
  const std::string cases[] = {
      head + "Transfer-Encoding: chunked\r\n" + length + "\r\n" + kmip,
      head + "Transfer-Encoding: gzip, chunked\r\n\r\n" + kmip,
      head + length + "Content-Length: 5\r\n\r\n" + kmip,
      head + "Content-Length: -1\r\n\r\n" + kmip,
      head + "Content-Length: 12abc\r\n\r\n" + kmip,
  };
  for (const auto& request : cases) {
    CAPTURE(request.substr(0, request.find("\r\n\r\n")));
    RawClient client(server.port());
    client.write(request + kGetVersion);
    const Answer answer = client.read();
    CHECK(answer.status == 400);
    CHECK(answer.body.starts_with("malformed HTTP request: "));
    CHECK(client.closedByServer());
  }
  RawClient client(server.port());  // the same value twice is one length
  client.write(head + length + length + "\r\n" + kmip);
  CHECK(client.read().status == 200);
}

TEST_CASE("Expect: 100-continue is answered 100 before the body is sent") {
  TestServer server;
  RawClient client(server.port());
  const std::string kmip = kms::http::test::requestMessage("Get", kms::http::test::getPayload("missing"));
  const std::string request = post("/kmip/2_1", kmip, "Expect: 100-continue\r\n");
  client.write(request.substr(0, request.size() - kmip.size()));  // the header alone
  CHECK(client.read(true).status == 100);
  client.write(kmip);
  const Answer answer = client.read();
  CHECK(answer.status == 200);
  CHECK(answer.body.find("ItemNotFound") != std::string::npos);
}

TEST_CASE("an HTTP/1.0 request without keep-alive is answered, then the connection closes") {
  TestServer server;
  RawClient client(server.port());
  client.write("GET /version HTTP/1.0\r\n\r\n");
  const Answer answer = client.read();
  CHECK(answer.status == 200);
  CHECK(answer.header.getVersion() == "HTTP/1.0");
  CHECK(client.closedByServer());
}

TEST_CASE("HEAD gets the header only; the connection stays in step") {
  TestServer server;
  RawClient client(server.port());
  client.write("HEAD /version HTTP/1.1\r\nHost: kms\r\n\r\n");
  const Answer head = client.read(true);
  CHECK(head.status > 0);
  client.write(kGetVersion);  // would parse body bytes as a status line if HEAD had sent any
  CHECK(client.read().status == 200);
}

TEST_CASE("a POST without Content-Length has an empty body and keeps the connection") {
  TestServer server;
  RawClient client(server.port());
  client.write("POST /kmip/2_1 HTTP/1.1\r\nHost: kms\r\nContent-Type: application/json\r\n\r\n");
  const Answer answer = client.read();
  CHECK(answer.status >= 400);
  CHECK(answer.status < 500);
  client.write(kGetVersion);
  CHECK(client.read().status == 200);
}

TEST_CASE("every response carries Date and Server") {
  TestServer server;
  RawClient client(server.port());
  client.write(kGetVersion);
  const Answer answer = client.read();
  CHECK(answer.header.has("Date"));
  CHECK(answer.header.get("Server").starts_with("kmsd/"));
}
