# The warning set: everything that catches real bugs, as errors.
add_compile_options(
  -Wall -Wextra -Wpedantic -Werror
  -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wold-style-definition
  -Wformat=2 -Wformat-overflow=2 -Wundef -Wpointer-arith -Wwrite-strings
  -Wvla -Wimplicit-fallthrough -Wcast-align -Wmissing-declarations
  -Wredundant-decls -Wnested-externs -Wdouble-promotion
  # -Wconversion is left out: jansson, libcurl and libmicrohttpd take and return
  # int/size_t/long in ways that would bury real findings under casts.
  # -Wnull-dereference is left out: at -O2 gcc 12 reports paths it invented itself.
  # cmocka's check_expected/will_return macros cast integers to pointers and back.
  -Wno-error=int-to-pointer-cast
)
if(CMAKE_C_COMPILER_ID STREQUAL "GNU")
  add_compile_options(-Wlogical-op -Wduplicated-cond -Wduplicated-branches)
endif()
