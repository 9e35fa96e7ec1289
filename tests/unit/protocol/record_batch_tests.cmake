# Record batch and CRC-32C unit tests; included from tests/unit/protocol/CMakeLists.txt.
kasio_test(record_batch_tests
  ${CMAKE_CURRENT_LIST_DIR}/crc32c_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/record_batch_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/record_batch_builder_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/record_batch_alloc_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/record_batch_fuzz_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/record_batch_golden_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/legacy_message_set_test.cpp)
# The legacy tests compute message CRCs with zlib's crc32.
target_link_libraries(record_batch_tests PRIVATE z)
