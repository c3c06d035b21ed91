// The ABI 1.0 layout, written out literally: a change of any size or offset in
// sdk/include/kms/driver.h (a reordered member, a changed type, a member inserted instead of
// appended) fails the build here (docs/abi.md, "Guards"). Values are for LP64 (x86-64,
// aarch64 Linux), the only targets kmsd ships on. Appending a member in a minor version
// changes only the sizeof line of its struct: update that line, never an offset.
#include <doctest/doctest.h>

#include <cstddef>

#include "kms/driver.h"

static_assert(sizeof(void*) == 8, "the literal layout below is LP64's");

static_assert(sizeof(kms_error) == 272);
static_assert(offsetof(kms_error, struct_size) == 0);
static_assert(offsetof(kms_error, status) == 4);
static_assert(offsetof(kms_error, vendor_code) == 8);
static_assert(offsetof(kms_error, message) == 16);
static_assert(sizeof(kms_host_services) == 32);
static_assert(offsetof(kms_host_services, struct_size) == 0);
static_assert(offsetof(kms_host_services, host_context) == 8);
static_assert(offsetof(kms_host_services, log) == 16);
static_assert(offsetof(kms_host_services, zeroize) == 24);
static_assert(sizeof(kms_driver_info) == 48);
static_assert(offsetof(kms_driver_info, struct_size) == 0);
static_assert(offsetof(kms_driver_info, abi_major) == 4);
static_assert(offsetof(kms_driver_info, abi_minor) == 6);
static_assert(offsetof(kms_driver_info, model) == 8);
static_assert(offsetof(kms_driver_info, driver_version) == 16);
static_assert(offsetof(kms_driver_info, default_library) == 24);
static_assert(offsetof(kms_driver_info, thread_model) == 32);
static_assert(offsetof(kms_driver_info, reserved) == 36);
static_assert(offsetof(kms_driver_info, capabilities) == 40);
static_assert(sizeof(kms_slot_config) == 32);
static_assert(offsetof(kms_slot_config, struct_size) == 0);
static_assert(offsetof(kms_slot_config, login_mode) == 4);
static_assert(offsetof(kms_slot_config, slot_id) == 8);
static_assert(offsetof(kms_slot_config, password) == 16);
static_assert(offsetof(kms_slot_config, password_length) == 24);
static_assert(offsetof(kms_slot_config, reserved) == 28);
static_assert(sizeof(kms_setting) == 16);
static_assert(offsetof(kms_setting, name) == 0);
static_assert(offsetof(kms_setting, value) == 8);
static_assert(sizeof(kms_open_params) == 48);
static_assert(offsetof(kms_open_params, struct_size) == 0);
static_assert(offsetof(kms_open_params, slot_count) == 4);
static_assert(offsetof(kms_open_params, library_path) == 8);
static_assert(offsetof(kms_open_params, slots) == 16);
static_assert(offsetof(kms_open_params, settings) == 24);
static_assert(offsetof(kms_open_params, setting_count) == 32);
static_assert(offsetof(kms_open_params, reserved) == 36);
static_assert(offsetof(kms_open_params, host) == 40);
static_assert(sizeof(kms_key_ref) == 32);
static_assert(offsetof(kms_key_ref, struct_size) == 0);
static_assert(offsetof(kms_key_ref, id_length) == 4);
static_assert(offsetof(kms_key_ref, slot_id) == 8);
static_assert(offsetof(kms_key_ref, label) == 16);
static_assert(offsetof(kms_key_ref, id) == 24);
static_assert(sizeof(kms_key_info) == 224);
static_assert(offsetof(kms_key_info, struct_size) == 0);
static_assert(offsetof(kms_key_info, key_type) == 4);
static_assert(offsetof(kms_key_info, bits) == 8);
static_assert(offsetof(kms_key_info, flags) == 12);
static_assert(offsetof(kms_key_info, usage) == 16);
static_assert(offsetof(kms_key_info, id_length) == 20);
static_assert(offsetof(kms_key_info, slot_id) == 24);
static_assert(offsetof(kms_key_info, label) == 32);
static_assert(offsetof(kms_key_info, id) == 160);
static_assert(sizeof(kms_generate_request) == 48);
static_assert(offsetof(kms_generate_request, struct_size) == 0);
static_assert(offsetof(kms_generate_request, key_type) == 4);
static_assert(offsetof(kms_generate_request, slot_id) == 8);
static_assert(offsetof(kms_generate_request, label) == 16);
static_assert(offsetof(kms_generate_request, id) == 24);
static_assert(offsetof(kms_generate_request, id_length) == 32);
static_assert(offsetof(kms_generate_request, bits) == 36);
static_assert(offsetof(kms_generate_request, flags) == 40);
static_assert(offsetof(kms_generate_request, usage) == 44);
static_assert(sizeof(kms_crypt_params) == 48);
static_assert(offsetof(kms_crypt_params, struct_size) == 0);
static_assert(offsetof(kms_crypt_params, algorithm) == 4);
static_assert(offsetof(kms_crypt_params, hash) == 8);
static_assert(offsetof(kms_crypt_params, mgf_hash) == 12);
static_assert(offsetof(kms_crypt_params, iv) == 16);
static_assert(offsetof(kms_crypt_params, iv_length) == 24);
static_assert(offsetof(kms_crypt_params, tag_length) == 28);
static_assert(offsetof(kms_crypt_params, aad) == 32);
static_assert(offsetof(kms_crypt_params, aad_length) == 40);
static_assert(offsetof(kms_crypt_params, salt_length) == 44);
static_assert(sizeof(kms_driver_v1) == 136);
static_assert(offsetof(kms_driver_v1, struct_size) == 0);
static_assert(offsetof(kms_driver_v1, abi_major) == 4);
static_assert(offsetof(kms_driver_v1, abi_minor) == 6);
static_assert(offsetof(kms_driver_v1, info) == 8);
static_assert(offsetof(kms_driver_v1, open) == 16);
static_assert(offsetof(kms_driver_v1, close) == 24);
static_assert(offsetof(kms_driver_v1, slot_status) == 32);
static_assert(offsetof(kms_driver_v1, generate_key) == 40);
static_assert(offsetof(kms_driver_v1, find_key) == 48);
static_assert(offsetof(kms_driver_v1, list_keys) == 56);
static_assert(offsetof(kms_driver_v1, export_key) == 64);
static_assert(offsetof(kms_driver_v1, destroy_key) == 72);
static_assert(offsetof(kms_driver_v1, encrypt) == 80);
static_assert(offsetof(kms_driver_v1, decrypt) == 88);
static_assert(offsetof(kms_driver_v1, wrap) == 96);
static_assert(offsetof(kms_driver_v1, unwrap) == 104);
static_assert(offsetof(kms_driver_v1, sign) == 112);
static_assert(offsetof(kms_driver_v1, random) == 120);
static_assert(offsetof(kms_driver_v1, supports) == 128);

