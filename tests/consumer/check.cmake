# Builds a tiny consumer of pancake::pancake both ways: add_subdirectory, and find_package after
# cmake --install. Run with -DSOURCE_DIR=... -DWORK_DIR=... -DGENERATOR=...
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR}/app)
file(WRITE ${WORK_DIR}/app/main.cpp [=[
#include <pancake/pancake.hpp>
#include <iostream>
int main() {
    auto r = pancake::decode<pancake::tag_list>(std::string_view(R"({"tags":[{"id":1,"text":"Đặt hàng"}]})"));
    boost::asio::io_context ioc;
    pancake::client api(ioc.get_executor());
    std::cout << (r ? r->tags.at(0).text : "decode failed") << "\n";
    return r ? 0 : 1;
}
]=])
foreach(mode subdir package)
  set(dir ${WORK_DIR}/${mode})
  file(MAKE_DIRECTORY ${dir})
  if(mode STREQUAL "subdir")
    set(body "add_subdirectory(${SOURCE_DIR} pancake EXCLUDE_FROM_ALL)")
  else()
    execute_process(COMMAND ${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${WORK_DIR}/lib -G ${GENERATOR}
                            -DPANCAKE_BUILD_TESTS=OFF -DPANCAKE_BUILD_SIMULATOR=OFF -DPANCAKE_BUILD_EXAMPLES=OFF
                            -DPANCAKE_BUILD_BENCHMARKS=OFF -DCMAKE_INSTALL_PREFIX=${WORK_DIR}/prefix
                    RESULT_VARIABLE rc)
    if(rc)
      message(FATAL_ERROR "configuring the library failed")
    endif()
    execute_process(COMMAND ${CMAKE_COMMAND} --install ${WORK_DIR}/lib RESULT_VARIABLE rc)
    if(rc)
      message(FATAL_ERROR "install failed")
    endif()
    set(body "find_package(pancake 0.1 REQUIRED)")
  endif()
  file(WRITE ${dir}/CMakeLists.txt "cmake_minimum_required(VERSION 3.25)\nproject(consumer CXX)\n${body}\nadd_executable(app ${WORK_DIR}/app/main.cpp)\ntarget_link_libraries(app PRIVATE pancake::pancake)\n")
  execute_process(COMMAND ${CMAKE_COMMAND} -S ${dir} -B ${dir}/build -G ${GENERATOR}
                          -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix RESULT_VARIABLE rc)
  if(rc)
    message(FATAL_ERROR "${mode}: configure failed")
  endif()
  execute_process(COMMAND ${CMAKE_COMMAND} --build ${dir}/build RESULT_VARIABLE rc)
  if(rc)
    message(FATAL_ERROR "${mode}: build failed")
  endif()
  execute_process(COMMAND ${dir}/build/app RESULT_VARIABLE rc OUTPUT_VARIABLE out)
  if(rc OR NOT out MATCHES "Đặt hàng")
    message(FATAL_ERROR "${mode}: app failed: ${out}")
  endif()
  message(STATUS "${mode}: ok")
endforeach()
