#pragma once
// The PKCS#11 declarations the engine uses: Debian's p11-kit header (PKCS#11 2.40) plus the few
// PKCS#11 3.0 items it lacks. Include this header, never <p11-kit/pkcs11.h> directly:
//  - p11-kit renames struct members with lower-case macros (`value`, `count`, `slot_id`,
//    `reserved`, ...) that would silently rewrite kms/driver.h members. It #undefs most of them
//    itself; the ones it forgets are #undef'd below.
//  - PKCS#11 3.0 adds C_GetInterface, through which a 3.0 module hands out its function list.
//    The 3.0 CK_FUNCTION_LIST_3_0 starts with exactly the 2.40 members, so the engine reads it
//    through the 2.40 CK_FUNCTION_LIST type and needs only CK_INTERFACE and the C_GetInterface
//    prototype, declared here with the 3.0 specification's layout.
#include <p11-kit/pkcs11.h>

#undef aad_len
#undef aad_ptr
#undef ck_rsa_pkcs_mgf_type_t
#undef ck_rsa_pkcs_oaep_source_type_t
#undef counter_bits
#undef data_params
#undef hash_alg
#undef iv_bits
#undef iv_len
#undef iv_ptr
#undef public_data
#undef public_data_len
#undef s_len
#undef shared_data
#undef shared_data_len
#undef source_data
#undef source_data_len
#undef string_data
#undef string_data_len
#undef tag_bits

extern "C" {

// PKCS#11 3.0, section 5.1.6 (CK_INTERFACE). pFunctionList points at a CK_FUNCTION_LIST_3_0
// whose leading members are those of CK_FUNCTION_LIST.
typedef struct KMS_CK_INTERFACE {
  CK_UTF8CHAR* pInterfaceName;
  CK_VOID_PTR pFunctionList;
  CK_FLAGS flags;
} KMS_CK_INTERFACE;

// PKCS#11 3.0, section 5.4 (C_GetInterface).
typedef CK_RV (*KMS_CK_C_GetInterface)(CK_UTF8CHAR* pInterfaceName, CK_VERSION* pVersion,
                                       KMS_CK_INTERFACE** ppInterface, CK_FLAGS flags);

}  // extern "C"

namespace kms::pkcs11 {

// PKCS#11 2.40 errata and 3.0 define CK_GCM_PARAMS with ulIvBits (p11-kit's header has it);
// the 2.40 specification text and some vendor libraries built from it do not. The quirk
// `gcm_legacy_params` selects this layout for such libraries.
struct LegacyGcmParams {
  CK_BYTE* pIv;
  CK_ULONG ulIvLen;
  CK_BYTE* pAAD;
  CK_ULONG ulAADLen;
  CK_ULONG ulTagBits;
};

}  // namespace kms::pkcs11
