# The Debian libraries the product is built on, found through pkg-config.
find_package(PkgConfig REQUIRED)
pkg_check_modules(CURL     REQUIRED IMPORTED_TARGET libcurl)
pkg_check_modules(MHD      REQUIRED IMPORTED_TARGET libmicrohttpd)
pkg_check_modules(JANSSON  REQUIRED IMPORTED_TARGET jansson)
pkg_check_modules(SQLITE   REQUIRED IMPORTED_TARGET sqlite3)
pkg_check_modules(PQ       REQUIRED IMPORTED_TARGET libpq)
pkg_check_modules(SODIUM   REQUIRED IMPORTED_TARGET libsodium)
pkg_check_modules(CMOCKA   REQUIRED IMPORTED_TARGET cmocka)
# expat reads the sandbox's SOAP login requests (only i360-sandbox links it).
pkg_check_modules(EXPAT    REQUIRED IMPORTED_TARGET expat)
find_package(Threads REQUIRED)
# mimalloc (Debian's libmimalloc-dev ships a CMake package, no .pc file): its shared
# library exports malloc and free, so it becomes the allocator of the whole program that
# links it (the sanitizers' allocators take precedence in their builds); jansson is
# handed it explicitly, see src/util/jsonmem.h. Only i360bridge and i360-bench link it
# (i360::malloc): i360-sandbox starts a thread per connection, and mimalloc 2.0 gives
# every new thread fresh pages to fault in and build free lists on, which cost the
# sandbox 4 of its 5 CPU-seconds in the fleet benchmark (bench/RESULTS.md).
find_package(mimalloc CONFIG REQUIRED)
add_library(i360::malloc ALIAS mimalloc)

add_library(i360_deps INTERFACE)
target_link_libraries(i360_deps INTERFACE
  PkgConfig::CURL PkgConfig::MHD PkgConfig::JANSSON PkgConfig::SQLITE
  PkgConfig::PQ PkgConfig::SODIUM Threads::Threads m)
add_library(i360::deps ALIAS i360_deps)
