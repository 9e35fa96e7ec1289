# cmake -P script: docs/migrating.md's property table lists every row of kasio's property table
# (src/config/properties.cpp) with its librdkafka aliases, so a property or alias added there
# fails this test until the migration guide shows it.
#
#   PROPERTIES_CPP  src/config/properties.cpp
#   GUIDE           docs/migrating.md
cmake_minimum_required(VERSION 3.25)
file(READ ${PROPERTIES_CPP} source)
file(READ ${GUIDE} guide)
# A row starts: {prop::id, "name", "alias1,alias2", ...
string(REGEX MATCHALL "\\{prop::[a-z0-9_]+, \"[^\"]+\", \"[^\"]*\"" rows "${source}")
list(LENGTH rows count)
if(count LESS 10)
  message(FATAL_ERROR "found only ${count} properties in ${PROPERTIES_CPP}: has the table's layout changed?")
endif()
set(missing "")
foreach(row IN LISTS rows)
  string(REGEX REPLACE "^\\{prop::[a-z0-9_]+, \"([^\"]+)\", \"([^\"]*)\"$" "\\1" name "${row}")
  string(REGEX REPLACE "^\\{prop::[a-z0-9_]+, \"([^\"]+)\", \"([^\"]*)\"$" "\\2" aliases "${row}")
  if(aliases STREQUAL "")
    set(cell "-")
  else()
    string(REPLACE " " "" aliases "${aliases}")
    string(REPLACE "," "`, `" cell "${aliases}")
    set(cell "`${cell}`")
  endif()
  string(FIND "${guide}" "| `${name}` | ${cell} |" at)
  if(at EQUAL -1)
    list(APPEND missing "| `${name}` | ${cell} |")
  endif()
endforeach()
if(missing)
  list(JOIN missing "\n" lines)
  message(FATAL_ERROR "${GUIDE} lacks these rows (name and librdkafka aliases):\n${lines}")
endif()
message(STATUS "${count} properties listed in ${GUIDE}")
