#!/bin/sh
# The library as an outside project sees it: `cmake --install` Seedbed into a temporary prefix,
# configure and build tests/outside_project (its own engine, tinykv, and one scenario) with
# find_package(seedbed), then run its command and its Catch2 tests. Fails on the first step that
# does not do what a user would expect. Takes 1-3 minutes (it compiles the outside project).
# Usage: outside_project_test.sh SEEDBED_BUILD_DIR OUTSIDE_SOURCE_DIR WORK_DIR CMAKE CXX GENERATOR
set -u
build=$1 src=$2 work=$3 cmake=$4 cxx=$5 generator=$6
fail() { echo "outside_project_test: FAIL: $*" >&2; exit 1; }
step() { echo "outside_project_test: $*"; }

rm -rf "$work" && mkdir -p "$work" || fail "cannot make $work"
step "build what the install holds (a no-op after a full build)"
"$cmake" --build "$build" -j 2 --target seedbed_env seedbed_posix seedbed_model seedbed_kernel seedbed_world \
  seedbed_core seedbed > "$work/seedbed_build.log" 2>&1 || { tail -50 "$work/seedbed_build.log"; fail "build seedbed"; }
step "install into $work/prefix"
"$cmake" --install "$build" --prefix "$work/prefix" > "$work/install.log" || { cat "$work/install.log"; fail "cmake --install"; }
test -f "$work/prefix/lib/cmake/seedbed/seedbedConfig.cmake" || \
  test -f "$work/prefix/lib64/cmake/seedbed/seedbedConfig.cmake" || \
  ls "$work"/prefix/lib/*/cmake/seedbed/seedbedConfig.cmake > /dev/null 2>&1 || fail "no seedbedConfig.cmake installed"
test -f "$work/prefix/include/seedbed/scenarios/harness/scenario.h" || fail "scenario.h not installed"
test -f "$work/prefix/include/seedbed/sim/version.h" || fail "the generated sim/version.h not installed"

step "configure and build $src against the installed package only"
"$cmake" -S "$src" -B "$work/build" -G "$generator" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_PREFIX_PATH="$work/prefix" > "$work/configure.log" 2>&1 || \
  { cat "$work/configure.log"; fail "configure (find_package(seedbed))"; }
"$cmake" --build "$work/build" -j 2 > "$work/build.log" 2>&1 || { tail -50 "$work/build.log"; fail "build"; }

bin="$work/build/tinykv_seedbed"
step "$bin list"
"$bin" list > "$work/list.txt" 2>&1; rc=$?
cat "$work/list.txt"
test $rc -eq 0 || fail "list exited $rc"
grep -q "tinykv.lost_put" "$work/list.txt" || fail "list does not show tinykv.lost_put"

step "run the buggy variant: exit 1 with a replay command"
"$bin" run tinykv.lost_put --variant buggy --seed 1 > "$work/buggy.txt" 2>&1; rc=$?
cat "$work/buggy.txt"
test $rc -eq 1 || fail "run --variant buggy --seed 1 exited $rc, expected 1"
grep -q "no-lost-acknowledged-writes" "$work/buggy.txt" || fail "the buggy run does not name the invariant"

step "run the fixed variant: exit 0"
"$bin" run tinykv.lost_put --variant fixed --seed 1 > "$work/fixed.txt" 2>&1; rc=$?
cat "$work/fixed.txt"
test $rc -eq 0 || fail "run --variant fixed --seed 1 exited $rc, expected 0"

step "fuzz 20 seeds of both variants: buggy fails, fixed passes"
"$bin" fuzz tinykv.lost_put --seeds 1..20 --expect --no-shrink > "$work/fuzz.txt" 2>&1; rc=$?
cat "$work/fuzz.txt"
test $rc -eq 0 || fail "fuzz --expect exited $rc"

if test -x "$work/build/tinykv_tests"; then
  step "the outside project's Catch2 tests (scenarios/testing/testing.h)"
  "$work/build/tinykv_tests" || fail "tinykv_tests"
  SEEDBED_SEED=3 "$work/build/tinykv_tests" "tinykv: the fixed store keeps every acknowledged put over 20 seeds" -s \
    > "$work/seed.txt" 2>&1 || { cat "$work/seed.txt"; fail "SEEDBED_SEED=3 rerun"; }
  grep -q "1 seeds, every invariant held" "$work/seed.txt" || { cat "$work/seed.txt"; fail "SEEDBED_SEED did not restrict the run to one seed"; }
else
  fail "tinykv_tests was not built (Catch2 2 not found by the outside project)"
fi
step "ok"
