# Porcelain. `make run`: install what is missing, build, run the main job (a campaign over every
# bundled scenario with a summary). `make test`: install, build, and run every test in the release
# and the ASan+UBSan builds. `make bench`: regenerate reports/BENCHMARKS.md.
.PHONY: deps build build-asan run test test-release test-asan test-fuzz bench clean

PACKAGES := cmake ninja-build g++ git libboost-context-dev libabsl-dev libfmt-dev catch2 \
            libcli11-dev nlohmann-json3-dev libbenchmark-dev ccache libleveldb-dev libsqlite3-dev \
            libgtest-dev chromium clang
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
JOBS ?= $(shell nproc)
# The main job's campaign: seeds per scenario and variant.
RUN_SEEDS ?= 1..200
# Shrinking each distinct failure of the main job: at most this many runs (the same result on any
# machine), with a wall-time backstop per failure (a shrink it cuts short says so in the report).
RUN_SHRINK_ATTEMPTS ?= 300
RUN_SHRINK ?= 60s

deps:
	@missing=""; for p in $(PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

build: deps
	cmake --preset release >/dev/null
	cmake --build --preset release -j $(JOBS)

build-asan: deps
	cmake --preset asan >/dev/null
	cmake --build --preset asan -j $(JOBS)

run: build
	./build/release/seedbed fuzz --all --seeds $(RUN_SEEDS) --jobs $(JOBS) --out build/campaign --expect --shrink-attempts $(RUN_SHRINK_ATTEMPTS) --shrink-time $(RUN_SHRINK)

test-release: build
	ctest --preset release -j $(JOBS)

test-asan: build-asan
	ctest --preset asan -j $(JOBS)

# The decoders' libFuzzer targets (tests/fuzz/, clang): a few seconds each from the committed corpus.
test-fuzz: deps
	cmake --preset fuzz >/dev/null
	cmake --build --preset fuzz -j $(JOBS)
	ctest --preset fuzz

test: test-release test-asan test-fuzz

# Builds only the benchmarks and the seedbed command (not the test suites), then regenerates the
# report's generated sections in place (hand-written ones are kept); BASELINE_SECONDS,
# SCENARIO_SECONDS, CAMPAIGNS, SCALING_SEEDS, SECTIONS... tune it (see the script).
bench: deps
	cmake --preset release >/dev/null
	cmake --build --preset release -j $(JOBS) --target benchmarks
	./tests/bench/run_benchmarks.sh build/release reports/BENCHMARKS.md

clean:
	rm -rf build