// The constants are part of the ABI as much as the layouts are.
static_assert(KMS_DRIVER_ABI_MAJOR == 1 && KMS_DRIVER_ABI_MINOR == 0);
static_assert(KMS_OK == 0 && KMS_ERR_INVALID_ARGUMENT == 1 && KMS_ERR_NOT_SUPPORTED == 2 && KMS_ERR_NOT_FOUND == 3 &&
              KMS_ERR_ALREADY_EXISTS == 4 && KMS_ERR_AUTH_FAILED == 5 && KMS_ERR_PERMISSION_DENIED == 6 &&
              KMS_ERR_DEVICE_UNAVAILABLE == 7 && KMS_ERR_DEVICE_ERROR == 8 && KMS_ERR_BUFFER_TOO_SMALL == 9 &&
              KMS_ERR_INTERNAL == 10);
static_assert(KMS_ERROR_MESSAGE_SIZE == 256 && KMS_LABEL_SIZE == 128 && KMS_ID_SIZE == 64);
static_assert(KMS_THREAD_SAFE == 0 && KMS_THREAD_SERIALIZE_SLOT == 1 && KMS_THREAD_SERIALIZE_ALL == 2);
static_assert(KMS_LOGIN_USER == 0 && KMS_LOGIN_NULL_PIN == 1 && KMS_LOGIN_NONE == 2);
static_assert(KMS_ALG_AES_GCM == 1 && KMS_ALG_RSA_OAEP == 2 && KMS_ALG_RSA_PKCS1 == 3 &&
              KMS_ALG_AES_KEY_WRAP_PAD == 4 && KMS_ALG_RSA_PSS == 5 && KMS_ALG_RSA_PKCS1_SIGN == 6);
static_assert(KMS_FORMAT_RAW == 1 && KMS_FORMAT_PKCS1 == 2 && KMS_FORMAT_PKCS8 == 3 && KMS_FORMAT_SPKI == 4);

TEST_CASE("ABI 1.0 layout is frozen (checked at compile time)") {
  CHECK(sizeof(kms_driver_v1) == 136);
}
