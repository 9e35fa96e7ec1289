# Golden vectors: message bodies from other Kafka implementations' unit tests, plus hand-built
# ones from the protocol guide (tests/data/golden_vectors/README.md). Included from
# tests/unit/protocol/CMakeLists.txt.
kasio_test(golden_vectors_tests ${CMAKE_CURRENT_LIST_DIR}/golden_vectors_test.cpp)
# The registry of generated message types (find_message_type) lives in the testing library.
target_link_libraries(golden_vectors_tests PRIVATE kasio_protocol_testing)
