# cmake -P script (tests/layering/CMakeLists.txt): builds each case target and checks the
# outcome, then greps src/ for layering the include roots cannot enforce. Any failure fails.
set(failures "")
foreach(entry IN LISTS CASES)
  string(REPLACE ":" ";" parts "${entry}")
  list(GET parts 0 target)
  list(GET parts 1 expect)
  execute_process(COMMAND ${CMAKE_COMMAND} --build ${BUILD_DIR} --target ${target}
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  set(log "${out}${err}")
  if(expect STREQUAL "builds")
    if(NOT rc EQUAL 0)
      string(APPEND failures "${target} should build:\n${log}\n")
    endif()
  else()
    string(REPLACE "." "\\." header "${expect}")
    # GCC: "fatal error: net/x.hpp: No such file or directory"; Clang: "'net/x.hpp' file not found".
    if(rc EQUAL 0)
      string(APPEND failures "${target} built, but ${expect} must not be reachable from that layer\n")
    elseif(NOT log MATCHES "${header}: No such file or directory" AND NOT log MATCHES "'${header}' file not found")
      string(APPEND failures "${target} failed, but not for want of ${expect}:\n${log}\n")
    else()
      message(STATUS "${target}: refused (${expect} not found), as it should be")
    endif()
  endif()
endforeach()

# What include roots cannot stop. A layer's files as a list of globs.
function(grep_layer what regex)
  set(hits "")
  foreach(dir IN LISTS ARGN)
    file(GLOB_RECURSE files ${SOURCE_DIR}/src/${dir}/*.hpp ${SOURCE_DIR}/src/${dir}/*.cpp)
    foreach(f IN LISTS files)
      file(STRINGS ${f} lines REGEX "${regex}")
      foreach(line IN LISTS lines)
        file(RELATIVE_PATH rel ${SOURCE_DIR} ${f})
        string(APPEND hits "  ${rel}: ${line}\n")
      endforeach()
    endforeach()
  endforeach()
  if(hits)
    set(failures "${failures}${what}:\n${hits}" PARENT_SCOPE)
  endif()
endfunction()
grep_layer("an include that climbs out of its layer with .." "^[ \t]*#[ \t]*include[ \t]*\"[^\"]*\\.\\./"
  config core compression protocol net cluster producer consumer admin)
grep_layer("Asio in a sans-io layer (compression, protocol, core)" "^[ \t]*#[ \t]*include[ \t]*<boost/asio"
  config core compression protocol)
grep_layer("a client's public header below the clients" "^[ \t]*#[ \t]*include[ \t]*<kasio/(producer|consumer|admin|kasio)\\.hpp>"
  config core compression protocol net cluster)

if(failures)
  message(FATAL_ERROR "layering broken:\n${failures}")
endif()
