# Install rules and the find_package(KmsSdk) export of the driver SDK. Included by
# sdk/CMakeLists.txt after the targets kms_driver_headers, kms_pkcs11 and (add_subdirectory
# testkit) kms_testkit / kms-driver-check exist. Everything is in the COMPONENT "sdk", so that
#   cmake --install <build> --component sdk --prefix /tmp/x
# installs the SDK alone, and a driver then builds with -DCMAKE_PREFIX_PATH=/tmp/x.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(KMS_SDK_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/KmsSdk)
get_filename_component(KMS_SDK_ROOT ${CMAKE_CURRENT_LIST_DIR}/.. ABSOLUTE)

# The ABI version comes from the header, so the package can never disagree with it.
file(STRINGS ${KMS_SDK_ROOT}/include/kms/driver.h kms_abi_lines REGEX "#define KMS_DRIVER_ABI_(MAJOR|MINOR) ")
foreach(line ${kms_abi_lines})
  if(line MATCHES "#define (KMS_DRIVER_ABI_[A-Z]+) ([0-9]+)")
    set(${CMAKE_MATCH_1} ${CMAKE_MATCH_2})
  endif()
endforeach()

set_target_properties(kms_driver_headers PROPERTIES EXPORT_NAME driver_headers)
set_target_properties(kms_pkcs11 PROPERTIES EXPORT_NAME pkcs11)

install(FILES ${KMS_SDK_ROOT}/include/kms/driver.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/kms COMPONENT sdk)
file(GLOB kms_sdk_pkcs11_headers ${KMS_SDK_ROOT}/include/kms/pkcs11/*.hpp)
install(FILES ${kms_sdk_pkcs11_headers} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/kms/pkcs11 COMPONENT sdk)

set(kms_sdk_targets kms_driver_headers kms_pkcs11)
if(TARGET kms_testkit)
  file(GLOB kms_sdk_testkit_headers ${KMS_SDK_ROOT}/include/kms/testkit/*.hpp)
  install(FILES ${kms_sdk_testkit_headers} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/kms/testkit COMPONENT sdk)
  list(APPEND kms_sdk_targets kms_testkit)
  install(TARGETS kms-driver-check RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT sdk)
endif()
# The frozen ABI 1.0 header, for "old driver, new core" tests of one's own.
install(FILES ${KMS_SDK_ROOT}/testkit/abi-1.0/driver.h DESTINATION ${CMAKE_INSTALL_DATADIR}/kms-sdk/abi-1.0
        COMPONENT sdk)

install(TARGETS ${kms_sdk_targets} EXPORT KmsSdkTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT sdk
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT KmsSdkTargets NAMESPACE KmsSdk:: DESTINATION ${KMS_SDK_CMAKE_DIR} COMPONENT sdk)

configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/KmsSdkConfig.cmake.in
                              ${CMAKE_CURRENT_BINARY_DIR}/KmsSdkConfig.cmake
                              INSTALL_DESTINATION ${KMS_SDK_CMAKE_DIR}
                              PATH_VARS CMAKE_INSTALL_BINDIR)
# The SDK's version is kmsd's; SameMajorVersion mirrors the ABI rule (a major bump breaks).
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/KmsSdkConfigVersion.cmake
                                 VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/KmsSdkConfig.cmake ${CMAKE_CURRENT_BINARY_DIR}/KmsSdkConfigVersion.cmake
        DESTINATION ${KMS_SDK_CMAKE_DIR} COMPONENT sdk)
