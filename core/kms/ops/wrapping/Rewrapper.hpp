#pragma once
// Key-encryption-key rotation (issue 7, docs/wrapped-keys.md): every object the server wrapped
// under one HSM key is unwrapped and wrapped again under another, in the HSM, one object per
// transaction. The store's version check makes a concurrent change win: that object is counted
// as failed and the next call takes it again.
//
// `from` == `to` migrates in place: only the objects still in the legacy AES-GCM form (kmsd
// before issue 22) are re-wrapped, under the same key, with the current scheme; `remaining`
// then counts the legacy ones left.
//
// Only an hsm_admin of both keys' HSMs may re-wrap (PermissionDenied). A caller who is not
// learns nothing of the configuration: an unknown instance and one they do not administer
// answer alike, and before any other check; an admin is then told about an unknown slot or key.
#include <cstddef>
#include <string>

#include "kms/ops/OperationContext.hpp"
#include "kms/ops/RequestProcessor.hpp"

namespace kms::ops::wrapping {

class Rewrapper {
 public:
  // As ctx.request.user, authorized here. `limit` 0: every object (in place: at most `limit`
  // re-wrapped).
  static RewrapResult run(OperationContext& ctx, const std::string& from, const std::string& to, std::size_t limit);

 private:
  // run() once authorized.
  static RewrapResult rewrap(OperationContext& ctx, const std::string& from, const std::string& to, std::size_t limit);
};

}  // namespace kms::ops::wrapping
