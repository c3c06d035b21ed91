/*
 * kms/driver.h: the stable C ABI between kmsd and an HSM driver plugin.
 *
 * A driver is a shared object exporting one symbol, kms_driver_get(). kmsd calls it with the
 * ABI version it speaks and receives a table of functions. Everything that crosses this
 * boundary is C with fixed-width types; no C++ type, exception or allocator crosses it.
 *
 * Evolution rules (docs/abi.md has the full policy):
 *  - Every struct starts with `struct_size`; members are only ever appended. A reader uses a
 *    member only when `struct_size` shows the writer knew it (KMS_HAS_MEMBER).
 *  - A NULL function pointer means "not supported".
 *  - ABI major bump = incompatible change; minor bump = members or functions appended.
 *  - Every function takes the instance handle first, and reports failure as a kms_status plus
 *    a kms_error (category, raw vendor code, message). No function may let an exception or a
 *    signal escape.
 *  - Variable-size outputs follow the PKCS#11 two-call convention: pass out == NULL to learn
 *    the length in *out_len; a too-small buffer yields KMS_ERR_BUFFER_TOO_SMALL with the
 *    needed length in *out_len.
 */
#ifndef KMS_DRIVER_H
#define KMS_DRIVER_H

#include <stddef.h> /* offsetof, for KMS_HAS_MEMBER */
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KMS_DRIVER_ABI_MAJOR 1
#define KMS_DRIVER_ABI_MINOR 0
#define KMS_DRIVER_ENTRY_SYMBOL "kms_driver_get"

#if defined(__GNUC__)
#define KMS_DRIVER_EXPORT __attribute__((visibility("default")))
#else
#define KMS_DRIVER_EXPORT
#endif

/* True when a struct written with `size` bytes contains `member` of `type`. */
#define KMS_HAS_MEMBER(ptr, type, member) \
  ((ptr)->struct_size >= (uint32_t)(offsetof(type, member) + sizeof(((type*)0)->member)))

/* ---- Status: a closed set of categories. ---------------------------------------------- */
typedef int32_t kms_status;
#define KMS_OK 0
#define KMS_ERR_INVALID_ARGUMENT 1   /* the request is malformed or a value is out of range */
#define KMS_ERR_NOT_SUPPORTED 2      /* mechanism, key type or function the device lacks */
#define KMS_ERR_NOT_FOUND 3          /* no such key or slot */
#define KMS_ERR_ALREADY_EXISTS 4     /* a key with that label exists */
#define KMS_ERR_AUTH_FAILED 5        /* wrong PIN, not logged in after a retry */
#define KMS_ERR_PERMISSION_DENIED 6  /* the key's attributes forbid it (sensitive export...) */
#define KMS_ERR_DEVICE_UNAVAILABLE 7 /* transient: token absent, device removed, timeout */
#define KMS_ERR_DEVICE_ERROR 8       /* the device failed the operation (bad data, bad tag) */
#define KMS_ERR_BUFFER_TOO_SMALL 9   /* *out_len holds the length needed */
#define KMS_ERR_INTERNAL 10          /* a bug in the driver */

#define KMS_ERROR_MESSAGE_SIZE 256

typedef struct kms_error {
  uint32_t struct_size;
  kms_status status;
  uint64_t vendor_code;                 /* raw CK_RV, or 0 */
  char message[KMS_ERROR_MESSAGE_SIZE]; /* NUL-terminated; never holds a PIN or key bytes */
} kms_error;

/* ---- Host services, handed to the driver at open. ------------------------------------- */
#define KMS_LOG_ERROR 0
#define KMS_LOG_WARNING 1
#define KMS_LOG_INFO 2
#define KMS_LOG_DEBUG 3
#define KMS_LOG_TRACE 4

typedef struct kms_host_services {
  uint32_t struct_size;
  void* host_context;
  /* Drivers never print: they log through the host. The message holds no secret. */
  void (*log)(void* host_context, int32_t level, const char* message);
  /* Wipes memory that held secrets, in a way the compiler cannot elide. */
  void (*zeroize)(void* data, uint64_t length);
} kms_host_services;

