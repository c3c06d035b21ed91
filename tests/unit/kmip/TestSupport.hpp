#pragma once
// Messages and helpers shared by the codec tests.
#include <doctest/doctest.h>

#include <cstdint>
#include <string>

#include "kms/Exception.hpp"
#include "kms/kmip/Ttlv.hpp"

namespace kms::kmip::test {

// The message of the kms::Exception that `f` throws, checking its code; "" if none.
template <typename F>
std::string errorOf(F&& f, ErrorCode expected = ErrorCode::InvalidMessage) {
  try {
    f();
  } catch (const Exception& e) {
    CHECK(e.code() == expected);
    return e.what();
  }
  FAIL_CHECK("no kms::Exception thrown");
  return {};
}

// A KMIP 2.1 Encrypt request of about 1 KB in JSON, as a client would send it.
inline Ttlv encryptRequest() {
  Ttlv::Bytes data(160);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i * 7);
  Ttlv::Bytes iv(12, 0xA5);
  return Ttlv::structure(
      "RequestMessage",
      {Ttlv::structure("RequestHeader", {Ttlv::structure("ProtocolVersion", {Ttlv::integer("ProtocolVersionMajor", 2),
                                                                             Ttlv::integer("ProtocolVersionMinor", 1)}),
                                         Ttlv::integer("MaximumResponseSize", 1 << 20),
                                         Ttlv::dateTime("TimeStamp", 1'700'000'000), Ttlv::integer("BatchCount", 1)}),
       Ttlv::structure("BatchItem",
                       {Ttlv::enumeration("Operation", 0x1F),  // Encrypt
                        Ttlv::byteString("UniqueBatchItemID", {1, 2, 3, 4}),
                        Ttlv::structure("RequestPayload",
                                        {Ttlv::textString("UniqueIdentifier", "6f1c3b8e-2a47-4d1e-9a0b-5c3e7d2f1a90"),
                                         Ttlv::structure("CryptographicParameters",
                                                         {Ttlv::enumeration("BlockCipherMode", 9),         // GCM
                                                          Ttlv::enumeration("CryptographicAlgorithm", 3),  // AES
                                                          Ttlv::integer("TagLength", 16)}),
                                         Ttlv::byteString("Data", data), Ttlv::byteString("IVCounterNonce", iv)})})});
}

// One item of every type, for round trips.
inline Ttlv everyType() {
  return Ttlv::structure("Attributes", {Ttlv::integer("CryptographicLength", -256),
                                        Ttlv::integer("CryptographicUsageMask", 0x0C),
                                        Ttlv::integer("StorageStatusMask", 0x40),  // no name for that bit
                                        Ttlv::longInteger("UsageLimitsTotal", -2),
                                        Ttlv::longInteger("UsageLimitsCount", 1LL << 60),
                                        Ttlv::bigInteger("P", {0x00, 0x00, 0x00, 0x00, 0x03, 0xFD, 0x35, 0xEB, 0x6B,
                                                               0xC2, 0xDF, 0x46, 0x18, 0x08, 0x00, 0x00}),
                                        Ttlv::enumeration("ObjectType", 2),
                                        Ttlv::enumeration("State", 0x80000001),
                                        Ttlv::enumeration("AttributeReference", 0x42008D),  // the tag State
                                        Ttlv::boolean("Sensitive", true),
                                        Ttlv::boolean("NeverExtractable", false),
                                        Ttlv::textString("Name", "h\xC3\xA9llo \"w\"\n\\ \x01"),
                                        Ttlv::textString("Comment", ""),
                                        Ttlv::byteString("Data", {0x00, 0xFF, 0x10}),
                                        Ttlv::byteString("Salt", {}),
                                        Ttlv::dateTime("ActivationDate", 978'307'200),
                                        Ttlv::dateTime("ArchiveDate", -1),
                                        Ttlv::dateTime("DestroyDate", 1LL << 50),  // year beyond 9999
                                        Ttlv::interval("Offset", 0xFFFFFFFF),
                                        Ttlv::dateTimeExtended("LastChangeDate", 978'307'200'123'456),
                                        Ttlv::structure("0x540001", {Ttlv::integer("0x54FFFF", 7)}),
                                        Ttlv::structure("Attribute", {Ttlv::textString("AttributeName", "Object Type"),
                                                                      Ttlv::enumeration("AttributeValue", 2)}),
                                        Ttlv::structure("ProtocolVersion")});
}

}  // namespace kms::kmip::test
