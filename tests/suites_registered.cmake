cmake_minimum_required(VERSION 3.25)
# Fails when pancake_tests holds a top-level suite that has no ctest entry of its own (one
# declared in a way the source scan in tests/CMakeLists.txt does not see).
# Run with -DEXE=... -DSUITES="a;b;c"
execute_process(COMMAND ${EXE} --list_content ERROR_VARIABLE listing OUTPUT_VARIABLE out RESULT_VARIABLE rc)
string(APPEND listing "${out}")
if(rc)
  message(FATAL_ERROR "${EXE} --list_content failed")
endif()
string(REGEX MATCHALL "(^|\n)[a-z_0-9]+\\*" tops "${listing}")
foreach(t IN LISTS tops)
  string(REGEX REPLACE "[\n*]" "" t "${t}")
  if(NOT t IN_LIST SUITES)
    message(FATAL_ERROR "suite ${t} has no ctest entry")
  endif()
endforeach()
list(LENGTH tops n)
message(STATUS "${n} suites, each registered")
