#include "kms/pkcs11/DriverAdapter.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <new>

#include "kms/pkcs11/Error.hpp"
#include "kms/pkcs11/Instance.hpp"

namespace kms::pkcs11 {

namespace {

// One model per plugin .so (the engine is linked statically into each).
std::atomic<const ModelDescriptor*> gModel{nullptr};

Instance* self(kms_instance* instance) {
  if (instance == nullptr) throw Error(KMS_ERR_INVALID_ARGUMENT, "instance is NULL");
  return reinterpret_cast<Instance*>(instance);
}

void writeError(kms_error* error, kms_status status, std::uint64_t vendorCode, const char* message) noexcept {
  if (error == nullptr) return;
  if (KMS_HAS_MEMBER(error, kms_error, status)) error->status = status;
  if (KMS_HAS_MEMBER(error, kms_error, vendor_code)) error->vendor_code = vendorCode;
  if (KMS_HAS_MEMBER(error, kms_error, message)) {
    const std::size_t length = std::min(std::strlen(message), std::size_t(KMS_ERROR_MESSAGE_SIZE - 1));
    std::memcpy(error->message, message, length);
    error->message[length] = '\0';
  }
}

// Runs fn, maps every exception to a status and a kms_error; nothing escapes.
template <class Fn>
kms_status guard(kms_error* error, Fn&& fn) noexcept {
  try {
    fn();
    writeError(error, KMS_OK, 0, "");
    return KMS_OK;
  } catch (const Error& e) {
    writeError(error, e.status(), e.vendorCode(), e.what());
    return e.status();
  } catch (const std::bad_alloc&) {
    writeError(error, KMS_ERR_INTERNAL, 0, "out of memory");
  } catch (const std::exception& e) {
    writeError(error, KMS_ERR_INTERNAL, 0, e.what());
  } catch (...) {
    writeError(error, KMS_ERR_INTERNAL, 0, "unknown exception in the driver");
  }
  return KMS_ERR_INTERNAL;
}

void requireLength(const std::uint64_t* length) {
  if (length == nullptr) throw Error(KMS_ERR_INVALID_ARGUMENT, "output length pointer is NULL");
}

// The two-call convention for a result already computed.
void deliver(const SecureBytes& result, std::uint8_t* out, std::uint64_t* outLength) {
  const std::uint64_t have = *outLength;
  *outLength = result.size();
  if (out == nullptr) return;
  if (have < result.size()) {
    throw Error(KMS_ERR_BUFFER_TOO_SMALL,
                fmt::format("output buffer of {} bytes is too small: {} bytes needed", have, result.size()));
  }
  if (!result.empty()) std::memcpy(out, result.data(), result.size());
}

ByteView input(const std::uint8_t* data, std::uint64_t length) {
  if (data == nullptr && length > 0) throw Error(KMS_ERR_INVALID_ARGUMENT, "input is NULL");
  return {data, static_cast<std::size_t>(length)};
}

kms_status crypt(Operation operation, kms_instance* instance, const kms_key_ref* key, const kms_crypt_params* params,
                 const std::uint8_t* in, std::uint64_t inLength, std::uint8_t* out, std::uint64_t* outLength,
                 kms_error* error) {
  return guard(error, [&] {
    auto* engine = self(instance);
    requireLength(outLength);
    const auto ref = KeyRef::from(key);
    const auto cryptParams = CryptParams::from(params);
    const auto data = input(in, inLength);
    if (out == nullptr) {
      *outLength = engine->cryptBound(operation, ref, cryptParams, inLength);
      return;
    }
    deliver(engine->crypt(operation, ref, cryptParams, data), out, outLength);
  });
}

// ---- The table's functions. ----------------------------------------------------------------

kms_status driverOpen(const kms_open_params* params, kms_instance** instance, kms_error* error) {
  return guard(error, [&] {
    if (instance == nullptr) throw Error(KMS_ERR_INVALID_ARGUMENT, "instance pointer is NULL");
    *instance = nullptr;
    const ModelDescriptor* model = gModel.load();
    if (model == nullptr) throw Error(KMS_ERR_INTERNAL, "driver used before kms_driver_get");
    *instance = reinterpret_cast<kms_instance*>(Instance::open(*model, params).release());
  });
}

void driverClose(kms_instance* instance) {
  try {
    delete reinterpret_cast<Instance*>(instance);
  } catch (...) {  // NOLINT(bugprone-empty-catch): why below
    // Closing never fails the host; a vendor library throwing here is beyond repair.
  }
}

kms_status driverSlotStatus(kms_instance* instance, std::uint64_t slotId, std::int32_t* accessible, char* tokenLabel,
                            std::uint32_t tokenLabelSize, kms_error* error) {
  return guard(error, [&] {
    if (accessible == nullptr) throw Error(KMS_ERR_INVALID_ARGUMENT, "accessible pointer is NULL");
    const auto [ok, label] = self(instance)->slotStatus(slotId);
    *accessible = ok ? 1 : 0;
    if (tokenLabel != nullptr && tokenLabelSize > 0) {
      const std::size_t length = std::min<std::size_t>(label.size(), tokenLabelSize - 1);
      std::memcpy(tokenLabel, label.data(), length);
      tokenLabel[length] = '\0';
    }
  });
}

kms_status driverGenerateKey(kms_instance* instance, const kms_generate_request* request, kms_key_info* created,
                             kms_error* error) {
  return guard(error, [&] {
    auto* engine = self(instance);
    if (request == nullptr || request->struct_size < sizeof(kms_generate_request)) {
      throw Error(KMS_ERR_INVALID_ARGUMENT, "kms_generate_request missing or struct_size too small");
    }
    const auto info = engine->generate(*request);
    if (created != nullptr) info.fill(created);
  });
}

kms_status driverFindKey(kms_instance* instance, const kms_key_ref* key, kms_key_info* found, kms_error* error) {
  return guard(error, [&] {
    const auto info = self(instance)->find(KeyRef::from(key));
    if (found != nullptr) info.fill(found);
  });
}

kms_status driverListKeys(kms_instance* instance, std::uint64_t slotId,
                          std::int32_t (*visit)(void* context, const kms_key_info* key), void* context,
                          kms_error* error) {
  return guard(error, [&] {
    if (visit == nullptr) throw Error(KMS_ERR_INVALID_ARGUMENT, "visit callback is NULL");
    // Collected first: the host's callback runs without holding one of our sessions.
    for (const auto& key : self(instance)->list(slotId)) {
      kms_key_info info{};
      info.struct_size = sizeof info;
      key.fill(&info);
      if (visit(context, &info) != 0) break;
    }
  });
}

kms_status driverExportKey(kms_instance* instance, const kms_key_ref* key, std::int32_t format, std::uint8_t* out,
                           std::uint64_t* outLength, kms_error* error) {
  return guard(error, [&] {
    auto* engine = self(instance);
    requireLength(outLength);
    deliver(engine->exportKey(KeyRef::from(key), format), out, outLength);
  });
}

kms_status driverDestroyKey(kms_instance* instance, const kms_key_ref* key, kms_error* error) {
  return guard(error, [&] { self(instance)->destroy(KeyRef::from(key)); });
}

kms_status driverEncrypt(kms_instance* instance, const kms_key_ref* key, const kms_crypt_params* params,
                         const std::uint8_t* in, std::uint64_t inLength, std::uint8_t* out, std::uint64_t* outLength,
                         kms_error* error) {
  return crypt(Operation::Encrypt, instance, key, params, in, inLength, out, outLength, error);
}

kms_status driverDecrypt(kms_instance* instance, const kms_key_ref* key, const kms_crypt_params* params,
                         const std::uint8_t* in, std::uint64_t inLength, std::uint8_t* out, std::uint64_t* outLength,
                         kms_error* error) {
  return crypt(Operation::Decrypt, instance, key, params, in, inLength, out, outLength, error);
}

kms_status driverWrap(kms_instance* instance, const kms_key_ref* key, const kms_crypt_params* params,
                      const std::uint8_t* in, std::uint64_t inLength, std::uint8_t* out, std::uint64_t* outLength,
                      kms_error* error) {
  return crypt(Operation::Wrap, instance, key, params, in, inLength, out, outLength, error);
}

kms_status driverUnwrap(kms_instance* instance, const kms_key_ref* key, const kms_crypt_params* params,
                        const std::uint8_t* in, std::uint64_t inLength, std::uint8_t* out, std::uint64_t* outLength,
                        kms_error* error) {
  return crypt(Operation::Unwrap, instance, key, params, in, inLength, out, outLength, error);
}

kms_status driverSign(kms_instance* instance, const kms_key_ref* key, const kms_crypt_params* params,
                      const std::uint8_t* data, std::uint64_t dataLength, std::uint8_t* signature,
                      std::uint64_t* signatureLength, kms_error* error) {
  return guard(error, [&] {
    auto* engine = self(instance);
    requireLength(signatureLength);
    const auto ref = KeyRef::from(key);
    const auto signParams = CryptParams::from(params);
    const auto message = input(data, dataLength);
    if (signature == nullptr) {
      *signatureLength = engine->signBound(ref, signParams);
      return;
    }
    deliver(engine->sign(ref, signParams, message), signature, signatureLength);
  });
}

kms_status driverRandom(kms_instance* instance, std::uint64_t slotId, std::uint8_t* out, std::uint64_t length,
                        kms_error* error) {
  return guard(error, [&] {
    auto* engine = self(instance);
    if (out == nullptr && length > 0) throw Error(KMS_ERR_INVALID_ARGUMENT, "output buffer is NULL");
    if (length > 0) engine->random(slotId, out, length);
  });
}

kms_status driverSupports(kms_instance* instance, std::uint64_t slotId, std::int32_t algorithm, std::int32_t hash,
                          std::int32_t* supported, kms_error* error) {
  return guard(error, [&] {
    if (supported == nullptr) throw Error(KMS_ERR_INVALID_ARGUMENT, "supported pointer is NULL");
    *supported = 0;
    *supported = self(instance)->supports(slotId, algorithm, hash) ? 1 : 0;
  });
}

}  // namespace

kms_status DriverAdapter::get(const ModelDescriptor& model, std::uint16_t hostAbiMajor, std::uint16_t /*minor*/,
                              const kms_driver_v1** table) noexcept {
  if (table == nullptr) return KMS_ERR_INVALID_ARGUMENT;
  *table = nullptr;
  if (hostAbiMajor != KMS_DRIVER_ABI_MAJOR) return KMS_ERR_NOT_SUPPORTED;
  gModel = &model;
  static const kms_driver_info info = [&] {
    kms_driver_info i{};
    i.struct_size = sizeof i;
    i.abi_major = KMS_DRIVER_ABI_MAJOR;
    i.abi_minor = KMS_DRIVER_ABI_MINOR;
    i.model = model.model;
    i.driver_version = model.driverVersion;
    i.default_library = model.defaultLibrary;
    i.thread_model = model.threadModel;
    i.capabilities = model.capabilities;
    return i;
  }();
  static const kms_driver_v1 functions = [] {
    kms_driver_v1 t{};
    t.struct_size = sizeof t;
    t.abi_major = KMS_DRIVER_ABI_MAJOR;
    t.abi_minor = KMS_DRIVER_ABI_MINOR;
    t.info = &info;
    t.open = driverOpen;
    t.close = driverClose;
    t.slot_status = driverSlotStatus;
    t.generate_key = driverGenerateKey;
    t.find_key = driverFindKey;
    t.list_keys = driverListKeys;
    t.export_key = driverExportKey;
    t.destroy_key = driverDestroyKey;
    t.encrypt = driverEncrypt;
    t.decrypt = driverDecrypt;
    t.wrap = driverWrap;
    t.unwrap = driverUnwrap;
    t.sign = driverSign;
    t.random = driverRandom;
    t.supports = driverSupports;
    return t;
  }();
  *table = &functions;
  return KMS_OK;
}

}  // namespace kms::pkcs11
