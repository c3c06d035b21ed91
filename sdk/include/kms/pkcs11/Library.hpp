#pragma once
// A loaded and initialised PKCS#11 library. PKCS#11 allows one C_Initialize per library per
// process, and most vendor libraries keep global state (connections, worker threads), so every
// driver instance naming the same library shares one Library through a process-wide registry
// with reference counts: the first acquire loads and initialises, the last release finalises
// and unloads - unless any opener asked for never_finalize (Proteccio's library cannot be
// initialised again after C_Finalize), in which case it stays loaded for the process lifetime.
//
// The registry is per driver .so (the engine is linked statically into each plugin). A second
// plugin using the same library sees CKR_CRYPTOKI_ALREADY_INITIALIZED, accepts it and then never
// finalises it itself.
#include <memory>
#include <string>

#include "kms/pkcs11/Pkcs11.hpp"

namespace kms::pkcs11 {

class Library {
 public:
  // Throws Error: KMS_ERR_INVALID_ARGUMENT when the file is missing or is not a PKCS#11
  // library, the mapped CK_RV status when C_Initialize fails.
  [[nodiscard]] static std::shared_ptr<Library> acquire(const std::string& path, bool neverFinalize);

  [[nodiscard]] CK_FUNCTION_LIST* functions() const noexcept { return functions_; }
  [[nodiscard]] const std::string& path() const noexcept { return path_; }
  // "SoftHSM project / Implementation of PKCS11 2.6, cryptoki 2.40": for the open log line.
  [[nodiscard]] const std::string& description() const noexcept { return description_; }
  // Whether the function list came from C_GetInterface (a PKCS#11 3.x library).
  [[nodiscard]] bool viaInterface() const noexcept { return viaInterface_; }

  Library(const Library&) = delete;
  Library& operator=(const Library&) = delete;
  ~Library();

 private:
  explicit Library(std::string path);
  void load();
  void initialize();
  void describe();
  static void release(Library* library) noexcept;

  std::string path_;
  void* handle_ = nullptr;
  CK_FUNCTION_LIST* functions_ = nullptr;
  bool initializedHere_ = false;
  bool neverFinalize_ = false;
  bool viaInterface_ = false;
  unsigned references_ = 0;
  std::string description_;
};

}  // namespace kms::pkcs11
