#include "kms/pkcs11/Library.hpp"

#include <dlfcn.h>
#include <fmt/format.h>

#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>

#include "kms/pkcs11/Error.hpp"
#include "kms/pkcs11/ReturnCodes.hpp"

namespace kms::pkcs11 {

namespace {

struct Registry {
  std::mutex mutex;
  std::map<std::string, Library*> libraries;  // canonical path -> live library
};

// Leaked on purpose: a library pinned by never_finalize must outlive static destruction, and
// nothing may call into a vendor library from an atexit handler.
Registry& registry() {
  static auto* instance = new Registry();
  return *instance;
}

std::string fixed(const unsigned char* text, std::size_t size) {
  std::string out(reinterpret_cast<const char*>(text), size);
  while (!out.empty() && (out.back() == ' ' || out.back() == '\0')) out.pop_back();
  return out;
}

}  // namespace

Library::Library(std::string path) : path_(std::move(path)) {}

std::shared_ptr<Library> Library::acquire(const std::string& path, bool neverFinalize) {
  std::error_code ec;
  if (path.empty() || !std::filesystem::is_regular_file(path, ec)) {
    throw Error(KMS_ERR_INVALID_ARGUMENT, fmt::format("PKCS#11 library {} not found", path.empty() ? "(none)" : path));
  }
  std::string canonical = std::filesystem::canonical(path, ec).string();
  if (ec) canonical = path;

  auto& reg = registry();
  const std::lock_guard lock(reg.mutex);
  Library* library = nullptr;
  if (auto it = reg.libraries.find(canonical); it != reg.libraries.end()) {
    library = it->second;
  } else {
    auto fresh = std::unique_ptr<Library>(new Library(canonical));
    fresh->load();
    fresh->initialize();
    fresh->describe();
    library = fresh.release();
    reg.libraries.emplace(canonical, library);
  }
  library->neverFinalize_ = library->neverFinalize_ || neverFinalize;
  ++library->references_;
  return std::shared_ptr<Library>(library, &Library::release);
}

void Library::release(Library* library) noexcept {
  auto& reg = registry();
  const std::lock_guard lock(reg.mutex);
  if (--library->references_ > 0) return;
  if (library->neverFinalize_) return;  // stays registered: the next acquire reuses it
  reg.libraries.erase(library->path_);
  delete library;
}

Library::~Library() {
  if (functions_ != nullptr && initializedHere_ && !neverFinalize_) {
    functions_->C_Finalize(nullptr);
  }
  if (handle_ != nullptr && !neverFinalize_) dlclose(handle_);
}

void Library::load() {
  // RTLD_LOCAL: two vendors' libraries often export the same helper symbols (OpenSSL copies,
  // logging); they must not resolve against each other.
  handle_ = dlopen(path_.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle_ == nullptr) {
    const char* why = dlerror();
    throw Error(KMS_ERR_INVALID_ARGUMENT,
                fmt::format("cannot load PKCS#11 library {}: {}", path_, why != nullptr ? why : "unknown error"));
  }
  // A PKCS#11 3.x library hands out its 3.0 function list through C_GetInterface; its first
  // members are the 2.40 list. Ask for 3.0 first, then for the library's default interface.
  if (auto getInterface = reinterpret_cast<KMS_CK_C_GetInterface>(dlsym(handle_, "C_GetInterface"))) {
    CK_UTF8CHAR name[] = "PKCS 11";
    CK_VERSION v30{3, 0};
    KMS_CK_INTERFACE* iface = nullptr;
    CK_RV rv = getInterface(name, &v30, &iface, 0);
    if (rv != CKR_OK || iface == nullptr) rv = getInterface(name, nullptr, &iface, 0);
    if (rv == CKR_OK && iface != nullptr && iface->pFunctionList != nullptr) {
      functions_ = static_cast<CK_FUNCTION_LIST*>(iface->pFunctionList);
      viaInterface_ = true;
      return;
    }
  }
  auto getFunctionList = reinterpret_cast<CK_C_GetFunctionList>(dlsym(handle_, "C_GetFunctionList"));
  if (getFunctionList == nullptr) {
    throw Error(KMS_ERR_INVALID_ARGUMENT,
                fmt::format("{} is not a PKCS#11 library (no C_GetInterface or C_GetFunctionList)", path_));
  }
  const CK_RV rv = getFunctionList(&functions_);
  if (rv != CKR_OK || functions_ == nullptr) {
    throw Error(ReturnCodes::status(rv), fmt::format("C_GetFunctionList failed: {} ({})", ReturnCodes::name(rv), path_),
                rv);
  }
}

void Library::initialize() {
  // CKF_OS_LOCKING_OK: the engine calls from several threads; the library may use OS locks.
  CK_C_INITIALIZE_ARGS args{};
  args.flags = CKF_OS_LOCKING_OK;
  CK_RV rv = functions_->C_Initialize(&args);
  if (rv == CKR_CANT_LOCK) rv = functions_->C_Initialize(nullptr);  // single-threaded library
  if (rv == CKR_CRYPTOKI_ALREADY_INITIALIZED) return;               // someone else in the process owns it
  if (rv != CKR_OK) {
    throw Error(ReturnCodes::status(rv), fmt::format("C_Initialize failed: {} ({})", ReturnCodes::name(rv), path_), rv);
  }
  initializedHere_ = true;
}

void Library::describe() {
  CK_INFO info{};
  if (functions_->C_GetInfo(&info) != CKR_OK) {
    description_ = path_;
    return;
  }
  description_ = fmt::format("{} / {} {}.{}, cryptoki {}.{}", fixed(info.manufacturerID, sizeof info.manufacturerID),
                             fixed(info.libraryDescription, sizeof info.libraryDescription), info.libraryVersion.major,
                             info.libraryVersion.minor, info.cryptokiVersion.major, info.cryptokiVersion.minor);
}

}  // namespace kms::pkcs11
