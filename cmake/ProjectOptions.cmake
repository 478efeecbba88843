# Compiler warnings, sanitizers and ccache, carried by INTERFACE targets so
# that every library and executable opts in by linking, not by variables.

find_program(CCACHE_PROGRAM ccache)
if(CCACHE_PROGRAM)
  set(CMAKE_CXX_COMPILER_LAUNCHER "${CCACHE_PROGRAM}")
endif()

add_library(promptsales_warnings INTERFACE)
target_compile_options(promptsales_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
  -Wcast-align -Woverloaded-virtual -Wimplicit-fallthrough)
if(PROMPTSALES_WARNINGS_AS_ERRORS)
  target_compile_options(promptsales_warnings INTERFACE -Werror)
endif()

add_library(promptsales_sanitizers INTERFACE)
if(PROMPTSALES_SANITIZE)
  string(REPLACE "," ";" _sanitizers "${PROMPTSALES_SANITIZE}")
  foreach(_s IN LISTS _sanitizers)
    target_compile_options(promptsales_sanitizers INTERFACE -fsanitize=${_s})
    target_link_options(promptsales_sanitizers INTERFACE -fsanitize=${_s})
  endforeach()
  target_compile_options(promptsales_sanitizers INTERFACE -fno-omit-frame-pointer)
endif()

# Every first-party target links this one.
add_library(promptsales_project_options INTERFACE)
target_link_libraries(promptsales_project_options INTERFACE promptsales_warnings promptsales_sanitizers)
