#include <doctest/doctest.h>

#include <span>
#include <string>

#include "KmipJson.hpp"
#include "TestServer.hpp"
#include "kms/kmip/BinaryCodec.hpp"
#include "kms/kmip/JsonCodec.hpp"

using kms::http::test::Client;
using kms::http::test::TestServer;

using kms::http::test::bareOperation;
using kms::http::test::getPayload;
using kms::http::test::kCreatePayload;
using kms::http::test::requestMessage;

namespace {

const std::string kCreate = bareOperation("Create", kCreatePayload);

std::string get(const std::string& uid) {
  return bareOperation("Get", getPayload(uid));
}

std::string uidOf(const std::string& responseJson) {
  const auto ttlv = kms::kmip::JsonCodec::decode(responseJson);
  return ttlv.at("UniqueIdentifier").asText();
}

}  // namespace

TEST_CASE("POST /kmip/2_1: a bare Create, then a Get of the new key") {
  TestServer server;
  Client client(server.port());

  const auto created = client.post("/kmip/2_1", kCreate);
  REQUIRE(created.status == 200);
  CHECK(created.contentType == "application/json");
  const auto response = kms::kmip::JsonCodec::decode(created.body);
  CHECK(response.tag() == "CreateResponse");
  const std::string uid = uidOf(created.body);
  CHECK_FALSE(uid.empty());

  const auto fetched = client.post("/kmip/2_1", get(uid));
  CHECK(fetched.status == 200);
  CHECK(kms::kmip::JsonCodec::decode(fetched.body).tag() == "GetResponse");

  // The object belongs to the authenticated user.
  const auto stored = server.store().get(uid);
  REQUIRE(stored.has_value());
  CHECK(stored->owner == "alice");
}

TEST_CASE("POST /kmip/2_1: any Content-Type is read as JSON (curl -d sends a form type)") {
  TestServer server;
  Client client(server.port());
  CHECK(client.send("POST", "/kmip/2_1", kCreate, "application/x-www-form-urlencoded").status == 200);
  CHECK(client.send("POST", "/kmip/2_1", kCreate, "").status == 200);
}

TEST_CASE("a failing bare operation answers the ErrorTable status and '<name>: <message>'") {
  TestServer server;
  Client client(server.port());
  const auto reply = client.post("/kmip/2_1", get("no-such-object"));
  CHECK(reply.status == 404);
  CHECK(reply.contentType == "text/plain; charset=utf-8");
  CHECK(reply.body.starts_with("not_found: "));
  CHECK(reply.keepAlive);  // a KMIP failure is not a reason to drop the connection
}

TEST_CASE("undecodable JSON is 400 invalid_message with the decoder's message") {
  TestServer server;
  Client client(server.port());
  for (const std::string body : {"{not json", "", "[]", R"({"tag":"Create","value":[{"tag":"Bogus"}]})"}) {
    CAPTURE(body);
    const auto reply = client.post("/kmip/2_1", body);
    CHECK(reply.status == 400);
    CHECK(reply.body.starts_with("invalid_message: "));
  }
}

TEST_CASE("a RequestMessage is answered by a ResponseMessage on both routes") {
  TestServer server;
  Client client(server.port());
  const std::string message = requestMessage("Create", kCreatePayload);
  for (const std::string path : {"/kmip/2_1", "/kmip"}) {
    CAPTURE(path);
    const auto reply = client.post(path, message);
    REQUIRE(reply.status == 200);
    const auto response = kms::kmip::JsonCodec::decode(reply.body);
    CHECK(response.tag() == "ResponseMessage");
  }
  // A failed batch item is still a 200: the item carries the failure.
  const auto failed = client.post("/kmip", requestMessage("Get", getPayload("missing")));
  CHECK(failed.status == 200);
  CHECK(failed.body.find("OperationFailed") != std::string::npos);
}

TEST_CASE("POST /kmip takes RequestMessages as JSON or binary TTLV") {
  TestServer server;
  Client client(server.port());

  const auto bare = client.post("/kmip", kCreate);
  CHECK(bare.status == 400);
  CHECK(bare.body == "invalid_message: POST /kmip takes a RequestMessage; send bare operations to /kmip/2_1");

  // Binary TTLV in, binary TTLV out: the same message as the JSON one, encoded by the codec.
  const auto request = kms::kmip::JsonCodec::decode(requestMessage("Create", kCreatePayload));
  const auto encoded = kms::kmip::BinaryCodec::encode(request);
  const auto binary =
      client.send("POST", "/kmip", std::string(encoded.begin(), encoded.end()), "application/octet-stream");
  REQUIRE(binary.status == 200);
  CHECK(binary.contentType == "application/octet-stream");
  const auto response = kms::kmip::BinaryCodec::decode(
      std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(binary.body.data()), binary.body.size()));
  CHECK(response.tag() == "ResponseMessage");
  CHECK(kms::kmip::JsonCodec::encode(response).find("\"Success\"") != std::string::npos);

  Client garbage(server.port());
  const auto broken = garbage.send("POST", "/kmip", std::string(16, '\x42'), "application/octet-stream");
  CHECK(broken.status == 400);
  CHECK(broken.body.starts_with("invalid_message: "));

  Client other(server.port());
  const auto xml = other.send("POST", "/kmip", "<x/>", "text/xml");
  CHECK(xml.status == 415);
  CHECK(xml.body.starts_with("unsupported Content-Type 'text/xml'"));

  Client third(server.port());
  const std::string message = requestMessage("Create", kCreatePayload);
  CHECK(third.send("POST", "/kmip", message, "application/json; charset=utf-8").status == 200);
}
