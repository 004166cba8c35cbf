# gort's two commands. Both install what is missing first.
#   make run    build, then `gort check` every built-in scenario
#   make test   build and run every test suite: default, asan, tsan, fuzz, arm64, riscv64, ppc64le
# More: make test-PRESET (debug, valgrind), make bench, make mutants,
#   make coverage (how much of the runtime gort check alone reaches).

SUITES := default asan tsan fuzz arm64 riscv64 ppc64le

.PHONY: run test deps bench mutants coverage format

deps:
	@scripts/install-deps

run: deps
	cmake --preset default
	cmake --build --preset default
	./build/default/gort check

test: deps
	@set -e; for p in $(SUITES); do $(MAKE) --no-print-directory test-$$p; done
	@echo "make test: suites $(SUITES) passed"

test-%: deps
	cmake --preset $*
	cmake --build --preset $*
	ctest --preset $*

bench: deps
	cmake --preset release
	cmake --build --preset release
	bench/compare-go build/release/bench/gort_bench

# The seeded-bug catalogue against every driver (README: Mutants). Not in
# `make test`: the mutants preset is one more full build.
mutants: deps
	cmake --preset mutants
	cmake --build --preset mutants
	./build/mutants/gort-mutants --markdown

# Runtime coverage of `gort check` at make run's budget (README: Coverage).
coverage: deps
	cmake --preset coverage
	cmake --build --preset coverage --target gort
	scripts/coverage

format:
	git ls-files '*.cc' '*.h' | xargs clang-format -i