/* ---- Driver description. -------------------------------------------------------------- */
/* How the host must serialize calls into one instance. */
#define KMS_THREAD_SAFE 0           /* any call from any thread at any time */
#define KMS_THREAD_SERIALIZE_SLOT 1 /* at most one call at a time per slot */
#define KMS_THREAD_SERIALIZE_ALL 2  /* at most one call at a time per instance */

/* Capability flags: what the device behind the driver can do at all. */
#define KMS_CAP_AES_GCM (UINT64_C(1) << 0)
#define KMS_CAP_RSA_OAEP_SHA1 (UINT64_C(1) << 1)
#define KMS_CAP_RSA_OAEP_SHA256 (UINT64_C(1) << 2)
#define KMS_CAP_RSA_PKCS1 (UINT64_C(1) << 3)
#define KMS_CAP_AES_KEY_WRAP_PAD (UINT64_C(1) << 4)
#define KMS_CAP_AES_GCM_WRAP (UINT64_C(1) << 5)
#define KMS_CAP_RSA_PSS (UINT64_C(1) << 6)
#define KMS_CAP_RANDOM (UINT64_C(1) << 7)

typedef struct kms_driver_info {
  uint32_t struct_size;
  uint16_t abi_major; /* the ABI the driver was built against */
  uint16_t abi_minor;
  const char* model;           /* configuration name: "softhsm2", "proteccio", "other", ... */
  const char* driver_version;  /* the driver's own version text */
  const char* default_library; /* default PKCS#11 library path, or NULL when none */
  int32_t thread_model;        /* KMS_THREAD_* */
  uint32_t reserved;
  uint64_t capabilities; /* KMS_CAP_*: what the driver implements; the token may lack
                          * some, which `supports` tells per slot */
} kms_driver_info;

/* ---- Opening an instance. -------------------------------------------------------------- */
#define KMS_LOGIN_USER 0     /* log in as CKU_USER with the password */
#define KMS_LOGIN_NULL_PIN 1 /* log in as CKU_USER with a NULL PIN (configured as "") */
#define KMS_LOGIN_NONE 2     /* do not log in (configured as "<NO_LOGIN>") */

typedef struct kms_slot_config {
  uint32_t struct_size;
  int32_t login_mode; /* KMS_LOGIN_* */
  uint64_t slot_id;
  const uint8_t* password; /* KMS_LOGIN_USER only; not NUL-terminated */
  uint32_t password_length;
  uint32_t reserved;
} kms_slot_config;

/* A named quirk setting, e.g. {"max_data_chunk", "1024"}. Unknown names are refused at open
 * with KMS_ERR_INVALID_ARGUMENT so that a typo never goes unnoticed. */
typedef struct kms_setting {
  const char* name;
  const char* value;
} kms_setting;

typedef struct kms_open_params {
  uint32_t struct_size;
  uint32_t slot_count;
  const char* library_path; /* NULL: the driver's default (or <MODEL>_PKCS11_LIB) */
  const kms_slot_config* slots;
  const kms_setting* settings;
  uint32_t setting_count;
  uint32_t reserved;
  const kms_host_services* host;
} kms_open_params;

typedef struct kms_instance kms_instance; /* opaque, owned by the driver */

/* ---- Keys. ------------------------------------------------------------------------------ */
#define KMS_KEY_AES 1
#define KMS_KEY_RSA_PRIVATE 2
#define KMS_KEY_RSA_PUBLIC 3

#define KMS_KEY_SENSITIVE (UINT32_C(1) << 0)
#define KMS_KEY_EXTRACTABLE (UINT32_C(1) << 1)

#define KMS_USE_ENCRYPT (UINT32_C(1) << 0)
#define KMS_USE_DECRYPT (UINT32_C(1) << 1)
#define KMS_USE_SIGN (UINT32_C(1) << 2)
#define KMS_USE_VERIFY (UINT32_C(1) << 3)
#define KMS_USE_WRAP (UINT32_C(1) << 4)
#define KMS_USE_UNWRAP (UINT32_C(1) << 5)

