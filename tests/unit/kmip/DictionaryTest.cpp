#include <doctest/doctest.h>

#include "kms/kmip/Dictionary.hpp"

using kms::kmip::Dictionary;

TEST_CASE("Dictionary: tag names and codes") {
  CHECK(Dictionary::tagCode("UniqueIdentifier") == 0x420094u);
  CHECK(Dictionary::tagName(0x420094) == "UniqueIdentifier");
  CHECK(Dictionary::tagCode("RequestMessage") == 0x420078u);
  CHECK_FALSE(Dictionary::tagCode("NoSuchTag").has_value());
  CHECK_FALSE(Dictionary::tagName(0x54FFFF).has_value());
}

TEST_CASE("Dictionary: the KMIP 1.x template tags, retired by 2.x, keep their 1.x names") {
  // 2.1 lists 0x420065 as "Reserved"; binary 1.x CreateKeyPair requests carry it and its
  // neighbours, so each code must decode to the 1.x name (and "Reserved" is no tag).
  CHECK(Dictionary::tagName(0x420065) == "PrivateKeyTemplateAttribute");
  CHECK(Dictionary::tagName(0x42006E) == "PublicKeyTemplateAttribute");
  CHECK(Dictionary::tagName(0x42001F) == "CommonTemplateAttribute");
  CHECK(Dictionary::tagName(0x420091) == "TemplateAttribute");
  CHECK(Dictionary::tagName(0x420066) == "PrivateKeyUniqueIdentifier");
  CHECK(Dictionary::tagName(0x420067) == "ProcessStartDate");
  CHECK(Dictionary::tagName(0x420068) == "ProtectStopDate");
  CHECK(Dictionary::tagCode("PrivateKeyTemplateAttribute") == 0x420065u);
  CHECK_FALSE(Dictionary::tagCode("Reserved").has_value());
}

TEST_CASE("Dictionary: enumerations") {
  CHECK(Dictionary::enumValue("ObjectType", "SymmetricKey") == 2u);
  CHECK(Dictionary::enumName("ObjectType", 2) == "SymmetricKey");
  CHECK(Dictionary::enumValue("Operation", "Encrypt") == 0x1Fu);
  CHECK_FALSE(Dictionary::enumValue("ObjectType", "Foo").has_value());
  CHECK_FALSE(Dictionary::enumName("ObjectType", 0x80000000).has_value());
  CHECK_FALSE(Dictionary::enumValue("UniqueIdentifier", "SymmetricKey").has_value());
}

TEST_CASE("Dictionary: AttributeReference holds tag codes") {
  CHECK(Dictionary::enumValue("AttributeReference", "State") == 0x42008Du);
  CHECK(Dictionary::enumName("AttributeReference", 0x42008D) == "State");
}

TEST_CASE("Dictionary: masks") {
  CHECK(Dictionary::isMask("CryptographicUsageMask"));
  CHECK(Dictionary::isMask("StorageStatusMask"));
  CHECK_FALSE(Dictionary::isMask("CryptographicLength"));
  CHECK(Dictionary::maskBit("CryptographicUsageMask", "Encrypt") == 4u);
  CHECK(Dictionary::maskBit("CryptographicUsageMask", "CertificateSign") == 0x1000u);
  CHECK_FALSE(Dictionary::maskBit("CryptographicUsageMask", "Foo").has_value());
  CHECK(Dictionary::maskNames("CryptographicUsageMask", 0x0C) == "Encrypt|Decrypt");
  CHECK_FALSE(Dictionary::maskNames("CryptographicUsageMask", 0x01000000).has_value());  // unassigned bit
  CHECK_FALSE(Dictionary::maskNames("CryptographicUsageMask", 0).has_value());
}

TEST_CASE("Dictionary: operation names are the tags of bare JSON requests and responses") {
  CHECK(Dictionary::isOperationTag("Create"));
  CHECK(Dictionary::isOperationTag("EncryptResponse"));
  CHECK_FALSE(Dictionary::isOperationTag("Response"));
  CHECK_FALSE(Dictionary::isOperationTag("UniqueIdentifier"));
  CHECK_FALSE(Dictionary::tagCode("Create").has_value());  // JSON only: binary TTLV cannot carry it
}

TEST_CASE("Dictionary: Cosmian's spellings of enumeration values are read, the specification's answered") {
  CHECK(Dictionary::enumValue("HashingAlgorithm", "SHA256") == Dictionary::enumValue("HashingAlgorithm", "SHA_256"));
  CHECK(Dictionary::enumValue("HashingAlgorithm", "SHA1") == Dictionary::enumValue("HashingAlgorithm", "SHA_1"));
  CHECK(Dictionary::enumValue("HashingAlgorithm", "sha512") == Dictionary::enumValue("HashingAlgorithm", "SHA_512"));
  CHECK(Dictionary::enumValue("KeyFormatType", "PKCS8") == Dictionary::enumValue("KeyFormatType", "PKCS_8"));
  CHECK(Dictionary::enumValue("DigitalSignatureAlgorithm", "RSASSAPSS") == 8u);
  CHECK(Dictionary::enumValue("DigitalSignatureAlgorithm", "SHA256WithRSAEncryption") == 5u);
  CHECK(Dictionary::enumValue("PaddingMethod", "PKCS1v15") == Dictionary::enumValue("PaddingMethod", "PKCS1V1_5"));
  REQUIRE(Dictionary::enumValue("HashingAlgorithm", "SHA256").has_value());
  CHECK(Dictionary::enumName("HashingAlgorithm", *Dictionary::enumValue("HashingAlgorithm", "SHA256")) == "SHA_256");
  // Loose, not anything: an unknown name stays unknown, and a tag is never spelled loosely.
  CHECK_FALSE(Dictionary::enumValue("HashingAlgorithm", "SHA257").has_value());
  CHECK_FALSE(Dictionary::isOperationTag("encrypt"));
  CHECK_FALSE(Dictionary::tagCode("uniqueidentifier").has_value());
}
