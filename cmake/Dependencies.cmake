# Third-party packages, all from Debian 12 (see scripts/deps.sh).
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(OpenSSL 3 REQUIRED)
find_package(CURL REQUIRED)
find_package(cpp-jwt 1.4 REQUIRED)
find_package(nlohmann_json 3.11 REQUIRED)
find_package(spdlog 1.10 REQUIRED)
find_package(tl-expected REQUIRED)
find_package(CLI11 2.1 REQUIRED)
find_package(Boost 1.81 REQUIRED CONFIG)
pkg_check_modules(PQXX REQUIRED IMPORTED_TARGET libpqxx>=6.4)
pkg_check_modules(LIBPQ REQUIRED IMPORTED_TARGET libpq)
pkg_check_modules(HIREDIS REQUIRED IMPORTED_TARGET hiredis>=0.14)

# libpqxx 6.4 in Debian does not detect std::optional; without this,
# reading a NULL into std::optional throws.
add_library(promptsales_pqxx INTERFACE)
target_link_libraries(promptsales_pqxx INTERFACE PkgConfig::PQXX PkgConfig::LIBPQ)
target_compile_definitions(promptsales_pqxx INTERFACE PQXX_HAVE_OPTIONAL=1)

# Asio/Beast without Boost.System's library and with modern defaults.
add_library(promptsales_boost INTERFACE)
target_link_libraries(promptsales_boost INTERFACE Boost::headers Threads::Threads)
target_compile_definitions(promptsales_boost INTERFACE BOOST_ASIO_NO_DEPRECATED)
