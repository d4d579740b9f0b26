# sim/CMakeLists.inc.cmake — embeds the built-in scenarios (sim/scenarios/*.json) into rbkcore as a
# generated C file, regenerated whenever a scenario changes. Included by the top-level
# CMakeLists.txt after the rbkcore target is defined.
file(GLOB RBK_SIM_SCENARIOS CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/sim/scenarios/*.json)
set(RBK_SIM_SCENARIOS_C ${CMAKE_CURRENT_BINARY_DIR}/sim_scenarios_embedded.c)
add_custom_command(
  OUTPUT ${RBK_SIM_SCENARIOS_C}
  COMMAND ${CMAKE_COMMAND} -DOUT=${RBK_SIM_SCENARIOS_C} "-DINPUTS=${RBK_SIM_SCENARIOS}"
          -P ${CMAKE_CURRENT_SOURCE_DIR}/sim/cmake/embed_scenarios.cmake
  DEPENDS ${RBK_SIM_SCENARIOS} ${CMAKE_CURRENT_SOURCE_DIR}/sim/cmake/embed_scenarios.cmake
  COMMENT "Embedding the simulator's built-in scenarios"
  VERBATIM)
target_sources(rbkcore PRIVATE ${RBK_SIM_SCENARIOS_C})

# The HTTPS front door verifies client certificates (--client-ca) with GnuTLS, libmicrohttpd's TLS.
pkg_check_modules(RBK_SIM_GNUTLS REQUIRED IMPORTED_TARGET gnutls)
target_link_libraries(rbkcore PUBLIC PkgConfig::RBK_SIM_GNUTLS)
