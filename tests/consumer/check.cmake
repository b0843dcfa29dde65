cmake_minimum_required(VERSION 3.25)
# Builds small consumers of pancake, as a user of the project would:
#  - subdir:  add_subdirectory(pancake), a client-only program, on a machine without utf8proc;
#  - package: cmake --install of the tested build, then find_package(pancake) for the same
#             client-only program (again without utf8proc), and find_package(pancake COMPONENTS
#             sim) for a test program that embeds the simulator and calls it with the client.
# Run with -DSOURCE_DIR=... -DBINARY_DIR=... -DWORK_DIR=... -DGENERATOR=... [-DLINK_FLAGS=...]
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
file(WRITE ${WORK_DIR}/app/sim_main.cpp [=[
// A user's integration test: the simulator embedded on the test's own io_context and clock.
#include <pancake/pancake.hpp>
#include <sim/server.hpp>
#include <iostream>
int main() {
    boost::asio::io_context ioc;
    pancake::virtual_clock clk;
    pancake::sim::server sim(ioc.get_executor(), clk);
    sim.start();
    pancake::client_config cfg;
    cfg.base_url = sim.base_url();
    cfg.clock = &clk;
    pancake::client api(ioc.get_executor(), cfg);
    const pancake::page_id page("100000000000001");
    api.add_page(page, "pat_hoamai_7f3c2a91e4b84d0c");
    bool done = false;
    api.async_list_tags(page, [&](pancake::error_code ec, auto tags) {
        std::cout << (ec ? ec.message() : "tags " + std::to_string(tags.size())) << "\n";
        done = true;
    });
    while (!done && ioc.run_one() > 0) {
    }
    sim.stop();
    return done ? 0 : 1;
}
]=])
# The client alone must not need utf8proc: make it unfindable for the consumers.
set(no_utf8proc "set(CMAKE_DISABLE_FIND_PACKAGE_utf8proc ON)\n")
set(assert_no_utf8proc "if(TARGET utf8proc::utf8proc)\n  message(FATAL_ERROR \"utf8proc was pulled in\")\nendif()\n")
set(app_rules "add_executable(app ${WORK_DIR}/app/main.cpp)\ntarget_link_libraries(app PRIVATE pancake::pancake)\n")

execute_process(COMMAND ${CMAKE_COMMAND} --install ${BINARY_DIR} --prefix ${WORK_DIR}/prefix RESULT_VARIABLE rc
                OUTPUT_QUIET)
if(rc)
  message(FATAL_ERROR "cmake --install of the tested build failed")
endif()

foreach(mode subdir package)
  set(dir ${WORK_DIR}/${mode})
  file(MAKE_DIRECTORY ${dir})
  set(body "cmake_minimum_required(VERSION 3.25)\nproject(consumer CXX)\n${no_utf8proc}")
  if(mode STREQUAL "subdir")
    string(APPEND body "add_subdirectory(${SOURCE_DIR} pancake EXCLUDE_FROM_ALL)\n${app_rules}")
    set(programs app)
  else()
    string(APPEND body "find_package(pancake 0.1 REQUIRED COMPONENTS sim)\n${app_rules}"
           "add_executable(sim_app ${WORK_DIR}/app/sim_main.cpp)\n"
           "target_link_libraries(sim_app PRIVATE pancake::sim)\n"
           "if(TARGET pancake::text)\n  message(FATAL_ERROR \"text was not asked for\")\nendif()\n")
    set(programs app sim_app)
  endif()
  file(WRITE ${dir}/CMakeLists.txt "${body}${assert_no_utf8proc}")
  execute_process(COMMAND ${CMAKE_COMMAND} -S ${dir} -B ${dir}/build -G ${GENERATOR}
                          -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix "-DCMAKE_EXE_LINKER_FLAGS=${LINK_FLAGS}"
                          RESULT_VARIABLE rc)
  if(rc)
    message(FATAL_ERROR "${mode}: configure failed")
  endif()
  execute_process(COMMAND ${CMAKE_COMMAND} --build ${dir}/build RESULT_VARIABLE rc)
  if(rc)
    message(FATAL_ERROR "${mode}: build failed")
  endif()
  foreach(p IN LISTS programs)
    execute_process(COMMAND ${dir}/build/${p} RESULT_VARIABLE rc OUTPUT_VARIABLE out)
    if(p STREQUAL "app")
      set(expected "Đặt hàng")
    else()
      set(expected "tags 6")
    endif()
    if(rc OR NOT out MATCHES "${expected}")
      message(FATAL_ERROR "${mode}: ${p} failed: ${out}")
    endif()
    message(STATUS "${mode}: ${p}: ${out}")
  endforeach()
endforeach()
