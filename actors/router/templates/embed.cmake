# cmake -DOUT=<header> -DIN=<a;b;...> -P embed.cmake: writes the built-in chat templates as string constants
# (builtin_templates.hpp, included by actors/router/chat_format.cpp only). Run at build time when a template
# changes (CMakeLists.txt, "Built-in chat templates").
set(text "#pragma once\n// Generated from actors/router/templates/*.mustache by embed.cmake: do not edit.\n")
string(APPEND text "#include <string_view>\nnamespace spec_notify::router::builtin {\n")
foreach(file ${IN})
  get_filename_component(name ${file} NAME_WE)
  string(MAKE_C_IDENTIFIER "${name}" id)
  file(READ ${file} body)
  string(FIND "${body}" ")mustache\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${file} contains the raw-string delimiter )mustache\"")
  endif()
  string(APPEND text "inline constexpr std::string_view ${id} = R\"mustache(${body})mustache\";\n")
endforeach()
string(APPEND text "}  // namespace spec_notify::router::builtin\n")
file(WRITE ${OUT}.tmp "${text}")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different ${OUT}.tmp ${OUT})
file(REMOVE ${OUT}.tmp)
