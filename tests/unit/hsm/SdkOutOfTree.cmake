# ctest -P script: the SDK as a vendor gets it. Installs the "sdk" component of BUILD_DIR into a
# temporary prefix, builds sdk/examples/minimal-driver out of tree with find_package(KmsSdk),
# and runs the installed kms-driver-check on the result against a fresh SoftHSM2 token.
# Inputs: BUILD_DIR, SOURCE_DIR (the repository), WORK_DIR, PYTHON.
foreach(var BUILD_DIR SOURCE_DIR WORK_DIR PYTHON)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "SdkOutOfTree.cmake: ${var} is not set")
  endif()
endforeach()

file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)

function(step)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  set(step_output "${out}" PARENT_SCOPE)
endfunction()

step(${CMAKE_COMMAND} --install ${BUILD_DIR} --component sdk --prefix ${prefix})
# A sanitizer build installs an instrumented engine; the vendor's driver must then link the
# same runtime, as a vendor would when checking their driver under ASan.
set(example_flags)
if(SANITIZE)
  set(example_flags -DCMAKE_CXX_FLAGS=-fsanitize=address,undefined
                    -DCMAKE_MODULE_LINKER_FLAGS=-fsanitize=address,undefined)
endif()
step(${CMAKE_COMMAND} -S ${SOURCE_DIR}/sdk/examples/minimal-driver -B ${WORK_DIR}/example -G Ninja
     -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_BUILD_TYPE=RelWithDebInfo ${example_flags})
step(${CMAKE_COMMAND} --build ${WORK_DIR}/example)

step(${PYTHON} ${SOURCE_DIR}/tests/support/softhsm.py init ${WORK_DIR}/tokens --tokens 1 --label-prefix sdk)
string(JSON conf GET "${step_output}" conf)
string(JSON library GET "${step_output}" library)
string(JSON slot GET "${step_output}" tokens 0 slot_id)
string(JSON pin GET "${step_output}" tokens 0 pin)
set(ENV{SOFTHSM2_CONF} ${conf})
set(ENV{KMS_EXAMPLE_PIN} ${pin})

# oaep_hashes=sha1: the token behind the example is SoftHSM2, which accepts OAEP with SHA-1 only.
execute_process(COMMAND ${prefix}/bin/kms-driver-check --driver ${WORK_DIR}/example/libkms_example.so
                        --library ${library} --slot ${slot} --pin-env KMS_EXAMPLE_PIN --setting oaep_hashes=sha1
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}${err}")
file(REMOVE_RECURSE ${WORK_DIR})
if(NOT rc EQUAL 0 OR NOT out MATCHES "kms-driver-check: [0-9]+ passed, 0 failed, 0 skipped")
  message(FATAL_ERROR "kms-driver-check did not pass the out-of-tree example driver (exit ${rc})")
endif()
