#include "kms/pkcs11/Instance.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>

#include "kms/pkcs11/Cipher.hpp"
#include "kms/pkcs11/KeyExporter.hpp"
#include "kms/pkcs11/KeyFinder.hpp"
#include "kms/pkcs11/KeyGenerator.hpp"
#include "kms/pkcs11/Signer.hpp"
#include "kms/pkcs11/Template.hpp"

namespace kms::pkcs11 {

namespace {

// What C_GetAttributeValue answers for one damaged object, while the token serves the others.
bool unreadableObject(std::uint64_t rv) noexcept {
  return rv == CKR_ATTRIBUTE_VALUE_INVALID || rv == CKR_GENERAL_ERROR || rv == CKR_FUNCTION_FAILED;
}

std::string fixed(const unsigned char* text, std::size_t size) {
  std::string out(reinterpret_cast<const char*>(text), size);
  while (!out.empty() && (out.back() == ' ' || out.back() == '\0')) out.pop_back();
  return out;
}

std::string libraryPath(const ModelDescriptor& model, const kms_open_params* params) {
  if (params->library_path != nullptr && params->library_path[0] != '\0') return params->library_path;
  if (model.libraryEnvVar != nullptr) {
    if (const char* fromEnv = std::getenv(model.libraryEnvVar); fromEnv != nullptr && fromEnv[0] != '\0') {
      return fromEnv;
    }
  }
  if (model.defaultLibrary != nullptr) return model.defaultLibrary;
  throw Error(KMS_ERR_INVALID_ARGUMENT,
              fmt::format("model {} has no default PKCS#11 library: configure hsm_library or set {}", model.model,
                          model.libraryEnvVar != nullptr ? model.libraryEnvVar : "the library path"));
}

}  // namespace

std::unique_ptr<Instance> Instance::open(const ModelDescriptor& model, const kms_open_params* params) {
  if (params == nullptr || params->struct_size < sizeof(kms_open_params)) {
    throw Error(KMS_ERR_INVALID_ARGUMENT, "kms_open_params missing or struct_size too small");
  }
  if (params->slot_count == 0 || params->slots == nullptr) {
    throw Error(KMS_ERR_INVALID_ARGUMENT, fmt::format("no slot configured for model {}", model.model));
  }
  if (params->setting_count > 0 && params->settings == nullptr) {
    throw Error(KMS_ERR_INVALID_ARGUMENT, "setting_count without settings");
  }
  Settings settings;
  settings.model = model.displayName;
  for (const auto& [name, value] : model.settings) settings.apply(name, value);
  for (std::uint32_t i = 0; i < params->setting_count; ++i) {
    const auto& setting = params->settings[i];
    if (setting.name == nullptr || setting.value == nullptr) {
      throw Error(KMS_ERR_INVALID_ARGUMENT, "a setting without name or value");
    }
    settings.apply(setting.name, setting.value);
  }
  const std::string path = libraryPath(model, params);
  auto library = Library::acquire(path, settings.neverFinalize);
  std::unique_ptr<Instance> instance(new Instance(model, std::move(settings), std::move(library), Host(params->host)));
  instance->host_.log(KMS_LOG_INFO,
                      fmt::format("{}: PKCS#11 library {} ({}{})", model.model, path, instance->library_->description(),
                                  instance->library_->viaInterface() ? ", via C_GetInterface" : ""));
  for (std::uint32_t i = 0; i < params->slot_count; ++i) instance->addSlot(params->slots[i]);
  for (auto& [id, slot] : instance->slots_) instance->connect(*slot);
  return instance;
}

Instance::Instance(const ModelDescriptor& model, Settings settings, std::shared_ptr<Library> library, Host host)
    : model_(model),
      host_(host),
      settings_(std::move(settings)),
      library_(std::move(library)),
      call_(library_->functions(), &host_, settings_.trace) {}

Instance::~Instance() = default;

void Instance::addSlot(const kms_slot_config& config) {
  if (config.struct_size < sizeof(kms_slot_config)) {
    throw Error(KMS_ERR_INVALID_ARGUMENT, "kms_slot_config struct_size too small");
  }
  if (config.login_mode != KMS_LOGIN_USER && config.login_mode != KMS_LOGIN_NULL_PIN &&
      config.login_mode != KMS_LOGIN_NONE) {
    throw Error(KMS_ERR_INVALID_ARGUMENT,
                fmt::format("slot {}: unknown login mode {}", config.slot_id, config.login_mode));
  }
  if (slots_.count(config.slot_id) != 0) {
    throw Error(KMS_ERR_INVALID_ARGUMENT, fmt::format("slot {} is configured twice", config.slot_id));
  }
  SecureBytes pin;
  if (config.login_mode == KMS_LOGIN_USER) {
    if (config.password_length > 0 && config.password == nullptr) {
      throw Error(KMS_ERR_INVALID_ARGUMENT, fmt::format("slot {}: password_length without password", config.slot_id));
    }
    pin = SecureBytes(config.password, config.password_length);
  }
  slots_.emplace(config.slot_id,
                 std::make_unique<Slot>(call_, host_, settings_, config.slot_id, config.login_mode, std::move(pin)));
}

void Instance::connect(Slot& slot) {
  CK_TOKEN_INFO info{};
  const CK_RV rv = KMS_P11(call_, C_GetTokenInfo, slot.id(), &info);
  if (rv == CKR_SLOT_ID_INVALID) {
    throw Error(KMS_ERR_NOT_FOUND, fmt::format("slot {} does not exist in {}", slot.id(), library_->path()), rv);
  }
  try {
    Call::check(rv, "C_GetTokenInfo", slot.id());
    slot.connect();
    host_.log(KMS_LOG_INFO, fmt::format("{}: slot {} ready (token '{}')", model_.model, slot.id(),
                                        fixed(info.label, sizeof info.label)));
  } catch (const Error& e) {
    // An absent token is not a configuration error: the slot reports inaccessible and
    // recovers when the token is back. Anything else (a wrong PIN) stops the open.
    if (e.status() != KMS_ERR_DEVICE_UNAVAILABLE) throw;
    host_.log(KMS_LOG_WARNING, fmt::format("{}: slot {} not available yet: {}", model_.model, slot.id(), e.what()));
  }
}

Slot& Instance::slot(std::uint64_t slotId) {
  const auto it = slots_.find(slotId);
  if (it == slots_.end()) {
    throw Error(KMS_ERR_NOT_FOUND, fmt::format("slot {} is not configured for this {} instance", slotId, model_.model));
  }
  return *it->second;
}

std::pair<bool, std::string> Instance::slotStatus(std::uint64_t slotId) {
  Slot& s = slot(slotId);
  CK_TOKEN_INFO info{};
  if (KMS_P11(call_, C_GetTokenInfo, s.id(), &info) != CKR_OK) return {false, {}};
  const std::string label = fixed(info.label, sizeof info.label);
  try {
    // A session that answers, logged in as configured (recovering a lost session on the way).
    s.run([&](CK_SESSION_HANDLE session) {
      CK_SESSION_INFO sessionInfo{};
      KMS_P11_CHECK(call_, s.id(), C_GetSessionInfo, session, &sessionInfo);
      return 0;
    });
  } catch (const Error&) {
    return {false, label};
  }
  return {true, label};
}

KeyInfo Instance::generate(const kms_generate_request& request) {
  Slot& s = slot(request.slot_id);
  return s.run([&](CK_SESSION_HANDLE session) { return KeyGenerator::generate(s, session, request); });
}

KeyInfo Instance::find(const KeyRef& ref) {
  Slot& s = slot(ref.slot);
  return s.run([&](CK_SESSION_HANDLE session) {
    const auto object =
        KeyFinder::select(s, session, ref, {CKO_SECRET_KEY, CKO_PRIVATE_KEY, CKO_PUBLIC_KEY}, "be described");
    auto info = KeyInfo::read(s, session, object);
    if (!info) {
      throw Error(KMS_ERR_NOT_SUPPORTED,
                  fmt::format("{} in slot {} is neither an AES nor an RSA key", ref.describe(), s.id()));
    }
    return *info;
  });
}

std::vector<KeyInfo> Instance::list(std::uint64_t slotId) {
  Slot& s = slot(slotId);
  return s.run([&](CK_SESSION_HANDLE session) {
    Template all;
    std::vector<KeyInfo> keys;
    for (const auto handle : KeyFinder::search(s, session, all)) {
      try {
        for (const auto& object : KeyFinder::classify(s, session, {handle})) {
          if (auto info = KeyInfo::read(s, session, object)) keys.push_back(std::move(*info));
        }
      } catch (const Error& e) {
        if (!unreadableObject(e.vendorCode())) throw;
        // One object the token cannot describe (seen: SoftHSM2's half-written object file after
        // its process was killed mid-create, CKR_ATTRIBUTE_VALUE_INVALID) is no key to list; failing
        // the listing would hide every key of the slot from Locate. Session, login, device and
        // stale-handle failures still fail the listing: run() recovers from those.
        host_.log(KMS_LOG_WARNING, fmt::format("{}: slot {}: object {} left out of the key listing: {}", model_.model,
                                               s.id(), handle, e.what()));
      }
    }
    return keys;
  });
}

SecureBytes Instance::exportKey(const KeyRef& ref, std::int32_t format) {
  Slot& s = slot(ref.slot);
  return s.run([&](CK_SESSION_HANDLE session) { return KeyExporter::exportKey(s, session, ref, format); });
}

void Instance::destroy(const KeyRef& ref) {
  Slot& s = slot(ref.slot);
  s.run([&](CK_SESSION_HANDLE session) {
    // By id: every object with it (an RSA pair goes as a whole). By label: that one object.
    const auto objects = KeyFinder::find(s, session, ref);
    if (objects.empty()) {
      throw Error(KMS_ERR_NOT_FOUND, fmt::format("{} not found in slot {}", ref.describe(), s.id()));
    }
    for (const auto& object : objects) {
      KMS_P11_CHECK(call_, s.id(), C_DestroyObject, session, object.handle);
    }
    // Any cached entry may name a destroyed handle (the pair under its other label or id).
    s.cache().clear();
    return 0;
  });
}

SecureBytes Instance::crypt(Operation operation, const KeyRef& ref, const CryptParams& params, ByteView input) {
  Slot& s = slot(ref.slot);
  return s.run([&](CK_SESSION_HANDLE session) { return Cipher::run(s, session, operation, ref, params, input); });
}

std::uint64_t Instance::cryptBound(Operation operation, const KeyRef& ref, const CryptParams& params,
                                   std::uint64_t inputLength) {
  Slot& s = slot(ref.slot);
  return s.run(
      [&](CK_SESSION_HANDLE session) { return Cipher::bound(s, session, operation, ref, params, inputLength); });
}

SecureBytes Instance::sign(const KeyRef& ref, const CryptParams& params, ByteView data) {
  Slot& s = slot(ref.slot);
  return s.run([&](CK_SESSION_HANDLE session) { return Signer::sign(s, session, ref, params, data); });
}

std::uint64_t Instance::signBound(const KeyRef& ref, const CryptParams& params) {
  Slot& s = slot(ref.slot);
  return s.run([&](CK_SESSION_HANDLE session) { return Signer::bound(s, session, ref, params); });
}

void Instance::random(std::uint64_t slotId, std::uint8_t* out, std::uint64_t length) {
  Slot& s = slot(slotId);
  const std::uint64_t chunk = settings_.maxDataChunk != 0 ? settings_.maxDataChunk : length;
  s.run([&](CK_SESSION_HANDLE session) {
    for (std::uint64_t offset = 0; offset < length; offset += chunk) {
      const auto part = static_cast<CK_ULONG>(std::min(chunk, length - offset));
      KMS_P11_CHECK(call_, s.id(), C_GenerateRandom, session, out + offset, part);
    }
    return 0;
  });
}

bool Instance::supports(std::uint64_t slotId, std::int32_t algorithm, std::int32_t hash) {
  Slot& s = slot(slotId);
  return Mechanism::supported(s, algorithm, hash, nullptr);
}

}  // namespace kms::pkcs11
