# Thin wrapper over CMake and the test scripts, as operator users expect.
.PHONY: all deps build build-asan build-fuzz images install-cli test test-unit fuzz fuzz-long cluster-tools demo clean

BUILD_DIR ?= build/release
ASAN_DIR  ?= build/asan
CMAKE_GEN := -G Ninja

all: build

deps:
	@bash scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD_DIR) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD_DIR)

# kubectl-sluice and kubectl's completion hook for it, onto the PATH
# (kubectl finds plugins there as `kubectl sluice`).
PREFIX ?= $(HOME)/.local
install-cli: build
	@install -d $(PREFIX)/bin
	@install -m 0755 $(BUILD_DIR)/operator/cmd/kubectl-sluice $(BUILD_DIR)/operator/cmd/kubectl_complete-sluice $(PREFIX)/bin/

# The tests run in the sanitizer build (ASan + UBSan).
build-asan: deps
	@cmake -S . -B $(ASAN_DIR) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Debug -DSLUICE_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN_DIR)

# Container images without a Docker engine: Debian root file systems from
# mmdebstrap, the release binaries, buildah; OCI archives in build/images/.
images: build
	@bash scripts/build-images.sh $(BUILD_DIR)

cluster-tools: deps
	@bash tests/cluster/build.sh >/dev/null

# deps, build, the fuzzers for a bounded time, control plane up, every test
# tier, control plane always down; one summary line at the end.
test: build-asan build-fuzz cluster-tools images
	@bash scripts/run-tests.sh $(ASAN_DIR) $(FUZZ_DIR)

# libFuzzer (clang) on the expression parser, model parsing + validation,
# the watch stream decoder and the termination-message reader, 30 s each
# from the checked-in seeds; fails on any crash.
FUZZ_DIR ?= build/fuzz
build-fuzz: deps
	@CXX=clang++ cmake -S . -B $(FUZZ_DIR) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Debug -DSLUICE_FUZZ=ON -DSLUICE_SANITIZE=ON >/dev/null
	@cmake --build $(FUZZ_DIR) --target fuzz_expression fuzz_model fuzz_watch_event fuzz_termination_message

fuzz: build-fuzz
	@cd $(FUZZ_DIR) && ctest -R '^fuzz_' --output-on-failure

# The long fuzz setting (not part of make test): the same targets, optimized
# (RelWithDebInfo) with ASan + UBSan, FUZZ_SECONDS each; prints the
# executions per target and in all.
FUZZ_LONG_DIR ?= build/fuzz-opt
FUZZ_SECONDS ?= 300
fuzz-long: deps
	@CXX=clang++ cmake -S . -B $(FUZZ_LONG_DIR) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSLUICE_FUZZ=ON -DSLUICE_SANITIZE=ON >/dev/null
	@cmake --build $(FUZZ_LONG_DIR) --target fuzz_expression fuzz_model fuzz_watch_event fuzz_termination_message
	@bash tests/fuzz_long.sh $(FUZZ_LONG_DIR) $(FUZZ_SECONDS)

test-unit: build-asan images
	@cd $(ASAN_DIR) && ctest -L unit --output-on-failure

# The Abalone pipeline and a selective re-run on the local control plane.
demo: build cluster-tools images
	@bash scripts/demo.sh $(BUILD_DIR)

clean:
	rm -rf build