/* Identifies a key in a slot: by CKA_ID when id_length > 0, else by CKA_LABEL. */
typedef struct kms_key_ref {
  uint32_t struct_size;
  uint32_t id_length;
  uint64_t slot_id;
  const char* label; /* NUL-terminated */
  const uint8_t* id;
} kms_key_ref;

#define KMS_LABEL_SIZE 128
#define KMS_ID_SIZE 64

typedef struct kms_key_info {
  uint32_t struct_size;
  int32_t key_type; /* KMS_KEY_* */
  uint32_t bits;    /* AES key or RSA modulus length */
  uint32_t flags;   /* KMS_KEY_SENSITIVE | KMS_KEY_EXTRACTABLE */
  uint32_t usage;   /* KMS_USE_* */
  uint32_t id_length;
  uint64_t slot_id;
  char label[KMS_LABEL_SIZE];
  uint8_t id[KMS_ID_SIZE];
} kms_key_info;

typedef struct kms_generate_request {
  uint32_t struct_size;
  int32_t key_type; /* KMS_KEY_AES or KMS_KEY_RSA_PRIVATE (makes the pair) */
  uint64_t slot_id;
  const char* label; /* the private key's label; the public key gets label + "_pk" */
  const uint8_t* id; /* optional CKA_ID */
  uint32_t id_length;
  uint32_t bits;
  uint32_t flags; /* KMS_KEY_SENSITIVE | KMS_KEY_EXTRACTABLE */
  uint32_t usage; /* KMS_USE_*; 0 = the usual set for the key type */
} kms_generate_request;

/* Export formats: raw secret bytes, or DER. */
#define KMS_FORMAT_RAW 1   /* AES key bytes */
#define KMS_FORMAT_PKCS1 2 /* RSAPublicKey or RSAPrivateKey DER */
#define KMS_FORMAT_PKCS8 3 /* PrivateKeyInfo DER */
#define KMS_FORMAT_SPKI 4  /* SubjectPublicKeyInfo DER */

/* ---- Cryptographic operations. --------------------------------------------------------- */
#define KMS_ALG_AES_GCM 1
#define KMS_ALG_RSA_OAEP 2
#define KMS_ALG_RSA_PKCS1 3
#define KMS_ALG_AES_KEY_WRAP_PAD 4 /* RFC 5649, key wrap only */
#define KMS_ALG_RSA_PSS 5          /* sign only */
#define KMS_ALG_RSA_PKCS1_SIGN 6   /* sign only: PKCS#1 v1.5 with DigestInfo */

#define KMS_HASH_SHA1 1
#define KMS_HASH_SHA224 2
#define KMS_HASH_SHA256 3
#define KMS_HASH_SHA384 4
#define KMS_HASH_SHA512 5

typedef struct kms_crypt_params {
  uint32_t struct_size;
  int32_t algorithm; /* KMS_ALG_* */
  int32_t hash;      /* OAEP/PSS/sign digest, KMS_HASH_*; 0 = SHA-256 */
  int32_t mgf_hash;  /* OAEP/PSS MGF1 digest, KMS_HASH_*; 0 = same as hash */
  const uint8_t* iv; /* AES-GCM: 12 bytes; the caller always supplies it */
  uint32_t iv_length;
  uint32_t tag_length; /* AES-GCM tag bytes appended to the ciphertext; 0 = 16 */
  const uint8_t* aad;
  uint32_t aad_length;
  uint32_t salt_length; /* PSS; 0 = the digest length */
} kms_crypt_params;

