# The WebAssembly build of the device core for the technician app (mobile-core/wasm), part of the normal build:
# an ExternalProject configured with emscripten's toolchain from the same sources as the native fieldsync and
# fieldmobile targets. Sets FIELDREPAIR_WASM_CORE_DIR: the folder holding tech/core/fieldmobile-core.js and .wasm,
# which the server embeds.
find_program(FIELDREPAIR_EMCMAKE emcmake)
find_program(FIELDREPAIR_EMXX em++)
if(NOT FIELDREPAIR_EMCMAKE OR NOT FIELDREPAIR_EMXX)
  message(FATAL_ERROR "The technician app's core needs emscripten (em++), which is missing. Install it with "
                      "deploy/install-deps.sh (Debian: apt-get install emscripten node-acorn), or configure with "
                      "-DFIELDREPAIR_WASM=OFF to build without the app's core (/tech/ then cannot start).")
endif()
set(FIELDREPAIR_WASM_SOURCES "/usr/local/src/fieldrepair-wasm" CACHE PATH
    "Poco, zlib and SQLite sources for the WebAssembly build (deploy/fetch-wasm-sources.sh)")
if(NOT EXISTS "${FIELDREPAIR_WASM_SOURCES}/poco/JSON/src/Object.cpp" OR
   NOT EXISTS "${FIELDREPAIR_WASM_SOURCES}/sqlite/sqlite3.c" OR NOT EXISTS "${FIELDREPAIR_WASM_SOURCES}/zlib/zlib.h")
  message(FATAL_ERROR "The technician app's core compiles Poco, zlib and SQLite from source, which are not in "
                      "${FIELDREPAIR_WASM_SOURCES}: run deploy/install-deps.sh (or deploy/fetch-wasm-sources.sh DIR "
                      "and -DFIELDREPAIR_WASM_SOURCES=DIR), or configure with -DFIELDREPAIR_WASM=OFF.")
endif()

# The native targets' sources as absolute paths, without what needs Poco::Net (live sync).
function(fieldrepair_wasm_sources target out)
  get_target_property(sources ${target} SOURCES)
  get_target_property(dir ${target} SOURCE_DIR)
  set(result "")
  foreach(source IN LISTS sources)
    if(NOT IS_ABSOLUTE "${source}")
      set(source "${dir}/${source}")
    endif()
    if(NOT source MATCHES "/live\\.cpp$")
      list(APPEND result "${source}")
    endif()
  endforeach()
  set(${out} "${result}" PARENT_SCOPE)
endfunction()
fieldrepair_wasm_sources(fieldsync sync_sources)
fieldrepair_wasm_sources(fieldmobile mobile_sources)
fieldrepair_wasm_sources(fieldmobile-c mobile_c_sources)
list(APPEND mobile_sources ${mobile_c_sources})
# Lists cross into the sub-build with | between items (LIST_SEPARATOR below).
string(REPLACE ";" "|" sync_sources "${sync_sources}")
string(REPLACE ";" "|" mobile_sources "${mobile_sources}")

# emscripten's optimizer runs on Node and needs Debian's acorn, which a Node from elsewhere does not see by itself.
set(wasm_env ${CMAKE_COMMAND} -E env NODE_PATH=/usr/share/nodejs)
set(wasm_dir ${CMAKE_BINARY_DIR}/mobile-core/wasm)
set(FIELDREPAIR_WASM_CORE_DIR ${wasm_dir}/web)
set(core_files ${FIELDREPAIR_WASM_CORE_DIR}/tech/core/fieldmobile-core.js
               ${FIELDREPAIR_WASM_CORE_DIR}/tech/core/fieldmobile-core.wasm)
set(wasm_launchers "")
if(CMAKE_CXX_COMPILER_LAUNCHER)
  list(APPEND wasm_launchers -DCMAKE_CXX_COMPILER_LAUNCHER=${CMAKE_CXX_COMPILER_LAUNCHER}
       -DCMAKE_C_COMPILER_LAUNCHER=${CMAKE_C_COMPILER_LAUNCHER})
endif()

include(ExternalProject)
ExternalProject_Add(fieldmobile_wasm
  SOURCE_DIR ${PROJECT_SOURCE_DIR}/mobile-core/wasm
  BINARY_DIR ${wasm_dir}/build
  LIST_SEPARATOR |
  CONFIGURE_COMMAND ${wasm_env} ${FIELDREPAIR_EMCMAKE} ${CMAKE_COMMAND} -S <SOURCE_DIR> -B <BINARY_DIR> -G Ninja
    -DCMAKE_BUILD_TYPE=Release -DFIELDREPAIR_SOURCE_DIR=${PROJECT_SOURCE_DIR}
    -DFIELDREPAIR_WASM_SOURCES=${FIELDREPAIR_WASM_SOURCES} -DFIELDREPAIR_TESTS=${FIELDREPAIR_TESTS}
    -DFIELDREPAIR_WERROR=${FIELDREPAIR_WERROR} -DFIELDSYNC_SOURCES=${sync_sources}
    -DFIELDMOBILE_SOURCES=${mobile_sources} ${wasm_launchers}
  BUILD_COMMAND ${wasm_env} ${CMAKE_COMMAND} --build <BINARY_DIR>
  COMMAND ${CMAKE_COMMAND} -E copy_if_different <BINARY_DIR>/fieldmobile-core.js <BINARY_DIR>/fieldmobile-core.wasm
          ${FIELDREPAIR_WASM_CORE_DIR}/tech/core
  INSTALL_COMMAND ""
  BUILD_ALWAYS ON
  BUILD_BYPRODUCTS ${core_files}
  USES_TERMINAL_BUILD ON)
set(FIELDREPAIR_WASM_CORE_FILES ${core_files})
