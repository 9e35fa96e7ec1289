# KASIO_SANITIZE=address,undefined (or thread) instruments every target of the build.
set(KASIO_SANITIZE "" CACHE STRING "Comma-separated -fsanitize= list for the whole build")
if(KASIO_SANITIZE)
  add_compile_options(-fsanitize=${KASIO_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${KASIO_SANITIZE})
  if(KASIO_SANITIZE MATCHES "thread" AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # g++ 12 warns that TSan does not model atomic_thread_fence, used in Asio's headers.
    add_compile_options(-Wno-tsan)
  endif()
endif()
