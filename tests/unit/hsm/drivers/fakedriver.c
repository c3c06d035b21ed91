/*
 * Broken drivers, one per refusal the host must make before calling anything (docs/abi.md,
 * "What the host checks"). Compiled once per FAKE_* variant:
 *   FAKE_FUTURE      a 2.0 table handed out regardless of the host's version
 *   FAKE_REFUSE      kms_driver_get answers KMS_ERR_NOT_SUPPORTED (a 2.x-only driver)
 *   FAKE_SHORT       a table whose struct_size is below the 1.0 members
 *   FAKE_NOSYMBOL    no kms_driver_get at all
 *   FAKE_MODEL       declares model "softhsm2" whatever its file is called
 */
#include <stddef.h>

#include "kms/driver.h"

static kms_status fake_open(const kms_open_params* params, kms_instance** instance, kms_error* error) {
  (void)params, (void)instance, (void)error;
  return KMS_ERR_INTERNAL;
}

static void fake_close(kms_instance* instance) {
  (void)instance;
}

#if defined(FAKE_MODEL)
#define MODEL "softhsm2"
#else
#define MODEL FAKE_NAME
#endif

#if defined(FAKE_FUTURE)
#define MAJOR 2
#else
#define MAJOR 1
#endif

static const kms_driver_info g_info = {sizeof(kms_driver_info), MAJOR, 0, MODEL, "0", NULL, KMS_THREAD_SAFE, 0, 0};

#if defined(FAKE_SHORT)
#define TABLE_SIZE 16
#else
#define TABLE_SIZE sizeof(kms_driver_v1)
#endif

static const kms_driver_v1 g_table = {TABLE_SIZE, MAJOR, 0, &g_info, fake_open, fake_close, 0, 0, 0, 0,
                                      0,          0,     0, 0,       0,         0,          0, 0, 0};

#if defined(FAKE_NOSYMBOL)
KMS_DRIVER_EXPORT kms_status kms_driver_get_v2(uint16_t major, uint16_t minor, const kms_driver_v1** table);
KMS_DRIVER_EXPORT kms_status kms_driver_get_v2(uint16_t major, uint16_t minor, const kms_driver_v1** table) {
  (void)major, (void)minor;
  *table = &g_table;
  return KMS_OK;
}
#else
KMS_DRIVER_EXPORT kms_status kms_driver_get(uint16_t major, uint16_t minor, const kms_driver_v1** table) {
  (void)major, (void)minor;
#if defined(FAKE_REFUSE)
  *table = major == 0xFFFF ? &g_table : NULL; /* a 65535.x host would be served: not us */
  return KMS_ERR_NOT_SUPPORTED;
#else
  *table = &g_table;
  return KMS_OK;
#endif
}
#endif
