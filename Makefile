# The human front door. `make` builds, `make check` runs every test (also under
# ASan+UBSan), `make demo` runs the product end to end against the embedded sandbox.
BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=

.PHONY: all build asan check check-fast demo bootstrap clean bench

all: build

bootstrap:
	@scripts/bootstrap

$(BUILD)/Makefile: CMakeLists.txt
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS)

build: $(BUILD)/Makefile
	cmake --build $(BUILD) -j $(JOBS)

$(ASAN_BUILD)/Makefile: CMakeLists.txt
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DI360_SANITIZE=ON $(CMAKE_FLAGS)

asan: $(ASAN_BUILD)/Makefile
	cmake --build $(ASAN_BUILD) -j $(JOBS)

# check: the whole suite, once on the normal build and once under the sanitizers,
# with a throwaway PostgreSQL for the store tests (scripts/check).
check: bootstrap
	scripts/check

# check-fast: the normal build only, for the edit-compile-test loop.
check-fast: build
	scripts/run-tests $(BUILD)

demo: bootstrap build
	$(BUILD)/i360bridge demo

# bench: a Release build and every benchmark scenario (bench/run), printed as a table;
# bench/RESULTS.md keeps the latest one.
bench: bootstrap
	bench/run

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
