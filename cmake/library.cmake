# library.cmake: libwasmgate, the embeddable library (shared and static),
# built from the objects of the library layers (docs/design.md#layers:
# everything below cli and mcp), and what `cmake --install` puts where:
#   bin/wasmgate                       the program
#   lib/libwasmgate.so.*, libwasmgate.a
#   include/wasmgate/*.h               (wasmgate/wasmgate.h includes them all)
#   lib/pkgconfig/wasmgate.pc          pkg-config --cflags --libs wasmgate
#   lib/cmake/wasmgate/                find_package(wasmgate): wasmgate::wasmgate
#                                      (shared), wasmgate::wasmgate_static
#   share/man/man1/wasmgate.1          generated from the --help texts
# The shared library exports exactly the wg_ functions the public headers
# declare (a version script generated from include/wasmgate/*.h); every
# other symbol is local.
include(GNUInstallDirs)
find_package(Threads REQUIRED)

set(WG_LIB_LAYERS util json wasm toml schema package config policy host runtime)
set(wg_lib_objects)
set(wg_lib_layers)
foreach(layer IN LISTS WG_LIB_LAYERS)
  if(TARGET wg_${layer})
    list(APPEND wg_lib_objects $<TARGET_OBJECTS:wg_${layer}>)
    list(APPEND wg_lib_layers wg_${layer})
  endif()
endforeach()

# What the layers link that is not another layer (Nettle, PCRE2, libm,
# threads, and whatever a layer adds later, e.g. libcurl), and the same as
# plain linker flags for wasmgate.pc and the static package target.
set(wg_lib_deps)
foreach(t IN LISTS wg_lib_layers)
  get_target_property(libs ${t} INTERFACE_LINK_LIBRARIES)
  foreach(lib IN LISTS libs)
    if(lib AND NOT lib MATCHES "^wg_" AND NOT lib MATCHES "^\\$<")
      list(APPEND wg_lib_deps ${lib})
    endif()
  endforeach()
endforeach()
list(REMOVE_DUPLICATES wg_lib_deps)
foreach(dep IN LISTS wg_lib_deps)
  if(dep MATCHES "::" AND NOT TARGET ${dep})
    message(FATAL_ERROR "libwasmgate: a layer links ${dep}, which is not visible here: "
            "create it GLOBAL (pkg_check_modules(... IMPORTED_TARGET GLOBAL ...), "
            "find_package(... GLOBAL))")
  endif()
endforeach()

function(wg_flag_of_file path out)
  get_filename_component(name ${path} NAME)
  string(REGEX REPLACE "^lib" "" name ${name})
  string(REGEX REPLACE "\\.(so|a)(\\.[0-9.]*)?$" "" name ${name})
  set(${out} "-l${name}" PARENT_SCOPE)
endfunction()

set(wg_lib_flags)
foreach(dep IN LISTS wg_lib_deps)
  if(dep STREQUAL "Threads::Threads")
    list(APPEND wg_lib_flags "-pthread")
  elseif(TARGET ${dep})
    set(files)
    foreach(prop INTERFACE_LINK_LIBRARIES IMPORTED_LOCATION IMPORTED_LOCATION_RELEASE
                 IMPORTED_LOCATION_NOCONFIG)
      get_target_property(v ${dep} ${prop})
      if(v)
        list(APPEND files ${v})
      endif()
    endforeach()
    foreach(f IN LISTS files)
      if(f MATCHES "^-")
        list(APPEND wg_lib_flags ${f})
      elseif(NOT TARGET ${f})
        wg_flag_of_file(${f} flag)
        list(APPEND wg_lib_flags ${flag})
      endif()
    endforeach()
  elseif(dep MATCHES "^-")
    list(APPEND wg_lib_flags ${dep})
  else()
    wg_flag_of_file(${dep} flag)
    list(APPEND wg_lib_flags ${flag})
  endif()
endforeach()
list(REMOVE_DUPLICATES wg_lib_flags)
string(REPLACE ";" " " WG_PC_LIBS_PRIVATE "${wg_lib_flags}")

# The version script: every wg_ name the public headers mention, global;
# all else local. It is made at configure time, so an edited or added
# header re-runs the configure step (else an incremental build links a
# stale list and hides a renamed function).
file(GLOB wg_public_headers CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/include/wasmgate/*.h)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${wg_public_headers})
set(wg_api_names)
foreach(h IN LISTS wg_public_headers)
  file(READ ${h} text)
  string(REGEX MATCHALL "wg_[a-z0-9_]+[ \t\r\n]*\\(" found "${text}")
  foreach(f IN LISTS found)
    string(REGEX REPLACE "[ \t\r\n(]" "" f "${f}")
    list(APPEND wg_api_names ${f})
  endforeach()
endforeach()
list(REMOVE_DUPLICATES wg_api_names)
list(SORT wg_api_names)
list(JOIN wg_api_names ";\n    " wg_api_lines)
set(WG_VERSION_SCRIPT ${CMAKE_BINARY_DIR}/libwasmgate.map)
file(CONFIGURE OUTPUT ${WG_VERSION_SCRIPT}
     CONTENT "/* libwasmgate.map: generated from include/wasmgate/*.h */\n{\n  global:\n    ${wg_api_lines};\n  local: *;\n};\n")

add_library(wasmgate_shared SHARED ${wg_lib_objects})
set_target_properties(wasmgate_shared PROPERTIES
  OUTPUT_NAME wasmgate EXPORT_NAME wasmgate
  VERSION ${PROJECT_VERSION} SOVERSION ${PROJECT_VERSION_MAJOR}
  LINK_DEPENDS ${WG_VERSION_SCRIPT})
target_link_libraries(wasmgate_shared PRIVATE ${wg_lib_deps})
target_link_options(wasmgate_shared PRIVATE "-Wl,--version-script=${WG_VERSION_SCRIPT}")
if(NOT WG_SANITIZE) # the sanitizer runtime comes with the program
  target_link_options(wasmgate_shared PRIVATE "-Wl,--no-undefined")
endif()

add_library(wasmgate_static STATIC ${wg_lib_objects})
set_target_properties(wasmgate_static PROPERTIES OUTPUT_NAME wasmgate EXPORT_NAME wasmgate_static)
target_link_libraries(wasmgate_static INTERFACE ${wg_lib_flags})

foreach(t wasmgate_shared wasmgate_static)
  target_include_directories(${t} INTERFACE
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
endforeach()

# ---- install ------------------------------------------------------------------

if(TARGET wasmgate)
  install(TARGETS wasmgate RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
install(TARGETS wasmgate_shared wasmgate_static EXPORT wasmgateTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/wasmgate
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} FILES_MATCHING PATTERN "*.h")
if(WG_MAN_PAGE)
  install(FILES ${WG_MAN_PAGE} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
endif()

configure_file(${PROJECT_SOURCE_DIR}/cmake/wasmgate.pc.in ${CMAKE_BINARY_DIR}/wasmgate.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/wasmgate.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

include(CMakePackageConfigHelpers)
install(EXPORT wasmgateTargets NAMESPACE wasmgate::
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/wasmgate)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/wasmgateConfig.cmake.in
  ${CMAKE_BINARY_DIR}/wasmgateConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/wasmgate)
write_basic_package_version_file(${CMAKE_BINARY_DIR}/wasmgateConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/wasmgateConfig.cmake
  ${CMAKE_BINARY_DIR}/wasmgateConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/wasmgate)
