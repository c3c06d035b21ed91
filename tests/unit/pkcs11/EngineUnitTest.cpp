// Engine pieces that need no token: return-code mapping and quirk settings.
#include <doctest/doctest.h>

#include <string>

#include "kms/pkcs11/Error.hpp"
#include "kms/pkcs11/Pkcs11.hpp"
#include "kms/pkcs11/ReturnCodes.hpp"
#include "kms/pkcs11/Settings.hpp"

using kms::pkcs11::Error;
using kms::pkcs11::ReturnCodes;
using kms::pkcs11::Settings;

TEST_CASE("CK_RV values are named and mapped to kms_status categories") {
  CHECK(ReturnCodes::name(CKR_PIN_INCORRECT) == "CKR_PIN_INCORRECT");
  CHECK(ReturnCodes::name(0x80000001UL) == "CKR_0x80000001");
  CHECK(ReturnCodes::status(CKR_PIN_INCORRECT) == KMS_ERR_AUTH_FAILED);
  CHECK(ReturnCodes::status(CKR_PIN_LEN_RANGE) == KMS_ERR_AUTH_FAILED);
  CHECK(ReturnCodes::status(CKR_PIN_LOCKED) == KMS_ERR_AUTH_FAILED);
  CHECK(ReturnCodes::status(CKR_DEVICE_REMOVED) == KMS_ERR_DEVICE_UNAVAILABLE);
  CHECK(ReturnCodes::status(CKR_TOKEN_NOT_PRESENT) == KMS_ERR_DEVICE_UNAVAILABLE);
  CHECK(ReturnCodes::status(CKR_SESSION_HANDLE_INVALID) == KMS_ERR_DEVICE_UNAVAILABLE);
  CHECK(ReturnCodes::status(CKR_DEVICE_ERROR) == KMS_ERR_DEVICE_ERROR);
  CHECK(ReturnCodes::status(CKR_MECHANISM_INVALID) == KMS_ERR_NOT_SUPPORTED);
  CHECK(ReturnCodes::status(CKR_ENCRYPTED_DATA_INVALID) == KMS_ERR_DEVICE_ERROR);
  CHECK(ReturnCodes::status(CKR_ENCRYPTED_DATA_LEN_RANGE) == KMS_ERR_DEVICE_ERROR);
  CHECK(ReturnCodes::status(CKR_DATA_INVALID) == KMS_ERR_DEVICE_ERROR);
  CHECK(ReturnCodes::status(CKR_BUFFER_TOO_SMALL) == KMS_ERR_BUFFER_TOO_SMALL);
  CHECK(ReturnCodes::status(CKR_KEY_UNEXTRACTABLE) == KMS_ERR_PERMISSION_DENIED);
  CHECK(ReturnCodes::status(CKR_ATTRIBUTE_SENSITIVE) == KMS_ERR_PERMISSION_DENIED);
  CHECK(ReturnCodes::status(CKR_OBJECT_HANDLE_INVALID) == KMS_ERR_NOT_FOUND);
  CHECK(ReturnCodes::status(CKR_VENDOR_DEFINED + 7) == KMS_ERR_DEVICE_ERROR);

  for (const auto rv : {CKR_SESSION_HANDLE_INVALID, CKR_SESSION_CLOSED, CKR_USER_NOT_LOGGED_IN, CKR_DEVICE_REMOVED,
                        CKR_TOKEN_NOT_PRESENT}) {
    CHECK(ReturnCodes::recoverable(rv));
  }
  CHECK_FALSE(ReturnCodes::recoverable(CKR_DEVICE_ERROR));
  CHECK_FALSE(ReturnCodes::recoverable(CKR_PIN_INCORRECT));

  const Error e = Error::fromRv("C_Login", CKR_PIN_INCORRECT, 3);
  CHECK(std::string(e.what()) == "C_Login failed: CKR_PIN_INCORRECT on slot 3");
  CHECK(e.status() == KMS_ERR_AUTH_FAILED);
  CHECK(e.vendorCode() == CKR_PIN_INCORRECT);
}

TEST_CASE("quirk settings parse, and unknown names or bad values are refused by name") {
  Settings s;
  s.apply("max_data_chunk", "1024");
  s.apply("find_batch", "16");
  s.apply("never_finalize", "true");
  s.apply("session_pool_size", "2");
  s.apply("trace", "off");
  s.apply("oaep_hashes", "sha1, SHA-256");
  s.apply("gcm_legacy_params", "1");
  s.apply("kwp_whole_blocks_only", "yes");
  CHECK(s.maxDataChunk == 1024);
  CHECK(s.findBatch == 16);
  CHECK(s.neverFinalize);
  CHECK(s.sessionPoolSize == 2);
  CHECK_FALSE(s.trace);
  CHECK(s.oaepHashes.size() == 2);
  CHECK(s.oaepHashList() == "SHA-1, SHA-256");
  CHECK(s.gcmLegacyParams);
  CHECK(s.kwpWholeBlocksOnly);

  auto refused = [&](const char* name, const char* value) -> std::string {
    try {
      s.apply(name, value);
    } catch (const Error& e) {
      CHECK(e.status() == KMS_ERR_INVALID_ARGUMENT);
      return e.what();
    }
    return "";
  };
  CHECK(refused("max_data_chunks", "1").find("unknown setting 'max_data_chunks'") != std::string::npos);
  CHECK(refused("find_batch", "0").find("setting find_batch") != std::string::npos);
  CHECK(refused("find_batch", "12x").find("setting find_batch") != std::string::npos);
  CHECK(refused("trace", "maybe").find("setting trace") != std::string::npos);
  CHECK(refused("oaep_hashes", "md5").find("setting oaep_hashes") != std::string::npos);
}
