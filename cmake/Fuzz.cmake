# libFuzzer targets (tests/fuzz/<name>_fuzz.cpp), built by a separate clang
# configuration (-DPROMPTSALES_FUZZ=ON, CXX=clang++-14) that builds nothing
# else. Each target compiles only the parser sources it exercises, so the
# whole fuzz build stays small; scripts/fuzz.sh configures, builds and runs it.
#
# Adding a target is one file and one line:
#   tests/fuzz/<name>_fuzz.cpp   defines LLVMFuzzerTestOneInput
#   promptsales_fuzz_target(<name> MAX_LEN <bytes> SOURCES <repo-relative .cpp...> [LIBS ...] [INCLUDES ...])
# plus, optionally, a seed corpus in tests/fuzz/corpus/<name>/ and a
# dictionary tests/fuzz/<name>.dict. fuzz.sh finds every target through
# the manifest written below.

if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "PROMPTSALES_FUZZ=ON needs clang (libFuzzer): configure with "
                      "-DCMAKE_CXX_COMPILER=clang++-14 in a build directory of its own")
endif()

set(PROMPTSALES_FUZZ_DIR "${CMAKE_BINARY_DIR}/fuzz")
set(PROMPTSALES_FUZZ_MANIFEST "${PROMPTSALES_FUZZ_DIR}/targets.txt")
file(MAKE_DIRECTORY "${PROMPTSALES_FUZZ_DIR}")
file(WRITE "${PROMPTSALES_FUZZ_MANIFEST}" "# name binary max_len (written by cmake/Fuzz.cmake)\n")

# Instrumentation for every fuzzed source; the fuzzer's main() only at link.
# UB aborts (no recovery) so libFuzzer reports it as a crash with a reproducer.
add_library(promptsales_fuzz_options INTERFACE)
target_compile_options(promptsales_fuzz_options INTERFACE
  -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -g)
target_link_libraries(promptsales_fuzz_options INTERFACE promptsales_warnings)
target_include_directories(promptsales_fuzz_options INTERFACE
  "${PROJECT_SOURCE_DIR}/core/common/include" "${PROJECT_SOURCE_DIR}/core/ads/include"
  "${PROJECT_SOURCE_DIR}/core/sales/include")

# promptsales_fuzz_target(NAME MAX_LEN n SOURCES files... [LIBS targets...] [INCLUDES dirs...])
function(promptsales_fuzz_target name)
  cmake_parse_arguments(F "" "MAX_LEN" "SOURCES;LIBS;INCLUDES" ${ARGN})
  if(NOT F_MAX_LEN)
    message(FATAL_ERROR "promptsales_fuzz_target(${name}): MAX_LEN is required")
  endif()
  set(target "${name}_fuzz")
  list(TRANSFORM F_SOURCES PREPEND "${PROJECT_SOURCE_DIR}/")
  list(TRANSFORM F_INCLUDES PREPEND "${PROJECT_SOURCE_DIR}/")
  add_executable(${target} "${PROJECT_SOURCE_DIR}/tests/fuzz/${name}_fuzz.cpp" ${F_SOURCES})
  target_include_directories(${target} PRIVATE ${F_INCLUDES} "${PROJECT_SOURCE_DIR}/tests/fuzz")
  target_link_libraries(${target} PRIVATE promptsales_fuzz_options ${F_LIBS})
  target_link_options(${target} PRIVATE -fsanitize=fuzzer,address,undefined)
  set_target_properties(${target} PROPERTIES RUNTIME_OUTPUT_DIRECTORY "${PROMPTSALES_FUZZ_DIR}")
  file(APPEND "${PROMPTSALES_FUZZ_MANIFEST}" "${name} ${PROMPTSALES_FUZZ_DIR}/${target} ${F_MAX_LEN}\n")
endfunction()

# The sources the HTTP targets share.
set(FUZZ_HTTP_MESSAGE_SOURCES
  core/common/src/http/message.cpp core/common/src/http/json_string.cpp core/common/src/http/target.cpp)
# Campaign value types, field rules and their JSON form.
set(FUZZ_CAMPAIGN_SOURCES
  core/ads/src/campaign.cpp core/ads/src/campaign_validation.cpp core/common/src/utf8.cpp
  core/common/src/time.cpp core/common/src/hash.cpp)

# The targets: a request head and body off the wire, then its target.
promptsales_fuzz_target(request_parser MAX_LEN 8192
  SOURCES core/common/src/http/request_parser.cpp core/common/src/http/request_id.cpp ${FUZZ_HTTP_MESSAGE_SOURCES}
  INCLUDES core/common/src/http
  LIBS promptsales_boost)
promptsales_fuzz_target(target MAX_LEN 4096 SOURCES ${FUZZ_HTTP_MESSAGE_SOURCES})
promptsales_fuzz_target(router MAX_LEN 1024 SOURCES core/common/src/http/router.cpp ${FUZZ_HTTP_MESSAGE_SOURCES})
promptsales_fuzz_target(campaign_query MAX_LEN 4096
  SOURCES core/sales/src/http/campaign_query.cpp core/sales/src/page_scope.cpp core/ads/src/campaign_service.cpp
          ${FUZZ_HTTP_MESSAGE_SOURCES}
          ${FUZZ_CAMPAIGN_SOURCES}
  LIBS OpenSSL::Crypto nlohmann_json::nlohmann_json)
promptsales_fuzz_target(campaign_json MAX_LEN 4096
  SOURCES core/ads/src/campaign_json.cpp core/common/src/json_escape.cpp core/common/src/http/json_string.cpp
          core/common/src/http/message.cpp ${FUZZ_CAMPAIGN_SOURCES}
  LIBS OpenSSL::Crypto nlohmann_json::nlohmann_json)
promptsales_fuzz_target(token MAX_LEN 4096
  SOURCES core/common/src/auth/token_verifier.cpp core/common/src/auth/jwks.cpp core/common/src/auth/signing.cpp
          core/common/src/auth/base64url.cpp core/common/src/auth/permissions.cpp core/common/src/logging.cpp
          core/common/src/json_escape.cpp core/common/src/http/message.cpp core/common/src/http/json_string.cpp
          core/common/src/utf8.cpp
  LIBS cpp-jwt::cpp-jwt OpenSSL::Crypto CURL::libcurl spdlog::spdlog nlohmann_json::nlohmann_json)
# Lead files: the CSV reader, header mapping and lead validation.
promptsales_fuzz_target(lead_csv MAX_LEN 4096
  SOURCES core/crm/src/byte_input.cpp core/crm/src/input_buffer.cpp core/crm/src/csv_reader.cpp
          core/crm/src/column_mapping.cpp core/crm/src/lead_validation.cpp core/crm/src/country_table.cpp
          core/crm/src/csv_lead_source.cpp core/common/src/utf8.cpp core/common/src/time.cpp
  INCLUDES core/crm/include)
