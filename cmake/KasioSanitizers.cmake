# KASIO_SANITIZE=address,undefined (or thread) instruments every target of the build.
set(KASIO_SANITIZE "" CACHE STRING "Comma-separated -fsanitize= list for the whole build")
if(KASIO_SANITIZE)
  add_compile_options(-fsanitize=${KASIO_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${KASIO_SANITIZE})
endif()
