# Installs the library and exports kasio::kasio for find_package(kasio CONFIG).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS kasio EXPORT kasioTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
# The exporters' headers stay out: their libraries (exporters/) are not installed.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/kasio DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.hpp" PATTERN "exporters" EXCLUDE)
install(DIRECTORY ${KASIO_GENERATED_INCLUDE_DIR}/kasio DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT kasioTargets NAMESPACE kasio:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/kasio)

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/kasioConfig.cmake.in
  ${PROJECT_BINARY_DIR}/kasioConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/kasio)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/kasioConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/kasioConfig.cmake ${PROJECT_BINARY_DIR}/kasioConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/kasio)