/* ---- The function table. ---------------------------------------------------------------- */
typedef struct kms_driver_v1 {
  uint32_t struct_size;
  uint16_t abi_major;
  uint16_t abi_minor;
  const kms_driver_info* info;

  kms_status (*open)(const kms_open_params* params, kms_instance** instance, kms_error* error);
  void (*close)(kms_instance* instance);

  /* Live probe of a configured slot: token present and answering. *accessible is 0 or 1;
   * token_label receives the token's label (NUL-terminated, up to 33 bytes). */
  kms_status (*slot_status)(kms_instance* instance, uint64_t slot_id, int32_t* accessible, char* token_label,
                            uint32_t token_label_size, kms_error* error);

  kms_status (*generate_key)(kms_instance* instance, const kms_generate_request* request, kms_key_info* created,
                             kms_error* error);
  kms_status (*find_key)(kms_instance* instance, const kms_key_ref* key, kms_key_info* found, kms_error* error);
  /* Calls visit once per key in the slot; a non-zero return from visit stops the walk. */
  kms_status (*list_keys)(kms_instance* instance, uint64_t slot_id,
                          int32_t (*visit)(void* context, const kms_key_info* key), void* context, kms_error* error);
  kms_status (*export_key)(kms_instance* instance, const kms_key_ref* key, int32_t format, uint8_t* out,
                           uint64_t* out_length, kms_error* error);
  /* By CKA_ID every object with that id goes (an RSA pair as a whole); by label that object. */
  kms_status (*destroy_key)(kms_instance* instance, const kms_key_ref* key, kms_error* error);

  /* AES-GCM output is ciphertext || tag. With out == NULL, *out_len receives an upper bound
   * (exact for AES-GCM); the call that fills out sets the exact length. */
  kms_status (*encrypt)(kms_instance* instance, const kms_key_ref* key, const kms_crypt_params* params,
                        const uint8_t* in, uint64_t in_length, uint8_t* out, uint64_t* out_length, kms_error* error);
  kms_status (*decrypt)(kms_instance* instance, const kms_key_ref* key, const kms_crypt_params* params,
                        const uint8_t* in, uint64_t in_length, uint8_t* out, uint64_t* out_length, kms_error* error);
  /* Wraps key material given by the host (in) under the HSM key: the host's KMS keys never
   * become token objects. unwrap returns the clear material to the host. */
  kms_status (*wrap)(kms_instance* instance, const kms_key_ref* wrapping_key, const kms_crypt_params* params,
                     const uint8_t* in, uint64_t in_length, uint8_t* out, uint64_t* out_length, kms_error* error);
  kms_status (*unwrap)(kms_instance* instance, const kms_key_ref* wrapping_key, const kms_crypt_params* params,
                       const uint8_t* in, uint64_t in_length, uint8_t* out, uint64_t* out_length, kms_error* error);
  /* data is the message: the device hashes it (hash-and-sign mechanisms). */
  kms_status (*sign)(kms_instance* instance, const kms_key_ref* key, const kms_crypt_params* params,
                     const uint8_t* data, uint64_t data_length, uint8_t* signature, uint64_t* signature_length,
                     kms_error* error);
  kms_status (*random)(kms_instance* instance, uint64_t slot_id, uint8_t* out, uint64_t length, kms_error* error);
  /* Whether the slot's token supports a mechanism (KMS_ALG_* with hash): 1 yes, 0 no. */
  kms_status (*supports)(kms_instance* instance, uint64_t slot_id, int32_t algorithm, int32_t hash, int32_t* supported,
                         kms_error* error);
} kms_driver_v1;

/*
 * The one exported symbol. kmsd passes the ABI it speaks; the driver returns KMS_OK and its
 * table when it can serve that major version, else KMS_ERR_NOT_SUPPORTED (and *table NULL).
 */
typedef kms_status (*kms_driver_get_fn)(uint16_t host_abi_major, uint16_t host_abi_minor, const kms_driver_v1** table);

KMS_DRIVER_EXPORT kms_status kms_driver_get(uint16_t host_abi_major, uint16_t host_abi_minor,
                                            const kms_driver_v1** table);

#ifdef __cplusplus
}
#endif

#endif /* KMS_DRIVER_H */
