# edgertc — the two commands are `make demo` and `make test`; see README.md.
# This Makefile wraps CMake: build/ is the normal build (gcc), build-asan/ the sanitizer and
# fuzzer build (clang), build-bench/ the optimised build for benchmarks.

JOBS ?= $(shell nproc)
BUILD ?= build
ASAN_BUILD ?= build-asan
BENCH_BUILD ?= build-bench
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
PREFIX ?= /usr/local
CMAKE_FLAGS ?=
CTEST_FLAGS ?= --output-on-failure -j$(JOBS)

.PHONY: all bootstrap build demo test test-plain test-asan bench fuzz fuzz-run format install clean help

all: build

help:
	@echo "make demo      build, start edgertc-signald and edgertc-device on loopback, print the viewer URL"
	@echo "make test      install what is missing, build, run every test (plain, then ASan+UBSan with fuzzers)"
	@echo "make bench     run the benchmarks in bench/ (optimised build) and print their tables"
	@echo "make fuzz      build the libFuzzer targets with clang; 'make fuzz-run FUZZ_SECONDS=N' runs each"
	@echo "make format    apply .clang-format to the sources"
	@echo "make install   install libedgertc, its headers and edgertc.pc under PREFIX=$(PREFIX)"

bootstrap:
	@scripts/bootstrap

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS)

build: bootstrap $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	@scripts/demo $(BUILD)

test: test-plain test-asan

test-plain: build
	cd $(BUILD) && ctest $(CTEST_FLAGS)

$(ASAN_BUILD)/build.ninja:
	CC=clang cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug \
	    -DERTC_SANITIZE=ON -DERTC_BUILD_FUZZ=ON $(CMAKE_FLAGS)

test-asan: bootstrap $(ASAN_BUILD)/build.ninja
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest $(CTEST_FLAGS)

$(BENCH_BUILD)/build.ninja:
	cmake -S . -B $(BENCH_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release -DERTC_BUILD_TESTS=OFF \
	    -DERTC_LOG_COMPILE_LEVEL=3 $(CMAKE_FLAGS)

bench: bootstrap $(BENCH_BUILD)/build.ninja
	cmake --build $(BENCH_BUILD) -j $(JOBS)
	@scripts/run-bench $(BENCH_BUILD)

$(FUZZ_BUILD)/build.ninja:
	CC=clang cmake -S . -B $(FUZZ_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	    -DERTC_SANITIZE=ON -DERTC_BUILD_FUZZ=ON -DERTC_BUILD_TOOLS=OFF $(CMAKE_FLAGS)

fuzz: bootstrap $(FUZZ_BUILD)/build.ninja
	cmake --build $(FUZZ_BUILD) -j $(JOBS)

fuzz-run: bootstrap $(FUZZ_BUILD)/build.ninja
	cmake -S . -B $(FUZZ_BUILD) -DERTC_FUZZ_SECONDS=$(FUZZ_SECONDS) >/dev/null
	cmake --build $(FUZZ_BUILD) -j $(JOBS)
	cd $(FUZZ_BUILD) && ctest -L fuzz --output-on-failure -j$(JOBS)

format:
	find src include tests tools bench examples -name '*.[ch]' -not -path '*/node_modules/*' \
	    -not -path 'tests/seed/*' | xargs clang-format -i

install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(BENCH_BUILD) $(FUZZ_BUILD)
