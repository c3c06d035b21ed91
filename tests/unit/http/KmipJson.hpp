#pragma once
// JSON TTLV requests the HTTP tests send.
#include <string>

namespace kms::http::test {

inline const std::string kCreatePayload = R"([
  {"tag":"ObjectType","type":"Enumeration","value":"SymmetricKey"},
  {"tag":"Attributes","value":[
    {"tag":"CryptographicAlgorithm","type":"Enumeration","value":"AES"},
    {"tag":"CryptographicLength","type":"Integer","value":256},
    {"tag":"CryptographicUsageMask","type":"Integer","value":12}]}])";

inline std::string getPayload(const std::string& uid) {
  return R"([{"tag":"UniqueIdentifier","type":"TextString","value":")" + uid + R"("}])";
}

// A bare operation, as POST /kmip/2_1 accepts it.
inline std::string bareOperation(const std::string& operation, const std::string& payload) {
  return R"({"tag":")" + operation + R"(","value":)" + payload + "}";
}

// A one-item RequestMessage.
inline std::string requestMessage(const std::string& operation, const std::string& payload) {
  return R"({"tag":"RequestMessage","value":[
    {"tag":"RequestHeader","value":[
      {"tag":"ProtocolVersion","value":[
        {"tag":"ProtocolVersionMajor","type":"Integer","value":2},
        {"tag":"ProtocolVersionMinor","type":"Integer","value":1}]},
      {"tag":"BatchCount","type":"Integer","value":1}]},
    {"tag":"BatchItem","value":[
      {"tag":"Operation","type":"Enumeration","value":")" +
         operation + R"("},
      {"tag":"RequestPayload","value":)" +
         payload + "}]}]}";
}

}  // namespace kms::http::test
