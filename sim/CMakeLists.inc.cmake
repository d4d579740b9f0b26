# sim/CMakeLists.inc.cmake — embeds the built-in scenarios (sim/scenarios/*.json) into rbk_sim as a
# generated C file, regenerated whenever a scenario changes. Included by the top-level
# CMakeLists.txt after the rbk_sim target is defined.
file(GLOB RBK_SIM_SCENARIOS CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/sim/scenarios/*.json)
set(RBK_SIM_SCENARIOS_C ${CMAKE_CURRENT_BINARY_DIR}/sim_scenarios_embedded.c)
add_custom_command(
  OUTPUT ${RBK_SIM_SCENARIOS_C}
  COMMAND ${CMAKE_COMMAND} -DOUT=${RBK_SIM_SCENARIOS_C} "-DINPUTS=${RBK_SIM_SCENARIOS}"
          -P ${CMAKE_CURRENT_SOURCE_DIR}/sim/cmake/embed_scenarios.cmake
  DEPENDS ${RBK_SIM_SCENARIOS} ${CMAKE_CURRENT_SOURCE_DIR}/sim/cmake/embed_scenarios.cmake
  COMMENT "Embedding the simulator's built-in scenarios"
  VERBATIM)
target_sources(rbk_sim PRIVATE ${RBK_SIM_SCENARIOS_C})

