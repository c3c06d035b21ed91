# PostgreSQL store tests, and the ObjectStore/TokenStore contract run on SQLite and PostgreSQL.
#
# The ctest fixture `postgres` starts one throw-away server for the whole run
# (tests/support/postgres.py, which installs postgresql-15 when missing and we are root) and
# stops it at the end; tests that need it declare FIXTURES_REQUIRED postgres and read its URL
# from the file named by KMS_TEST_DATABASE_URL_FILE.
find_package(Python3 REQUIRED COMPONENTS Interpreter)
set(KMS_POSTGRES_STATE ${CMAKE_BINARY_DIR}/postgres-fixture)
add_test(NAME store.postgres.start
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tests/support/postgres.py start ${KMS_POSTGRES_STATE})
set_tests_properties(store.postgres.start PROPERTIES FIXTURES_SETUP postgres TIMEOUT 900)
add_test(NAME store.postgres.stop
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/tests/support/postgres.py stop ${KMS_POSTGRES_STATE})
set_tests_properties(store.postgres.stop PROPERTIES FIXTURES_CLEANUP postgres TIMEOUT 120)

kms_unit_test(kms_unit_store_contract StoreContractTest.cpp)
target_link_libraries(kms_unit_store_contract PRIVATE kms::store)

kms_unit_test(kms_unit_store_pg
  PgConnectionStringTest.cpp
  PgFrozenServerTest.cpp
  PgResilienceTest.cpp
  PgStoreTest.cpp
)
target_link_libraries(kms_unit_store_pg PRIVATE kms::store)

set_tests_properties(kms_unit_store_contract kms_unit_store_pg PROPERTIES
  FIXTURES_REQUIRED postgres
  # LSAN_OPTIONS only matters under KMS_SANITIZE: see PgLeakSuppressions.txt.
  ENVIRONMENT "KMS_TEST_DATABASE_URL_FILE=${KMS_POSTGRES_STATE}/url;LSAN_OPTIONS=suppressions=${CMAKE_CURRENT_SOURCE_DIR}/PgLeakSuppressions.txt"
  TIMEOUT 600
  LABELS "store;postgres")
