#include "SessionKiller.hpp"

#include <dlfcn.h>
#include <p11-kit/pkcs11.h>

#include <stdexcept>

namespace kms::hsm::test {

unsigned long closeAllSessions(const std::string& library, std::uint64_t slot) {
  // The same file dlopen'ed again is the same loaded library: its state is the engine's.
  void* handle = ::dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) throw std::runtime_error("cannot load " + library);
  auto getList = reinterpret_cast<CK_C_GetFunctionList>(::dlsym(handle, "C_GetFunctionList"));
  CK_FUNCTION_LIST* functions = nullptr;
  CK_RV rv = getList != nullptr ? getList(&functions) : CKR_FUNCTION_NOT_SUPPORTED;
  if (rv == CKR_OK) rv = functions->C_CloseAllSessions(static_cast<CK_SLOT_ID>(slot));
  ::dlclose(handle);
  return rv;
}

}  // namespace kms::hsm::test
