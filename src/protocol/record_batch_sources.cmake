# Record batches (v2 encode and decode, legacy v0/v1 decode) and CRC-32C.
# Included from src/protocol/CMakeLists.txt.
target_sources(kasio_protocol PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/crc32c.cpp
  ${CMAKE_CURRENT_LIST_DIR}/legacy_message_set.cpp
  ${CMAKE_CURRENT_LIST_DIR}/record_batch.cpp
  ${CMAKE_CURRENT_LIST_DIR}/record_batch_builder.cpp
  ${CMAKE_CURRENT_LIST_DIR}/record_batch_decoder.cpp)
