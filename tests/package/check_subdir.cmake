# cmake -P script: configure+build a project that adds kasio with add_subdirectory, run it.
file(REMOVE_RECURSE ${WORK_DIR})
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  set(last_output "${out}" PARENT_SCOPE)
endfunction()

set(launcher "")
if(LAUNCHER)
  set(launcher "-DCMAKE_CXX_COMPILER_LAUNCHER=${LAUNCHER}")
endif()
run(${CMAKE_COMMAND} -S ${CONSUMER_DIR} -B ${WORK_DIR}/build -G ${GENERATOR}
    -DKASIO_SOURCE_DIR=${KASIO_SOURCE_DIR} -DCMAKE_BUILD_TYPE=Release ${launcher}
    "-DCMAKE_CXX_FLAGS=${CONSUMER_FLAGS}" "-DCMAKE_EXE_LINKER_FLAGS=${CONSUMER_FLAGS}")
run(${CMAKE_COMMAND} --build ${WORK_DIR}/build -j2 --target kasio_subdir_consumer)
run(${WORK_DIR}/build/kasio_subdir_consumer)
if(NOT last_output MATCHES "kasio [0-9]+\\.[0-9]+\\.[0-9]+: NOT_LEADER_OR_FOLLOWER retriable")
  message(FATAL_ERROR "unexpected consumer output: ${last_output}")
endif()
