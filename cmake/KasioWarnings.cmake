# kasio_warnings(target): the project's warning set; -Werror when KASIO_WERROR is on.
function(kasio_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor)
  if(KASIO_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
